"""Domain rules shared by the recommender, the DJ and the services: errors, the Camelot wheel, moods, names,
tempo relations.

Depends on nothing else in Selecta, so every package may import it."""
