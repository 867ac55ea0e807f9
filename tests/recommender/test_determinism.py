"""Seeds fixed means fixed: a deterministic fit (what evaluation uses) gives the same weights every time.

The SGD models (BPR, LightFM) update shared vectors from racing threads by default, so two threaded fits
can differ; ``deterministic`` runs each fit on one thread, and two evaluations print the same table.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recommender.blend import fit_models
from recommender.evaluate import EVAL_MODELS, evaluate, format_table, sample_users
from recommender.types import ModelSpec

THREADED = (
    ModelSpec(name="als", params={"factors": 8, "iterations": 5}),
    ModelSpec(name="bpr", params={"factors": 8, "iterations": 30}),
    ModelSpec(name="lightfm", params={"components": 8, "epochs": 10, "threads": 2}),
)


@pytest.fixture(scope="module")
def listening() -> pl.DataFrame:
    """Three taste clusters of 20 tracks; 45 users each play 12 tracks of their own cluster."""
    rng = np.random.default_rng(5)
    rows = [
        {"user_id": f"u{u}", "track_id": f"c{u % 3}-{i}", "plays": int(rng.integers(1, 50))}
        for u in range(45)
        for i in rng.choice(20, size=12, replace=False)
    ]
    return pl.DataFrame(rows)


def test_deterministic_fits_run_single_threaded_and_repeat_exactly(matrix):
    fits = [
        fit_models(THREADED, matrix.rows.weights, matrix.features, seed=3, deterministic=True)
        for _ in range(2)
    ]
    for key, model in fits[0].items():
        assert model.params["threads"] == 1, key
        for name, array in model.state().items():
            np.testing.assert_array_equal(array, fits[1][key].state()[name], err_msg=f"{key}.{name}")
    # Serving keeps every core: the specs themselves are untouched.
    threaded = fit_models(THREADED[2:], matrix.rows.weights, matrix.features, seed=3)
    assert threaded["lightfm"].params["threads"] == 2


def test_two_evaluations_print_the_same_table(listening):
    specs = tuple(s for s in EVAL_MODELS if s.name in ("bpr", "lightfm", "als"))
    runs = [evaluate(listening, protocols=("holdout",), models=specs) for _ in range(2)]
    assert [r.metrics for r in runs[0]] == [r.metrics for r in runs[1]]
    # The friends rows need user features; the shipped blend is there.
    assert [r.model for r in runs[0]][-2:] == ["lightfm warp + tags", "blend (shipped default)"]
    assert "lightfm warp + tags + friends" not in format_table(runs[0])


def test_sample_users_draws_a_seeded_subset(listening):
    a, b = sample_users(listening, 10, seed=1), sample_users(listening, 10, seed=1)
    assert a.equals(b) and a["user_id"].n_unique() == 10
    assert set(a["user_id"]) != set(sample_users(listening, 10, seed=2)["user_id"])
    assert sample_users(listening, 1000).equals(listening)
