"""The hand grammar (the benchmark's reference): every kind it knows, slot extraction, bad input."""

from __future__ import annotations

import polars as pl
import pytest

from dj.errors import RequestTextError
from dj.requests.entities import CatalogIndex
from dj.requests.grammar import GRAMMAR_KINDS, GrammarParser


@pytest.fixture(scope="module")
def parser() -> GrammarParser:
    catalog = pl.DataFrame(
        {
            "track_id": ["t1", "t2", "t3", "t4", "t5", "t6"],
            "title": [
                "Get Lucky",
                "One More Time",
                "Don't Know Why",
                "Visions",
                "Take On Me",
                "Karma Police",
            ],
            "artist": ["Daft Punk", "Daft Punk", "Norah Jones", "Norah Jones", "a-ha", "Radiohead"],
            "album": [
                "Random Access Memories",
                "Discovery",
                "Come Away with Me",
                "Visions",
                "Hunting High and Low",
                "OK Computer",
            ],
            "year": [2013, 2001, 2002, 2024, 1985, 1997],
            "tags": [
                ["electronic", "disco"],
                ["electronic", "french house"],
                ["jazz", "calm"],
                ["pop"],
                ["synth-pop", "80s"],
                ["alternative rock"],
            ],
        }
    )
    return GrammarParser(CatalogIndex.from_catalog(catalog))


EXAMPLES = [
    ("Play Daft Punk", "play"),
    ("More like this, please", "more_like_this"),
    ("Can you play something more energetic?", "energy_up"),
    ("DJ, play something calmer.", "energy_down"),
    ("Speed it up a little", "tempo_up"),
    ("Slow it down", "tempo_down"),
    ("Skip this song", "skip"),
    ("I love this track", "like"),
    ("I don't like this one", "dislike"),
    ("Why this song?", "why"),
    ("What's the weather tomorrow?", "out_of_scope"),
]


@pytest.mark.parametrize(("text", "kind"), EXAMPLES)
def test_each_intent_kind(parser: GrammarParser, text: str, kind: str) -> None:
    assert parser.parse(text).kind == kind


def test_every_kind_is_covered_above() -> None:
    # The same set, not the same count: a new kind without an example, or an example of a kind that no
    # longer exists, both fail here.
    assert len(GRAMMAR_KINDS) == 11
    assert {kind for _, kind in EXAMPLES} == set(GRAMMAR_KINDS)


def test_latest_album_by_misheard_artist(parser: GrammarParser) -> None:
    intent = parser.parse("Play the latest album by Norajones.")
    assert intent.kind == "play"
    artist = intent.slot("artist")
    assert artist is not None and artist.raw == "norajones"
    assert artist.entity is not None and artist.entity.name == "Norah Jones"
    assert intent.slot("recency").value == "latest"


def test_decade_and_genre(parser: GrammarParser) -> None:
    intent = parser.parse("put on some 80s synth pop")
    assert {(s.name, s.value) for s in intent.slots} == {("era", "1980s"), ("genre", "synth pop")}
    assert intent.slot("genre").entity.name == "synth-pop"


def test_spoken_decade_words(parser: GrammarParser) -> None:
    intent = parser.parse("play relaxing jazz from the nineties")
    assert {(s.name, s.value) for s in intent.slots} == {
        ("era", "1990s"),
        ("mood", "calm"),
        ("genre", "jazz"),
    }


def test_track_by_artist(parser: GrammarParser) -> None:
    intent = parser.parse("Play Don't Know Why by Norah Jones")  # "why" inside a title is not a question
    assert intent.kind == "play"
    assert intent.slot("track").entity.track_ids == ("t3",)


def test_novelty(parser: GrammarParser) -> None:
    intent = parser.parse("Play something I haven't heard")
    assert intent.kind == "play" and intent.slot("novelty").value == "unheard"


def test_unknown_artist_is_extracted_and_unavailable(parser: GrammarParser) -> None:
    intent = parser.parse("Play some Olivia Rodrigo")
    slot = intent.slot("artist")
    assert slot is not None and slot.raw == "olivia rodrigo"
    assert not slot.available and slot.entity is None


def test_similar_to_artist(parser: GrammarParser) -> None:
    intent = parser.parse("Something similar to Radiohead")
    assert intent.kind == "more_like_this" and intent.slot("artist").entity.name == "Radiohead"


def test_without_catalogue_names_are_extracted() -> None:
    intent = GrammarParser().parse("play some Daft Punk")
    assert intent.kind == "play" and intent.slot("artist").value == "daft punk"


@pytest.mark.parametrize("text", ["", "   ", "play " + "x" * 400])
def test_bad_text(parser: GrammarParser, text: str) -> None:
    with pytest.raises(RequestTextError):
        parser.parse(text)
