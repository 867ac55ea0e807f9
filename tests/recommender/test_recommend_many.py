"""Ranking many users at once: the same lists as one request per user, exactly, in bounded blocks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recommender import Constraints, ModelSpec, Recommender, RecommenderConfig
from recommender.errors import BadConfigError
from recommender.models.factors import ITEM_CHUNK, per_user_products

# Every kind of score the shipped default blends: least-squares and ranking-loss factors (stored vectors
# and fold-in), sparse neighbours, content and popularity.
SPECS = (
    ModelSpec(name="als", params={"factors": 8, "iterations": 10}),
    ModelSpec(name="bpr", params={"factors": 8, "iterations": 20}),
    ModelSpec(name="lightfm", params={"components": 8, "epochs": 5}),
    ModelSpec(name="itemknn", params={"k": 50}),
    ModelSpec(name="content"),
    ModelSpec(name="popularity"),
)
CONFIG = RecommenderConfig(models=SPECS, weights={s.name: 1.0 for s in SPECS})
OPTIONS = (
    {},
    {"discovery": 0.5, "artist_cap": 1},
    {"discovery": 1.0},
    {"include_played": True, "constraints": Constraints(tags=frozenset({"jazz"}))},
    {"constraints": Constraints(exclude=frozenset({"t01", "t13"}))},
)


@pytest.fixture(scope="module")
def model(events, catalog) -> Recommender:
    fitted = Recommender.fit(events=events, items=catalog, config=CONFIG)
    # u02 has events the bundle was not trained on: its row is folded in, not read from stored vectors.
    fitted.add_events(pl.DataFrame({"user_id": ["u02", "u02"], "track_id": ["t12", "t14"], "plays": [40, 9]}))
    return fitted


@pytest.mark.parametrize(
    "options", OPTIONS, ids=["plain", "discovery-cap", "new-only", "played-jazz", "exclude"]
)
def test_many_users_get_exactly_the_lists_one_request_each_gives(model, options):
    users = [*sorted(model.user_ids), "brand-new", "stranger", "u02"]
    histories = {
        "brand-new": pl.DataFrame({"track_id": ["t12", "t13", "t14"], "plays": [3, 2, 1]}),
        "u05": pl.DataFrame({"track_id": ["t15"], "plays": [7]}),
    }
    single = [model.recommend(u, 6, history=histories.get(u), **options) for u in users]
    assert all(single)
    for block in (1, 3, 7, None):  # blocks that mix known, folded-in, new and unknown users
        assert model.recommend_many(users, 6, histories=histories, block_users=block, **options) == single


def test_bad_options_are_refused_before_any_work(model):
    with pytest.raises(BadConfigError):
        model.recommend_many(["u01"], 0)
    with pytest.raises(BadConfigError):
        model.recommend_many(["u01"], 3, discovery=2.0)
    assert model.recommend_many([], 3) == []


def test_block_size_keeps_a_blocks_scores_within_the_budget(model):
    arrays = len(model.blend.models) + 3
    for budget in (1, 10_000, 100_000, 2**30):
        block = model.block_size(budget)
        assert block >= 1
        assert block == 1 or block * len(model.item_ids) * 4 * arrays <= budget


def test_factor_scores_of_a_user_do_not_depend_on_the_users_beside_them():
    rng = np.random.default_rng(0)
    items = rng.standard_normal((2 * ITEM_CHUNK + 37, 24)).astype(np.float32)  # a ragged last slice
    users = rng.standard_normal((41, 24)).astype(np.float32)
    whole = per_user_products(items, users)
    np.testing.assert_allclose(whole, users @ items.T, rtol=1e-4, atol=1e-4)
    for i in (0, 5, 40):
        assert np.array_equal(per_user_products(items, users[i : i + 1])[0], whole[i])
    shuffled = rng.permutation(41)
    assert np.array_equal(per_user_products(items, users[shuffled]), whole[shuffled])
