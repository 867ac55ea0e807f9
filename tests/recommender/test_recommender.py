"""The public Recommender on the two-cluster world: fold-in, updates, cold start, filters, explanations."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recommender import Constraints, ModelSpec, Recommender, RecommenderConfig
from recommender.errors import BadConfigError, UnknownItemError
from recommender.explain import REASON_CODES

SPECS = (
    ModelSpec(name="als", params={"factors": 8, "iterations": 10}),
    ModelSpec(name="itemknn", params={"k": 50}),
    ModelSpec(name="content"),
    ModelSpec(name="popularity"),
)
PINNED = RecommenderConfig(
    models=SPECS, weights={"als": 1.0, "itemknn": 1.0, "content": 0.5, "popularity": 0.1}
)


@pytest.fixture(scope="module")
def rec(events, catalog) -> Recommender:
    return Recommender.fit(events=events, items=catalog, config=PINNED)


def played(events: pl.DataFrame, user: str) -> set[str]:
    return set(events.filter(pl.col("user_id") == user).get_column("track_id").to_list())


def test_known_user_gets_unplayed_tracks_of_their_cluster(cluster_of, rec, events):
    out = rec.recommend("u01", 5)
    assert len(out) == 5
    assert all(cluster_of(r.track_id) == "rock" for r in out)
    assert not {r.track_id for r in out} & played(events, "u01")
    assert [r.score for r in out] == sorted((r.score for r in out), reverse=True)


def test_include_played_brings_played_tracks_back(rec, events):
    out = rec.recommend("u01", 12, include_played=True)
    assert {r.track_id for r in out} & played(events, "u01")


def test_new_user_is_folded_in_from_a_handful_of_events(cluster_of, rec):
    history = pl.DataFrame({"track_id": ["t12", "t13", "t14"], "plays": [3, 2, 1]})
    out = rec.recommend("brand-new", 5, history=history)
    assert all(cluster_of(r.track_id) == "jazz" for r in out)
    assert not {r.track_id for r in out} & {"t12", "t13", "t14"}


def test_unknown_user_gets_popular_tracks_within_constraints(cluster_of, rec):
    out = rec.recommend("stranger", 3, constraints=Constraints(tags=frozenset({"jazz"})))
    assert [r.reason_code for r in out] == ["popular"] * 3
    assert all(cluster_of(r.track_id) == "jazz" for r in out)
    listeners = dict(zip(rec.item_ids, rec.popularity, strict=True))
    assert [listeners[r.track_id] for r in out] == sorted((listeners[r.track_id] for r in out), reverse=True)


def test_new_events_change_the_ranking_without_retraining(cluster_of, events, catalog):
    model = Recommender.fit(events=events, items=catalog, config=PINNED)
    assert cluster_of(model.recommend("u02", 1)[0].track_id) == "rock"
    jazz = [f"t{i}" for i in range(12, 24) if i % 2 == 0]
    applied = model.add_events(
        pl.DataFrame({"user_id": ["u02"] * len(jazz), "track_id": jazz, "plays": [200] * 6})
    )
    assert applied == 6
    out = model.recommend("u02", 3)
    assert all(cluster_of(r.track_id) == "jazz" for r in out)
    assert not {r.track_id for r in out} & set(jazz)


def test_disliked_tracks_are_never_shown(events, catalog):
    model = Recommender.fit(events=events, items=catalog, config=PINNED)
    top = model.recommend("u03", 1)[0].track_id
    model.add_events(pl.DataFrame({"user_id": ["u03"], "track_id": [top], "reason": ["disliked"]}))
    assert top not in {r.track_id for r in model.recommend("u03", 24, include_played=True)}


def test_discovery_one_shows_only_new_artists_and_artist_cap_bounds_each_artist(rec, events, catalog):
    artists = dict(zip(catalog["track_id"], catalog["artist"], strict=True))
    known = {artists[t] for t in played(events, "u04")}
    out = rec.recommend("u04", 5, discovery=1.0)
    assert out and all(artists[r.track_id] not in known for r in out)
    capped = rec.recommend("u04", 24, artist_cap=1)
    names = [artists[r.track_id] for r in capped]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("constraints", "check"),
    [
        (Constraints(tempo_range=(60.0, 70.0)), lambda row: row["bpm"] in (128.0,)),  # 128 at half time = 64
        (Constraints(tempo_range=(100.0, 105.0)), lambda row: 100 <= row["bpm"] <= 105),
        (Constraints(camelot=frozenset({"8a"})), lambda row: row["camelot"] == "8A"),
        (Constraints(energy_range=(0.0, 0.5)), lambda row: row["energy"] <= 0.5),
        (Constraints(year_range=(2000, 2005)), lambda row: 2000 <= row["year"] <= 2005),
        (Constraints(artists=frozenset({"J1"})), lambda row: row["artist"] == "j1"),
        (Constraints(exclude=frozenset({"t05", "t07"})), lambda row: row["track_id"] not in {"t05", "t07"}),
    ],
)
def test_constraints_filter_every_result(rec, catalog, constraints, check):
    rows = {r["track_id"]: r for r in catalog.iter_rows(named=True)}
    out = rec.recommend("u05", 24, constraints=constraints, include_played=True)
    assert out
    assert all(check(rows[r.track_id]) for r in out)


def test_explanations_name_a_played_track_or_a_reason(rec, events, catalog):
    titles = dict(zip(catalog["title"], catalog["track_id"], strict=True))
    history = played(events, "u06")
    for r in rec.recommend("u06", 5):
        assert r.reason_code in REASON_CODES
        if r.reason_code == "because_you_played":
            named = r.explanation.removeprefix("because you played ").split(" by ")[0]
            assert titles[named] in history


def test_cold_track_with_only_tags_and_audio_is_recommended_and_sounds_like(cluster_of, events, catalog):
    cold = pl.DataFrame(
        {
            "track_id": ["cold-rock"],
            "title": ["Fresh Riff"],
            "artist": ["newcomer"],
            "tags": [["rock", "guitar"]],
            "embedding": [[1.0, 0.0, 0.0, 0.0]],
        }
    )
    items = pl.concat(
        [catalog.select("track_id", "title", "artist", "tags", "embedding"), cold], how="diagonal"
    )
    model = Recommender.fit(events=events, items=items, config=PINNED)
    assert "cold-rock" in model.item_ids and model.popularity[model.item_index["cold-rock"]] == 0
    rock_user = model.recommend("u07", 12)
    jazz_user = model.recommend("u27", 12)
    rank = [r.track_id for r in rock_user].index("cold-rock")
    assert rank < 6
    assert "cold-rock" not in [r.track_id for r in jazz_user][:6]
    assert rock_user[rank].reason_code == "sounds_like"
    similar = model.similar_tracks("cold-rock", 3)
    assert all(cluster_of(r.track_id) == "rock" for r in similar)
    assert similar[0].reason_code == "sounds_like"


def test_similar_tracks_and_errors(cluster_of, rec):
    out = rec.similar_tracks("t00", 4)
    assert len(out) == 4 and "t00" not in {r.track_id for r in out}
    assert all(cluster_of(r.track_id) == "rock" for r in out)
    with pytest.raises(UnknownItemError):
        rec.similar_tracks("nope")
    with pytest.raises(BadConfigError):
        rec.recommend("u01", 0)
    with pytest.raises(BadConfigError):
        rec.recommend("u01", 5, discovery=1.5)


def test_blend_weights_are_fit_on_validation_when_not_pinned(cluster_of, events, catalog):
    config = RecommenderConfig(models=SPECS, validation_min_items=4, validation_fraction=0.34)
    model = Recommender.fit(events=events, items=catalog, config=config)
    weights = model.blend.weights
    assert set(weights) <= {s.name for s in SPECS} and weights
    assert np.isclose(sum(weights.values()), 1.0)
    assert "val_ndcg10_blend" in model.metadata["metrics"]
    assert all(cluster_of(r.track_id) == "rock" for r in model.recommend("u08", 3))


@pytest.mark.parametrize("model", ["content", "itemknn"])
def test_a_replayed_track_is_never_explained_by_itself(events, catalog, model):
    rec = Recommender.fit(
        events=events, items=catalog, config=RecommenderConfig(models=SPECS, weights={model: 1.0})
    )
    titles = dict(zip(catalog["track_id"], catalog["title"], strict=True))
    replayed = [
        r for r in rec.recommend("u01", 12, include_played=True) if r.track_id in played(events, "u01")
    ]
    assert replayed
    for r in replayed:
        assert titles[r.track_id] not in r.explanation


def test_unknown_user_is_not_told_it_is_personal(rec):
    assert {r.explanation for r in rec.recommend("nobody-at-all", 3)} == {"popular with listeners"}
