"""The gazetteer marks the words that spell a catalogue or vocabulary name, longest match first."""

from __future__ import annotations

from dj.requests.gazetteer import Gazetteer
from dj.requests.tokens import tokenize


def test_vocabulary_and_catalogue_names_are_marked() -> None:
    gazetteer = (
        Gazetteer.vocabulary()
        .with_names("artist", ["The Beatles", "Seven"])
        .with_names("track", ["Seven Years"])
    )
    marks = gazetteer.marks(tokenize("play seven years of beatles jazz on spotify"))
    assert "B-track" in marks[1] and "I-track" in marks[2]
    assert "B-artist" in marks[1]  # "Seven" alone is an artist too
    assert "B-artist" in marks[4]  # a leading "the" does not count
    assert "B-genre" in marks[5] and "B-service" in marks[7]
    assert marks[3] == []


def test_empty_request_has_no_marks() -> None:
    assert Gazetteer.vocabulary().marks([]) == []
