"""A listener's stated tastes: parsed with the shipped model, kept in the real Redis, and applied to
ranked candidates over a real catalogue index. (A whole session honouring them is in test_lifecycle.)"""

from __future__ import annotations

import polars as pl
import pytest

from dj.requests.entities import CatalogIndex
from dj.requests.intents import IntentParser
from recommender import Recommendation
from services.sessions.tastes import Tastes, load_tastes, record_tastes, respect_tastes
from services.store import Store


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    catalog = pl.DataFrame(
        {
            "track_id": ["j1", "j2", "d1", "d2", "r1", "jd"],
            "title": ["So What", "Take Five", "I Will Survive", "Le Freak", "Karma Police", "Jazz Disco"],
            "artist": ["Miles Davis", "Dave Brubeck", "Gloria Gaynor", "Chic", "Radiohead", "Mixed"],
            "album": [None] * 6,
            "year": [1959, 1959, 1978, 1978, 1997, 1980],
            "tags": [["jazz"], ["jazz"], ["disco"], ["disco"], ["rock"], ["jazz", "disco"]],
        }
    )
    return CatalogIndex.from_catalog(catalog)


def ranked(*ids: str) -> list[Recommendation]:
    return [
        Recommendation(track_id=t, score=10.0 - k, explanation="", reason_code="model")
        for k, t in enumerate(ids)
    ]


def test_a_like_and_a_dislike_in_one_request_are_both_kept(store: Store, index: CatalogIndex) -> None:
    intent = IntentParser(index).parse("i like jazz and hate disco")
    assert record_tastes(store, "ana", intent) == [("jazz", "like"), ("disco", "dislike")]
    assert load_tastes(store, "ana") == Tastes(liked=frozenset({"jazz"}), disliked=frozenset({"disco"}))
    assert load_tastes(store, "ben") == Tastes()


def test_changing_ones_mind_replaces_the_taste(store: Store, index: CatalogIndex) -> None:
    parser = IntentParser(index)
    record_tastes(store, "cy", parser.parse("i love disco"))
    record_tastes(store, "cy", parser.parse("actually i don't like disco"))
    assert store.tastes("cy") == {"disco": "dislike"}


def test_requests_that_are_not_preferences_keep_nothing(store: Store, index: CatalogIndex) -> None:
    parser = IntentParser(index)
    for text in ("play some jazz", "i love this song", "i like Radiohead", "i hate polka"):
        record_tastes(store, "dee", parser.parse(text))
    assert store.tastes("dee") == {}  # no genre, an artist, a genre the catalogue lacks


def test_disliked_tags_are_left_out_and_liked_ones_come_first(index: CatalogIndex) -> None:
    tastes = Tastes(liked=frozenset({"jazz"}), disliked=frozenset({"disco"}))
    out = respect_tastes(ranked("r1", "d1", "j2", "d2", "j1", "jd"), tastes, index)
    assert [c.track_id for c in out] == ["j2", "j1", "r1"]
    assert min(c.score for c in out[:2]) > out[2].score


def test_a_disliked_tag_the_session_asks_for_now_stays(index: CatalogIndex) -> None:
    tastes = Tastes(disliked=frozenset({"disco"}))
    out = respect_tastes(ranked("d1", "r1", "d2"), tastes, index, asked=frozenset({"Disco"}))
    assert [c.track_id for c in out] == ["d1", "r1", "d2"]


def test_no_tastes_or_no_catalogue_changes_nothing(index: CatalogIndex) -> None:
    candidates = ranked("d1", "j1")
    assert respect_tastes(candidates, Tastes(), index) == candidates
    assert respect_tastes(candidates, Tastes(disliked=frozenset({"disco"})), None) == candidates
