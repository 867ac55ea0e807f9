"""Flatten the fitted pieces into named arrays for a bundle, and rebuild them from one."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.blend import Blend
from recommender.errors import BundleError
from recommender.features import ItemFeatures
from recommender.interactions import UserRows
from recommender.models import make_model


def csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = sp.csr_matrix(matrix)
    return {
        f"{prefix}.data": m.data,
        f"{prefix}.indices": m.indices,
        f"{prefix}.indptr": m.indptr,
        f"{prefix}.shape": np.asarray(m.shape, dtype=np.int64),
    }


def csr_from(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{prefix}.shape"])
    return sp.csr_matrix(
        (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"]), shape=shape
    )


def rows_arrays(rows: UserRows) -> dict[str, np.ndarray]:
    return {
        **csr_arrays("rows.weights", rows.weights),
        **csr_arrays("rows.seen", rows.seen),
        **csr_arrays("rows.disliked", rows.disliked),
    }


def rows_from_arrays(arrays: dict[str, np.ndarray]) -> UserRows:
    return UserRows(**{k: csr_from(f"rows.{k}", arrays) for k in ("weights", "seen", "disliked")})


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
            raise BundleError(f"bundle lacks array {prefix}{exc.args[0]} for model {key!r}") from exc
        models[key] = model
    return Blend(
        models=models,
        weights={k: float(v) for k, v in manifest["weights"].items()},
        cold_items=arrays["blend.cold_items"],
        cold_map=csr_from("blend.cold_map", arrays),
    )
