"""Metrics and splits against hand-computed answers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp

from recommender.errors import BadEventsError
from recommender.interactions import aggregate_events, confidence
from recommender.metrics import ranking_metrics
from recommender.splits import cold_item_holdout, per_user_holdout


def test_ranking_metrics_known_answer():
    # user 0: relevant {1, 3}; top-3 = [1, 2, 3] -> hits at ranks 1 and 3
    # user 1: relevant {0};    top-3 = [2, 4, 5] -> no hit
    test = sp.csr_matrix(np.array([[0, 1, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=np.float32))
    top = np.array([[1, 2, 3], [2, 4, 5]])
    m = ranking_metrics(top, test, k=3, popularity=np.ones(6), n_train_users=3, n_candidates=6)
    dcg = 1 + 1 / np.log2(4)
    idcg = 1 + 1 / np.log2(3)
    assert m.precision == pytest.approx((2 / 3 + 0) / 2)
    assert m.recall == pytest.approx((1 + 0) / 2)
    assert m.ndcg == pytest.approx((dcg / idcg) / 2)
    assert m.map == pytest.approx(((1 / 1 + 2 / 3) / 2) / 2)
    assert m.coverage == pytest.approx(5 / 6)  # items 1,2,3,4,5
    assert m.novelty == pytest.approx(-np.log2(2 / 4))


def test_per_user_holdout_follows_the_protocol():
    rng = np.random.default_rng(0)
    dense = (rng.random((50, 40)) < 0.4).astype(np.float32)
    dense[:5] = 0
    dense[:5, :5] = 1  # five users with only 5 items: never tested
    matrix = sp.csr_matrix(dense)
    split = per_user_holdout(matrix, fraction=0.2, min_items=10, seed=1)
    assert (split.train + split.test != matrix).nnz == 0
    assert split.train.multiply(split.test).nnz == 0
    counts = np.diff(matrix.indptr)
    held = np.diff(split.test.indptr)
    assert set(split.test_users.tolist()) == set(np.flatnonzero(counts >= 10).tolist())
    assert np.all(held[split.test_users] == np.round(0.2 * counts[split.test_users]).clip(min=1))
    again = per_user_holdout(matrix, fraction=0.2, min_items=10, seed=1)
    assert (again.test != split.test).nnz == 0


def test_cold_item_holdout_removes_items_entirely():
    rng = np.random.default_rng(0)
    matrix = sp.csr_matrix((rng.random((30, 50)) < 0.3).astype(np.float32))
    split = cold_item_holdout(matrix, fraction=0.1, seed=2)
    assert len(split.cold_items) == 5
    assert split.train[:, split.cold_items].nnz == 0
    assert set(np.unique(split.test.indices)) <= set(split.cold_items.tolist())


def test_event_reasons_become_weights_and_dislikes():
    events = pl.DataFrame(
        {
            "user_id": ["a"] * 5,
            "track_id": ["x", "x", "y", "z", "z"],
            "reason": ["played", "liked", "skipped", "played", "disliked"],
            "plays": [3, 1, 1, 2, 1],
        }
    )
    agg = {r["track_id"]: r for r in aggregate_events(events).iter_rows(named=True)}
    assert agg["x"]["weight"] == 3 + 5 and not agg["x"]["disliked"]
    assert agg["y"]["weight"] == 0
    assert agg["z"]["disliked"]
    with pytest.raises(BadEventsError, match="reasons"):
        aggregate_events(events.with_columns(pl.lit("loved").alias("reason")))
    with pytest.raises(BadEventsError, match="user_id"):
        aggregate_events(events.drop("user_id"))


def test_confidence_transforms():
    m = sp.csr_matrix(np.array([[0, 3, 1]], dtype=np.float32))
    assert confidence(m, "binary").data.tolist() == [1.0, 1.0]
    np.testing.assert_allclose(confidence(m, "log1p").data, np.log1p([3, 1]))
    assert confidence(m, "bm25").nnz == 2
