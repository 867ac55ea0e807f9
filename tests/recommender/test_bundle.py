"""Bundles: round trip, atomic overwrite, and a clear BundleError for anything corrupt or mismatched."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import polars as pl
import pytest

from recommender import ModelSpec, Recommender, RecommenderConfig
from recommender.bundle import ARRAYS, FORMAT_VERSION, MANIFEST
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
    assert manifest["format"] == "selecta-recommender" and manifest["format_version"] == FORMAT_VERSION == 3
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


def rewrite(bundle, *, drop=(), arrays=None, manifest=None, raw=None):
    """Edit a saved bundle and re-sign it (a valid checksum), as an older or damaged writer would leave it:
    ``drop`` arrays whose names start with a prefix, replace ``arrays`` and ``manifest`` keys (None deletes),
    or write ``raw`` bytes as arrays.npz."""
    meta = json.loads((bundle / MANIFEST).read_text())
    if raw is None:
        with np.load(bundle / ARRAYS, allow_pickle=False) as data:
            content = {k: data[k] for k in data.files if not k.startswith(tuple(drop))}
        content.update(arrays or {})
        with (bundle / ARRAYS).open("wb") as fh:
            np.savez(fh, **content)
    else:
        (bundle / ARRAYS).write_bytes(raw)
    for key, value in (manifest or {}).items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    meta["arrays_sha256"] = hashlib.sha256((bundle / ARRAYS).read_bytes()).hexdigest()
    (bundle / MANIFEST).write_text(json.dumps(meta))


OLDER = r"older Selecta; retrain with `selecta train`"


def test_bundle_from_before_trained_flags_asks_for_retraining(saved):
    """The reported failure: a bundle written before ``users.trained`` existed gave ``KeyError``."""
    rewrite(saved, drop=("users.trained",))
    with pytest.raises(
        BundleError, match=rf"lacks array 'users.trained'; the bundle was written by an {OLDER}"
    ):
        Recommender.load(saved)


@pytest.mark.parametrize(
    "prefix",
    ["users", "rows.seen.indptr", "items.bpm", "features.tag_vocab", "features.audio", "blend.cold_map"],
)
def test_any_missing_array_asks_for_retraining(saved, prefix):
    rewrite(saved, drop=(prefix,))
    with pytest.raises(BundleError, match=rf"lacks array '{re.escape(prefix)}.*{OLDER}"):
        Recommender.load(saved)


@pytest.mark.parametrize("key", ["config", "models", "weights", "metrics", "created_at"])
def test_missing_manifest_key_asks_for_retraining(saved, key):
    rewrite(saved, manifest={key: None})
    with pytest.raises(BundleError, match=rf"lacks manifest key '{key}'.*{OLDER}"):
        Recommender.load(saved)


def test_missing_model_arrays_name_the_model(saved):
    rewrite(saved, drop=("model.als.",))
    with pytest.raises(BundleError, match=rf"model 'als'.*{OLDER}"):
        Recommender.load(saved)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            {"users": np.array([f"u{i}" for i in range(41)])},
            r"40 trained flags for 41 users; rows.weights is \(40, 24\), expected \(41, 24\)",
        ),
        ({"users.trained": np.ones(39, dtype=bool)}, "39 trained flags for 40 users"),
        ({"items.titles": np.array(["a", "b"])}, "items.titles has 2 entries for 24 items"),
        ({"features.audio": np.zeros((23, 4), dtype=np.float32)}, "features.audio has 23 rows"),
        ({"model.als.item_factors": np.zeros((20, 8), dtype=np.float32)}, "model 'als' scores 20 items"),
        ({"model.bpr.user_factors": np.zeros((3, 8), dtype=np.float32)}, "model 'bpr' has 3 user vectors"),
        ({"blend.cold_items": np.array([99])}, "cold"),
    ],
)
def test_arrays_whose_shapes_disagree_are_refused(saved, arrays, message):
    rewrite(saved, arrays=arrays)
    with pytest.raises(BundleError, match=rf"do not fit together \(.*{message}.*retrain"):
        Recommender.load(saved)


def test_malformed_sparse_arrays_are_refused(saved):
    rewrite(saved, arrays={"rows.weights.indptr": np.array([0, 1, 2])})
    with pytest.raises(BundleError, match=r"cannot be used \(ValueError.*retrain"):
        Recommender.load(saved)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_arrays_are_refused_even_with_a_matching_checksum(saved, fraction):
    data = (saved / ARRAYS).read_bytes()
    rewrite(saved, raw=data[: int(len(data) * fraction)])
    with pytest.raises(BundleError, match="cannot be read"):
        Recommender.load(saved)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "corrupt"),
        ("[1, 2]", "corrupt: a JSON object was expected"),
        ("null", "corrupt: a JSON object was expected"),
        ('{"format": "something-else", "format_version": 1}', "is not a selecta-recommender bundle"),
    ],
)
def test_garbage_manifests_are_refused(saved, text, message):
    (saved / MANIFEST).write_text(text)
    with pytest.raises(BundleError, match=message):
        Recommender.load(saved)


def test_manifest_that_is_not_text_is_refused(saved):
    (saved / MANIFEST).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BundleError, match="corrupt"):
        Recommender.load(saved)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (FORMAT_VERSION - 1, f"an {OLDER}"),
        (None, f"an {OLDER}"),
        (str(FORMAT_VERSION), f"an {OLDER}"),
        (FORMAT_VERSION + 1, "a newer Selecta; upgrade"),
    ],
)
def test_format_versions_other_than_this_one_say_which_way(saved, version, message):
    meta = json.loads((saved / MANIFEST).read_text())
    meta["format_version"] = version
    (saved / MANIFEST).write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=message):
        Recommender.load(saved)


@pytest.mark.parametrize(
    "manifest",
    [
        {"models": "als"},
        {"weights": [1.0]},
        {"config": {}},
        {"config": {"models": [{"name": "als", "colour": "red"}]}},
        {"models": {"als": {"name": "no-such-model", "params": {}}}},
        {"models": {"als": {"name": "als", "params": {"no_such_param": 1}}}},
    ],
)
def test_manifest_values_this_code_cannot_use_are_refused(saved, manifest):
    rewrite(saved, manifest=manifest)
    with pytest.raises(BundleError, match="retrain with `selecta train`"):
        Recommender.load(saved)
