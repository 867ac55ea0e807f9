"""Requests to the DJ, typed or spoken: intents, entity resolution, and their effect on the set."""
