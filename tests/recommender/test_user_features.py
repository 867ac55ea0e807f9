"""User features (friends): the table's contract, LightFM learning from them, bundles keeping them.

Known answer: besides the two clusters of the conftest world, ten "sparse" listeners have played only a
crossover track every listener plays, so their history says nothing about rock or jazz. Five are friends
of ``rockfan`` (as is every rock listener), five of ``jazzfan``: only the friend features can tell them
apart, so LightFM with user features must rank each one's friends' cluster first.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recommender import Constraints, ModelSpec, Recommender, RecommenderConfig
from recommender.errors import BadUsersError
from recommender.evaluate import BLEND, BLEND_FRIENDS, EVAL_MODELS, evaluate
from recommender.user_features import build_user_features

CROSSOVER = "tx"
SPARSE_ROCK = [f"s{i}" for i in range(5)]
SPARSE_JAZZ = [f"s{i}" for i in range(5, 10)]


def config(*, use_user_features: bool) -> RecommenderConfig:
    params = {
        "components": 8,
        "epochs": 40,
        "threads": 1,
        "use_features": False,
        "use_user_features": use_user_features,
        "user_feature_weight": 1.0,
    }
    return RecommenderConfig(models=(ModelSpec(name="lightfm", params=params),), weights={"lightfm": 1.0})


@pytest.fixture(scope="module")
def world(events):
    dense = sorted(set(events["user_id"]))
    crossover = pl.DataFrame(
        {"user_id": dense + SPARSE_ROCK + SPARSE_JAZZ, "track_id": CROSSOVER, "plays": 3}
    )
    all_events = pl.concat([events, crossover], how="diagonal_relaxed")
    users = pl.DataFrame(
        {
            "user_id": dense + SPARSE_ROCK + SPARSE_JAZZ + ["nobody-listens"],
            "features": [["friend:rockfan" if int(u[1:]) < 20 else "friend:jazzfan"] for u in dense]
            + [["friend:rockfan"]] * 5
            + [["friend:jazzfan"]] * 5
            + [["friend:rockfan"]],
        }
    )
    return all_events, users


@pytest.fixture(scope="module")
def social(world, catalog) -> Recommender:
    events, users = world
    return Recommender.fit(events=events, items=catalog, users=users, config=config(use_user_features=True))


def cluster_margin(model: Recommender, user: str) -> float:
    """Mean score of the user's rock candidates minus their jazz ones (over the full ranking)."""
    ranked = {r.track_id: r.score for r in model.recommend(user, 25)}
    rock = [s for t, s in ranked.items() if t != CROSSOVER and int(t[1:]) < 12]
    jazz = [s for t, s in ranked.items() if t != CROSSOVER and int(t[1:]) >= 12]
    return float(np.mean(rock) - np.mean(jazz))


def test_table_is_aligned_to_the_user_order_and_keeps_shared_features_only():
    users = pl.DataFrame(
        {
            "user_id": ["b", "a", "a", "stranger"],
            "features": [["friend:x", "solo"], ["friend:x"], ["friend:y", None], ["friend:y"]],
        }
    )
    built = build_user_features(users, ["a", "b", "c"])
    # "solo" is held by one user, "friend:y" by one *known* user: neither links anyone, both dropped.
    assert built.vocab == ["friend:x"]
    assert built.matrix.toarray().tolist() == [[1.0], [1.0], [0.0]]
    assert build_user_features(None, ["a", "b"]).matrix.shape == (2, 0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pl.DataFrame({"user_id": ["a"]}), "missing \\['features'\\]"),
        (pl.DataFrame({"user_id": ["a"], "features": ["friend:x"]}), "list of strings"),
    ],
)
def test_a_malformed_table_is_a_clear_error(table, message, events):
    with pytest.raises(BadUsersError, match=message) as caught:
        Recommender.fit(events=events, users=table, config=config(use_user_features=True))
    assert caught.value.code == "bad_users" and caught.value.status == 422


def test_friends_decide_the_taste_of_listeners_whose_history_does_not(social, world, catalog):
    for user in SPARSE_ROCK:
        assert cluster_margin(social, user) > 0, user
    for user in SPARSE_JAZZ:
        assert cluster_margin(social, user) < 0, user
    # Without the friend features the same model has nothing to go on: the groups are not separated.
    events, users = world
    plain = Recommender.fit(events=events, items=catalog, users=users, config=config(use_user_features=False))
    margins = [cluster_margin(plain, u) for u in SPARSE_ROCK + SPARSE_JAZZ]
    social_margins = [cluster_margin(social, u) for u in SPARSE_ROCK + SPARSE_JAZZ]
    gap = np.mean(social_margins[:5]) - np.mean(social_margins[5:])
    assert abs(np.mean(margins[:5]) - np.mean(margins[5:])) < gap / 2


def test_listeners_without_features_are_folded_in_from_history(social, cluster_of):
    history = pl.DataFrame({"track_id": ["t12", "t14", "t15"], "plays": [9, 4, 2]})
    not_crossover = Constraints(exclude=frozenset({CROSSOVER}))
    out = social.recommend("brand-new", 3, history=history, constraints=not_crossover)
    assert [cluster_of(r.track_id) for r in out] == ["jazz"] * 3
    social.add_events(pl.DataFrame({"user_id": ["later"] * 2, "track_id": ["t01", "t02"], "plays": [5, 5]}))
    out = social.recommend("later", 3, constraints=not_crossover)
    assert [cluster_of(r.track_id) for r in out] == ["rock"] * 3


def test_bundle_keeps_the_user_feature_vocabulary(social, tmp_path):
    social.add_events(pl.DataFrame({"user_id": ["after-training"], "track_id": ["t03"], "plays": [2]}))
    loaded = Recommender.load(social.save(tmp_path / "bundle"))
    assert loaded.user_features.vocab == social.user_features.vocab == ["friend:jazzfan", "friend:rockfan"]
    # A listener added after training is saved with an all-zero feature row.
    assert loaded.user_features.matrix.shape == (len(loaded.user_ids), 2)
    assert loaded.user_features.matrix[loaded.user_index["after-training"]].nnz == 0
    assert loaded.user_features.matrix[loaded.user_index["s0"]].toarray().tolist() == [[0.0, 1.0]]
    for user in ("s0", "s7", "u03", "after-training"):
        assert [r.track_id for r in loaded.recommend(user, 5)] == [
            r.track_id for r in social.recommend(user, 5)
        ]


def test_evaluation_adds_the_user_feature_rows_when_a_table_is_given(world, catalog):
    events, users = world
    friends = tuple(s for s in EVAL_MODELS if s.label == "lightfm warp + tags + friends")
    rows = evaluate(events, catalog, users, protocols=("cold",), models=friends)
    assert [r.model for r in rows][-3:] == ["lightfm warp + tags + friends", BLEND, BLEND_FRIENDS]
    assert all(r.metrics.users > 0 for r in rows)
