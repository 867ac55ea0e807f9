"""Request-time history: the numpy fold-in row must equal what the polars event pipeline builds, so a
listener's history weighs the same whether it arrives with the request or was recorded as events."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import ModelSpec, Recommender, RecommenderConfig
from recommender.errors import BadEventsError
from recommender.interactions import UserRows, aggregate_events, build_rows, history_row, index_frame
from recommender.models.factors import mean_of_items
from recommender.recommender import _add_rows, _empty

ITEMS = [f"t{i:02d}" for i in range(24)]
INDEX = {t: i for i, t in enumerate(ITEMS)}
REASONS = ["played", "requested", "liked", "skipped", "disliked"]


def pipeline_row(history: pl.DataFrame) -> UserRows:
    """The reference: the training path (aggregate_events, then joins into the id maps)."""
    frame = aggregate_events(history.with_columns(pl.lit("_").alias("user_id")))
    return build_rows(
        frame, users=index_frame(["_"], "user_id", "row"), items=index_frame(ITEMS, "track_id", "col")
    )


def assert_same_rows(a: UserRows, b: UserRows) -> None:
    for kind in ("weights", "seen", "disliked"):
        x, y = getattr(a, kind), getattr(b, kind)
        assert x.shape == y.shape and x.dtype == y.dtype == np.float32, kind
        assert np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices), kind
        assert np.array_equal(x.data, y.data), kind


events = st.lists(
    st.tuples(
        st.sampled_from([*ITEMS[:6], "unknown-track"]),  # few tracks: repeats and mixed reasons per track
        st.one_of(st.integers(0, 40), st.floats(0.0, 40.0, allow_nan=False)),
        st.sampled_from(REASONS),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(events=events)
def test_history_row_equals_the_event_pipeline(events):
    history = pl.DataFrame(
        {
            "track_id": [t for t, _, _ in events],
            "plays": [float(p) for _, p, _ in events],
            "reason": [r for _, _, r in events],
        }
    )
    ours = history_row(history, item_index=INDEX, n_items=len(ITEMS))
    assert_same_rows(ours, pipeline_row(history))
    # A new listener is served this row as is: adding it to an empty row would change nothing.
    empty = UserRows(**{k: _empty(len(ITEMS)) for k in ("weights", "seen", "disliked")})
    assert_same_rows(_add_rows(empty, ours), ours)


def test_history_without_plays_or_reason_columns_counts_one_play_each():
    history = pl.DataFrame({"track_id": ["t03", "t03", "t07", "nope"]})
    row = history_row(history, item_index=INDEX, n_items=len(ITEMS))
    assert_same_rows(row, pipeline_row(history))
    assert dict(zip(row.weights.indices.tolist(), row.weights.data.tolist(), strict=True)) == {3: 2.0, 7: 1.0}
    assert row.seen.indices.tolist() == [3, 7] and row.disliked.nnz == 0


def test_like_skip_and_dislike_weigh_as_documented():
    history = pl.DataFrame(
        {
            "track_id": ["t01", "t01", "t02", "t02", "t03", "t03"],
            "plays": [2, 1, 1, 1, 9, 1],
            "reason": ["played", "liked", "skipped", "skipped", "played", "disliked"],
        }
    )
    row = history_row(history, item_index=INDEX, n_items=len(ITEMS))
    # t01: 2 plays + 5 for the like; t02: two skips floor at 0 (seen, not positive); t03: disliked.
    assert dict(zip(row.weights.indices.tolist(), row.weights.data.tolist(), strict=True)) == {1: 7.0}
    assert row.seen.indices.tolist() == [1, 2, 3] and row.disliked.indices.tolist() == [3]


def test_mean_of_items_fold_in_is_the_row_scaled_mean_exactly():
    """The BPR/LightFM fold-in (log1p weights over their sum, times item vectors) equals the textbook
    ``diag(1/sum) @ W @ F`` to the last bit, so a faster route cannot move a ranking."""
    rng = np.random.default_rng(0)
    factors = rng.standard_normal((300, 17)).astype(np.float32)
    rows = sp.random(4, 300, density=0.03, format="csr", dtype=np.float32, random_state=1)
    rows.data = rng.integers(1, 500, rows.nnz).astype(np.float32)
    rows = sp.vstack([rows, sp.csr_matrix((1, 300), dtype=np.float32)]).tocsr()  # and an empty row
    weights = rows.copy()
    weights.data = np.log1p(weights.data)
    sums = np.asarray(weights.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    expected = np.asarray(sp.diags(1.0 / sums) @ weights @ factors, dtype=np.float32)
    assert np.array_equal(mean_of_items(factors, rows), expected)
    assert not expected[-1].any() and np.abs(expected[:-1]).sum() > 0


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (pl.DataFrame({"plays": [1]}), "missing \\['track_id'\\]"),
        (pl.DataFrame({"track_id": ["t01"], "reason": ["loved"]}), "unknown event reasons"),
        (pl.DataFrame({"track_id": ["t01"], "plays": [-1]}), "plays must be >= 0"),
    ],
)
def test_bad_history_is_refused_like_bad_events(history, message):
    with pytest.raises(BadEventsError, match=message):
        history_row(history, item_index=INDEX, n_items=len(ITEMS))


@pytest.fixture(scope="module")
def model(events, catalog) -> Recommender:
    config = RecommenderConfig(
        models=(
            ModelSpec(name="als", params={"factors": 8, "iterations": 5}),
            ModelSpec(name="itemknn", params={"k": 20}),
            ModelSpec(name="content"),
        ),
        weights={"als": 1.0, "itemknn": 1.0, "content": 0.5},
    )
    return Recommender.fit(events=events, items=catalog, config=config)


@pytest.mark.parametrize("user", ["brand-new", "u05"])
def test_history_ranks_exactly_like_the_same_events_recorded(model, user):
    """A new listener (and a known one) gets the same list, scores and reasons whether the events come
    with the request or were recorded with ``add_events`` first (which goes through polars). Each case
    records events for its own user only, so the shared model stays valid for the other."""
    history = pl.DataFrame(
        {
            "track_id": ["t12", "t13", "t13", "t14", "t02"],
            "plays": [3, 1, 2, 1, 1],
            "reason": ["played", "played", "liked", "skipped", "disliked"],
        }
    )
    with_history = model.recommend(user, 10, history=history, discovery=0.3)
    model.add_events(history.with_columns(pl.lit(user).alias("user_id")))
    assert with_history == model.recommend(user, 10, discovery=0.3)
