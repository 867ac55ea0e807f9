"""One contract suite, run against every registered model on the two-cluster known-answer matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.errors import BadConfigError
from recommender.models import REGISTRY, make_model

N_PER_CLUSTER = 12  # tracks t00-t11 are rock, t12-t23 jazz (see conftest)

FAST = {
    "als": {"factors": 8, "iterations": 10},
    "bpr": {"factors": 8, "iterations": 200, "learning_rate": 0.05},
    "lightfm": {"components": 8, "epochs": 30, "threads": 1},
    "ease": {"l2": 10.0, "min_users": 1},
    "itemknn": {"k": 50},
    "content": {},
    "popularity": {},
}
CLUSTERED = [name for name in REGISTRY if name != "popularity"]


@pytest.fixture(scope="module", params=sorted(REGISTRY))
def fitted(request, matrix):
    model = make_model(request.param, FAST[request.param])
    model.fit(matrix.rows.weights, features=matrix.features, seed=1)
    return model


def rock_row(n_items: int) -> sp.csr_matrix:
    """A brand-new listener who played three rock tracks."""
    return sp.csr_matrix(
        (np.array([5.0, 3.0, 1.0]), ([0, 0, 0], [0, 1, 2])), shape=(1, n_items), dtype=np.float32
    )


def test_every_model_is_in_the_fast_table():
    assert set(FAST) == set(REGISTRY)


def test_scores_have_one_row_per_user_and_one_column_per_item(fitted, matrix):
    rows = matrix.rows.weights[:5]
    users = np.arange(5) if hasattr(fitted, "user_factors") else None
    scores = fitted.score(rows, users=users)
    assert scores.shape == (5, len(matrix.item_ids))
    assert scores.dtype == np.float32
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("name", CLUSTERED)
def test_fold_in_ranks_the_users_cluster_first(name, matrix):
    model = make_model(name, FAST[name])
    model.fit(matrix.rows.weights, features=matrix.features, seed=1)
    scores = model.score(rock_row(len(matrix.item_ids)))[0]
    scores[:3] = -np.inf  # played
    top = np.argsort(-scores)[:5]
    assert (top < N_PER_CLUSTER).all(), f"{name}: top-5 {top} (rock is < {N_PER_CLUSTER})"
    assert scores[3:N_PER_CLUSTER].mean() > scores[N_PER_CLUSTER:].mean()


def test_training_users_score_their_cluster_higher(fitted, matrix):
    if fitted.name == "popularity":
        pytest.skip("popularity is the same for everyone")
    rows = matrix.rows.weights
    users = np.arange(rows.shape[0])
    scores = fitted.score(rows, users=users if hasattr(fitted, "user_factors") else None)
    rock_users = [i for i, u in enumerate(matrix.user_ids) if int(u[1:]) < 20]
    assert (
        scores[rock_users, :N_PER_CLUSTER].mean(axis=1) > scores[rock_users, N_PER_CLUSTER:].mean(axis=1)
    ).all()


def test_state_round_trip_gives_identical_scores(fitted, matrix):
    clone = make_model(fitted.name, fitted.params)
    clone.load_state({k: np.array(v) for k, v in fitted.state().items()})
    row = rock_row(len(matrix.item_ids))
    np.testing.assert_allclose(clone.score(row), fitted.score(row), rtol=1e-5, atol=1e-6)


def test_similar_items_stay_in_the_cluster(fitted):
    if fitted.name == "popularity":
        with pytest.raises(NotImplementedError):
            fitted.similar_items(0, 3)
        return
    idx, scores = fitted.similar_items(0, 3)
    assert 0 not in idx.tolist()
    assert (idx < N_PER_CLUSTER).all(), idx
    assert np.all(np.diff(scores) <= 0)


def test_popularity_ranks_the_most_played_item_first(matrix):
    model = make_model("popularity")
    model.fit(matrix.rows.weights)
    listeners = np.diff(matrix.rows.weights.tocsc().indptr)
    assert int(np.argmax(model.score(rock_row(len(matrix.item_ids)))[0])) == int(np.argmax(listeners))


def test_unknown_model_and_parameter_are_refused():
    with pytest.raises(BadConfigError, match="unknown model"):
        make_model("svd++")
    with pytest.raises(BadConfigError, match="unknown hyper-parameters"):
        make_model("als", {"factor": 3})


def test_wrong_number_of_item_columns_is_refused(fitted, matrix):
    if fitted.name == "popularity":
        return
    with pytest.raises(BadConfigError, match="item columns"):
        fitted.score(sp.csr_matrix((1, len(matrix.item_ids) + 1), dtype=np.float32))


def test_similarity_to_reads_the_same_values_as_the_dense_similarity(fitted):
    others = np.array([0, 2, 3, 7, 11, 12, 20, 23])
    for item in range(fitted.n_items):
        try:
            dense = fitted.item_similarity(item)
        except NotImplementedError:
            return  # popularity has no item-item similarity
        assert np.array_equal(fitted.similarity_to(item, others), dense[others])
