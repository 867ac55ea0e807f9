"""Bundles: round trip, atomic overwrite, and a clear BundleError for anything corrupt or mismatched."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from recommender import ModelSpec, Recommender, RecommenderConfig
from recommender.bundle import ARRAYS, MANIFEST
from recommender.errors import BundleError

CONFIG = RecommenderConfig(
    models=(
        ModelSpec(name="als", params={"factors": 8, "iterations": 5}),
        ModelSpec(name="bpr", params={"factors": 8, "iterations": 20}),
        ModelSpec(name="lightfm", params={"components": 8, "epochs": 5, "threads": 1}),
        ModelSpec(name="ease", params={"l2": 10.0, "min_users": 1}),
        ModelSpec(name="itemknn", params={"k": 20}),
        ModelSpec(name="content"),
        ModelSpec(name="popularity"),
    ),
    weights={
        "als": 1.0,
        "bpr": 0.5,
        "lightfm": 0.5,
        "ease": 1.0,
        "itemknn": 1.0,
        "content": 0.5,
        "popularity": 0.1,
    },
)


@pytest.fixture(scope="module")
def model(events, catalog) -> Recommender:
    return Recommender.fit(events=events, items=catalog, config=CONFIG)


@pytest.fixture()
def saved(model, tmp_path):
    return model.save(tmp_path / "bundle")


def same(a, b) -> bool:
    """Same ids, reasons and order; scores equal up to float32 summation order."""
    return [(r.track_id, r.reason_code, r.explanation) for r in a] == [
        (r.track_id, r.reason_code, r.explanation) for r in b
    ] and np.allclose([r.score for r in a], [r.score for r in b], rtol=1e-5)


def test_round_trip_gives_identical_recommendations(model, saved):
    loaded = Recommender.load(saved)
    history = pl.DataFrame({"track_id": ["t12", "t13"], "plays": [4, 1]})
    for user, kwargs in [("u01", {}), ("u30", {"discovery": 0.5}), ("new", {"history": history}), ("x", {})]:
        assert same(loaded.recommend(user, 8, **kwargs), model.recommend(user, 8, **kwargs))
    assert same(loaded.similar_tracks("t03", 5), model.similar_tracks("t03", 5))
    assert loaded.blend.weights == model.blend.weights
    assert loaded.metadata["training_data_sha256"] == model.metadata["training_data_sha256"]


def test_manifest_records_versions_hash_params_and_metrics(saved):
    manifest = json.loads((saved / MANIFEST).read_text())
    assert manifest["format"] == "selecta-recommender" and manifest["format_version"] == 1
    assert len(manifest["training_data_sha256"]) == 64
    assert manifest["models"]["als"]["params"]["factors"] == 8
    assert manifest["n_users"] == 40 and manifest["n_items"] == 24
    assert set(manifest["weights"]) == {s.name for s in CONFIG.models}


def test_events_added_after_training_are_kept_by_save(model, tmp_path, events, catalog):
    fresh = Recommender.fit(events=events, items=catalog, config=CONFIG)
    fresh.add_events(pl.DataFrame({"user_id": ["late"], "track_id": ["t20"], "plays": [9]}))
    loaded = Recommender.load(fresh.save(tmp_path / "b"))
    assert "late" in loaded.user_index
    assert "t20" not in {r.track_id for r in loaded.recommend("late", 23)}


def test_save_replaces_an_existing_bundle_whole(model, saved, tmp_path):
    (saved / "stray.txt").write_text("old")
    model.save(saved)
    assert not (saved / "stray.txt").exists()
    assert sorted(p.name for p in saved.iterdir()) == [ARRAYS, MANIFEST]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_corrupt_arrays_are_refused(saved):
    data = bytearray((saved / ARRAYS).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / ARRAYS).write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum"):
        Recommender.load(saved)


def test_other_format_version_is_refused(saved):
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["format_version"] = 99
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="version 99"):
        Recommender.load(saved)


def test_garbled_manifest_and_missing_bundle_are_refused(saved, tmp_path):
    with pytest.raises(BundleError, match="not a recommender bundle"):
        Recommender.load(tmp_path / "nowhere")
    (saved / MANIFEST).write_text("{not json")
    with pytest.raises(BundleError, match="corrupt"):
        Recommender.load(saved)


def test_arrays_that_do_not_match_the_manifest_are_refused(saved):
    import hashlib

    manifest = json.loads((saved / MANIFEST).read_text())
    with np.load(saved / ARRAYS, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if not k.startswith("model.als.")}
    with (saved / ARRAYS).open("wb") as fh:
        np.savez(fh, **arrays)
    manifest["arrays_sha256"] = hashlib.sha256((saved / ARRAYS).read_bytes()).hexdigest()
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="model 'als'"):
        Recommender.load(saved)
