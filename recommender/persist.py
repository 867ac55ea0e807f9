"""Flatten the fitted pieces into named arrays for a bundle, rebuild them from one, and refuse a bundle
whose contents this code cannot serve.

The format version in the manifest only says how the files are laid out; arrays were added within a
version (``users.trained``), so the loader also checks that every array and manifest key it reads is
there and that the shapes agree, and says "retrain" instead of failing later with a ``KeyError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.blend import Blend
from recommender.errors import BundleError
from recommender.features import ItemFeatures
from recommender.interactions import UserRows
from recommender.item_table import ItemTable
from recommender.models import make_model
from recommender.models.base import csr_from_state, csr_state
from recommender.models.factors import FactorModel
from recommender.types import ModelSpec, RecommenderConfig
from recommender.user_features import UserFeatures

RETRAIN = "retrain with `selecta train`"
OLDER = f"the bundle was written by an older Selecta; {RETRAIN}"
ROW_KINDS = ("weights", "seen", "disliked")
CSR_PARTS = ("data", "indices", "indptr", "shape")
MANIFEST_KEYS = (
    "created_at",
    "training_data_sha256",
    "n_users",
    "n_items",
    "metrics",
    "config",
    "weights",
    "models",
)


def csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{prefix}.{part}": value for part, value in csr_state(matrix).items()}


def csr_from(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    return csr_from_state({part: arrays[f"{prefix}.{part}"] for part in CSR_PARTS})


def rows_arrays(rows: UserRows) -> dict[str, np.ndarray]:
    return {key: value for k in ROW_KINDS for key, value in csr_arrays(f"rows.{k}", getattr(rows, k)).items()}


def rows_from_arrays(arrays: dict[str, np.ndarray]) -> UserRows:
    return UserRows(**{k: csr_from(f"rows.{k}", arrays) for k in ROW_KINDS})


def features_arrays(features: ItemFeatures) -> dict[str, np.ndarray]:
    return {
        **csr_arrays("features.tags", features.tags),
        "features.tag_vocab": np.asarray(features.tag_vocab, dtype=str),
        "features.audio": features.audio,
        "features.has_audio": features.has_audio,
    }


def features_from_arrays(arrays: dict[str, np.ndarray]) -> ItemFeatures:
    return ItemFeatures(
        tags=csr_from("features.tags", arrays),
        tag_vocab=[str(t) for t in arrays["features.tag_vocab"]],
        audio=arrays["features.audio"],
        has_audio=arrays["features.has_audio"],
    )


def user_features_arrays(user_features: UserFeatures) -> dict[str, np.ndarray]:
    return {
        **csr_arrays("user_features", user_features.matrix),
        "user_features.vocab": np.asarray(user_features.vocab, dtype=str),
    }


def user_features_from_arrays(arrays: dict[str, np.ndarray]) -> UserFeatures:
    return UserFeatures(
        matrix=csr_from("user_features", arrays), vocab=[str(f) for f in arrays["user_features.vocab"]]
    )


def blend_arrays(blend: Blend) -> dict[str, np.ndarray]:
    out = {"blend.cold_items": blend.cold_items, **csr_arrays("blend.cold_map", blend.cold_map)}
    for key, model in blend.models.items():
        out.update({f"model.{key}.{name}": value for name, value in model.state().items()})
    return out


def blend_from_arrays(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> Blend:
    models = {}
    for key, entry in manifest["models"].items():
        model = make_model(entry["name"], entry["params"])
        prefix = f"model.{key}."
        state = {name[len(prefix) :]: value for name, value in arrays.items() if name.startswith(prefix)}
        try:
            model.load_state(state)
        except KeyError as exc:
            raise BundleError(f"it lacks array {prefix}{exc.args[0]} for model {key!r}; {OLDER}") from exc
        models[key] = model
    return Blend(
        models=models,
        weights={k: float(v) for k, v in manifest["weights"].items()},
        cold_items=arrays["blend.cold_items"],
        cold_map=csr_from("blend.cold_map", arrays),
    )


def config_json(config: RecommenderConfig) -> dict[str, object]:
    out = dict(config.__dict__)
    out["models"] = [{"name": s.name, "label": s.label, "params": s.params} for s in config.models]
    return out


def config_from_json(data: dict[str, Any]) -> RecommenderConfig:
    specs = tuple(ModelSpec(**spec) for spec in data["models"])
    return RecommenderConfig(**{**data, "models": specs})


def required_arrays() -> tuple[str, ...]:
    """Every array a bundle must hold besides the models' own (those are checked by each model)."""
    prefixes = ("features.tags", "blend.cold_map", "user_features")
    csr = [f"{prefix}.{part}" for prefix in prefixes for part in CSR_PARTS]
    rows = [f"rows.{kind}.{part}" for kind in ROW_KINDS for part in CSR_PARTS]
    items = [f"items.{name}" for name in ItemTable.__dataclass_fields__]
    features = ["features.tag_vocab", "features.audio", "features.has_audio", "user_features.vocab"]
    return ("users", "users.trained", *rows, *items, *csr, *features, "blend.cold_items")


def check_complete(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Refuse a bundle lacking a manifest key or array this code reads (one from an older Selecta)."""
    missing = [f"manifest key {k!r}" for k in MANIFEST_KEYS if k not in manifest]
    missing += [f"array {k!r}" for k in required_arrays() if k not in arrays]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise BundleError(f"it lacks {', '.join(missing[:3])}{more}; {OLDER}")
    if not isinstance(manifest["models"], dict) or not isinstance(manifest["weights"], dict):
        raise BundleError(f"its manifest 'models' and 'weights' are not mappings; {RETRAIN}")


def check_consistent(
    *,
    user_ids: list[str],
    trained: np.ndarray,
    rows: UserRows,
    table: ItemTable,
    features: ItemFeatures,
    user_features: UserFeatures,
    blend: Blend,
) -> None:
    """Refuse arrays whose shapes disagree (every user row and item column must line up), which would
    otherwise surface as an IndexError or a silently wrong ranking at request time."""
    n_users, n_items = len(user_ids), len(table.item_ids)
    problems = [
        *_user_problems(n_users, n_items, trained=trained, rows=rows),
        *_item_problems(n_items, table=table, features=features),
    ]
    if user_features.matrix.shape != (n_users, len(user_features.vocab)):
        problems.append(
            f"user_features is {user_features.matrix.shape} for {n_users} users "
            f"and {len(user_features.vocab)} features"
        )
    problems += _blend_problems(n_items, trained=trained, blend=blend)
    if problems:
        raise BundleError(f"its arrays do not fit together ({'; '.join(problems[:3])}); {RETRAIN}")


def _user_problems(n_users: int, n_items: int, *, trained: np.ndarray, rows: UserRows) -> list[str]:
    """Per-user arrays: one trained flag and one history row of every kind per user."""
    problems = [f"{len(trained)} trained flags for {n_users} users"] if trained.shape != (n_users,) else []
    for kind in ROW_KINDS:
        shape = getattr(rows, kind).shape
        if shape != (n_users, n_items):
            problems.append(f"rows.{kind} is {shape}, expected {(n_users, n_items)}")
    return problems


def _item_problems(n_items: int, *, table: ItemTable, features: ItemFeatures) -> list[str]:
    """Per-item arrays: one catalogue entry and one feature row per item, one tag column per tag."""
    problems = []
    for name in ItemTable.__dataclass_fields__:
        if len(getattr(table, name)) != n_items:
            problems.append(f"items.{name} has {len(getattr(table, name))} entries for {n_items} items")
    lengths = {
        "tags": features.tags.shape[0],
        "audio": len(features.audio),
        "has_audio": len(features.has_audio),
    }
    problems += [f"features.{k} has {v} rows for {n_items} items" for k, v in lengths.items() if v != n_items]
    if features.tags.shape[1] != len(features.tag_vocab):
        problems.append(
            f"features.tags has {features.tags.shape[1]} columns for {len(features.tag_vocab)} tags"
        )
    return problems


def _blend_problems(n_items: int, *, trained: np.ndarray, blend: Blend) -> list[str]:
    """The blend: its cold-start map and every model cover the catalogue and the trained users."""
    problems = []
    if blend.cold_map.shape != (n_items, len(blend.cold_items)):
        problems.append(f"blend.cold_map is {blend.cold_map.shape} for {len(blend.cold_items)} cold items")
    if len(blend.cold_items) and not 0 <= blend.cold_items.min() <= blend.cold_items.max() < n_items:
        problems.append("blend.cold_items points outside the catalogue")
    trained_users = int(np.flatnonzero(trained).max(initial=-1)) + 1
    for key, model in blend.models.items():
        if model.n_items != n_items:
            problems.append(f"model {key!r} scores {model.n_items} items, the catalogue has {n_items}")
        if isinstance(model, FactorModel) and len(model.user_factors) < trained_users:
            problems.append(f"model {key!r} has {len(model.user_factors)} user vectors for {trained_users}")
    if set(blend.weights) - set(blend.models):
        problems.append(f"weights name models it lacks: {sorted(set(blend.weights) - set(blend.models))}")
    return problems
