"""Intents become constraints relative to the playing track, tracks to pin, and an honest answer."""

from __future__ import annotations

import polars as pl
import pytest

from dj.requests.effects import NowPlaying, apply_intent
from dj.requests.entities import CatalogIndex
from dj.requests.intents import IntentParser
from recommender.types import Constraints

PLAYING = NowPlaying(
    track_id="t1",
    title="Get Lucky",
    artist="Daft Punk",
    energy=0.6,
    bpm=116.0,
    explanation="because you played Discovery",
)


@pytest.fixture(scope="module")
def parser() -> IntentParser:
    catalog = pl.DataFrame(
        {
            "track_id": ["t1", "t2", "t3", "t4"],
            "title": ["Get Lucky", "Don't Know Why", "Sunrise", "Visions"],
            "artist": ["Daft Punk", "Norah Jones", "Norah Jones", "Norah Jones"],
            "album": ["Random Access Memories", "Come Away with Me", "Feels Like Home", "Visions"],
            "year": [2013, 2002, 2004, 2024],
            "tags": [["electronic"], ["jazz", "calm"], ["jazz"], ["pop"]],
        }
    )
    return IntentParser(CatalogIndex.from_catalog(catalog))


def effect(parser: IntentParser, text: str, current: Constraints | None = None):
    return apply_intent(parser.parse(text), current=current, playing=PLAYING, index=parser.index)


def test_calmer_is_below_the_playing_energy(parser: IntentParser) -> None:
    e = effect(parser, "play something calmer")
    assert e.constraints.energy_range == (0.0, 0.48)
    assert e.replan and not e.skip
    assert "calm" in e.answer.lower() or "down" in e.answer.lower() or "easing" in e.answer.lower()


def test_more_energy_and_tempo(parser: IntentParser) -> None:
    assert effect(parser, "more energy please").constraints.energy_range == (0.72, 1.0)
    low, high = effect(parser, "faster").constraints.tempo_range
    assert low > 116.0 and high > low
    assert effect(parser, "slower").constraints.tempo_range[1] < 116.0


def test_skip_and_dislike_exclude_the_playing_track(parser: IntentParser) -> None:
    for text, feedback in (("skip", "skipped"), ("I hate this song", "disliked")):
        e = effect(parser, text, Constraints(exclude=frozenset({"t0"})))
        assert e.skip and e.feedback == feedback
        assert e.constraints.exclude == {"t0", "t1"}


def test_like_and_why_do_not_replan(parser: IntentParser) -> None:
    like = effect(parser, "I love this")
    assert like.feedback == "liked" and not like.replan
    why = effect(parser, "why this song?")
    assert not why.replan and "Get Lucky by Daft Punk" in why.answer and "Discovery" in why.answer


def test_latest_album_pins_its_tracks(parser: IntentParser) -> None:
    e = effect(parser, "Play the latest album by Norajones")
    assert e.constraints.artists == {"Norah Jones"}
    assert e.pinned == ("t4",)
    assert "Visions" in e.answer


def test_play_replaces_direction_but_keeps_exclusions(parser: IntentParser) -> None:
    before = Constraints(exclude=frozenset({"t9"}), energy_range=(0.0, 0.3), artists=frozenset({"X"}))
    e = effect(parser, "put on some 80s jazz", before)
    assert e.constraints.exclude == {"t9"}
    assert e.constraints.year_range == (1980, 1989)
    assert e.constraints.tags == {"jazz"}
    assert e.constraints.artists is None and e.constraints.energy_range is None


def test_unavailable_artist_is_said_honestly(parser: IntentParser) -> None:
    e = effect(parser, "play Olivia Rodrigo", Constraints(tags=frozenset({"calm"})))
    assert not e.replan
    assert "Olivia Rodrigo" in e.answer and ("don't have" in e.answer or "isn't" in e.answer)
    assert e.constraints.tags == {"calm"}  # nothing changed


def test_novelty_raises_discovery(parser: IntentParser) -> None:
    assert effect(parser, "something I haven't heard").discovery > 0.5


def test_out_of_scope_answer(parser: IntentParser) -> None:
    e = effect(parser, "tell me a joke")
    assert e.intent.kind == "out_of_scope" and not e.replan and "DJ" in e.answer


def test_constraints_json_round_trip() -> None:
    from dj.requests.effects import constraints_from_json, constraints_to_json

    c = Constraints(
        tags=frozenset({"jazz", "calm"}),
        year_range=(1980, 1989),
        exclude=frozenset({"t1"}),
        energy_range=(0.0, 0.4),
    )
    payload = constraints_to_json(c)
    assert payload == {
        "tags": ["calm", "jazz"],
        "energy_range": [0.0, 0.4],
        "exclude": ["t1"],
        "year_range": [1980, 1989],
    }
    assert constraints_from_json(payload) == c
    assert constraints_from_json({}) == Constraints()
