"""The shipped default: several models, each z-scored per user, summed with weights fit on validation.

Per-user z-scores put scores from different models on one scale (EASE weights, ALS dot products and
tag cosines share nothing else). Weights are fit by coordinate ascent on NDCG@10 over a per-user holdout
carved from the *training* data, so the reported test figures never steer the blend.
Collaborative models cannot score a track nobody has played; for those (cold) tracks their scores are
taken from the track's nearest content neighbours, which places new tracks in the collaborative space.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recommender.features import ItemFeatures, content_matrix
from recommender.metrics import per_user_ndcg, top_k_rows
from recommender.models import REGISTRY, Model, Param, make_model
from recommender.splits import Split, per_user_holdout
from recommender.types import ModelSpec, RecommenderConfig

Progress = Callable[[str], None]
CONTENT_MODELS = frozenset({"content", "lightfm"})
WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)


def spec_key(spec: ModelSpec) -> str:
    return spec.label or spec.name


def zscore(scores: np.ndarray, exclude: sp.csr_matrix | sp.coo_matrix | None) -> np.ndarray:
    """Standardise each row over the items it may be shown; excluded items become -inf.

    Row sums are taken over everything and the excluded entries (few, sparse) subtracted, which avoids
    materialising a dense mask: this runs on every request and on every validation user.
    """
    out = scores.astype(np.float32, copy=True)
    n = np.full(out.shape[0], out.shape[1], dtype=np.float64)
    total = out.sum(axis=1, dtype=np.float64)
    squares = np.einsum("ij,ij->i", out, out, dtype=np.float64)
    if exclude is not None and exclude.nnz:
        coo = exclude.tocoo()
        hidden = out[coo.row, coo.col].astype(np.float64)
        n -= np.bincount(coo.row, minlength=out.shape[0])
        total -= np.bincount(coo.row, weights=hidden, minlength=out.shape[0])
        squares -= np.bincount(coo.row, weights=hidden**2, minlength=out.shape[0])
        out[coo.row, coo.col] = -np.inf
    n = np.maximum(n, 1.0)
    mean = total / n
    std = np.sqrt(np.maximum(squares / n - mean**2, 0.0)) + 1e-6
    out -= mean[:, None].astype(np.float32)
    out /= std[:, None].astype(np.float32)
    return out


def cold_neighbor_map(
    features: ItemFeatures, warm: np.ndarray, *, k: int, audio_weight: float = 0.5
) -> tuple[np.ndarray, sp.csr_matrix]:
    """(cold item indices, (n_items, n_cold) weights): each cold item as a convex mix of its ``k`` most
    content-similar warm items. Cold items without any features get no neighbours."""
    f = content_matrix(features, audio_weight=audio_weight)
    cold = np.flatnonzero(~warm)
    warm_idx = np.flatnonzero(warm)
    rows, cols, vals = [], [], []
    if len(cold) and len(warm_idx) and f.shape[1]:
        sims = (f[cold] @ f[warm_idx].T).tocsr()
        for c in range(len(cold)):
            start, end = sims.indptr[c], sims.indptr[c + 1]
            v, j = sims.data[start:end], sims.indices[start:end]
            if len(v) > k:
                top = np.argpartition(-v, k - 1)[:k]
                v, j = v[top], j[top]
            if v.sum() > 0:
                rows.extend(warm_idx[j].tolist())
                cols.extend([c] * len(j))
                vals.extend((v / v.sum()).tolist())
    mapping = sp.csr_matrix((vals, (rows, cols)), shape=(features.n_items, len(cold)), dtype=np.float32)
    return cold.astype(np.int64), mapping


class Blend:
    """Fitted models, their weights, and the cold-item mapping; scores user rows like a single model."""

    def __init__(
        self,
        *,
        models: dict[str, Model],
        weights: dict[str, float],
        cold_items: np.ndarray,
        cold_map: sp.csr_matrix,
    ) -> None:
        self.models = models
        self.weights = weights
        self.cold_items = cold_items
        self.cold_map = cold_map

    def model_scores(
        self, rows: sp.csr_matrix, *, users: np.ndarray | None, exclude: sp.csr_matrix | None, keys: list[str]
    ) -> dict[str, np.ndarray]:
        """Per-model z-scores for ``rows`` (cold columns filled from content neighbours where needed)."""
        out = {}
        exclude = exclude.tocoo() if exclude is not None else None
        for key in keys:
            model = self.models[key]
            raw = model.score(rows, users=users if _uses_user_vectors(model) else None)
            if model.name not in CONTENT_MODELS and len(self.cold_items):
                raw[:, self.cold_items] = raw @ self.cold_map
            out[key] = zscore(raw, exclude)
        return out

    def score_parts(
        self, rows: sp.csr_matrix, *, users: np.ndarray | None = None, exclude: sp.csr_matrix | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Blended scores and each model's weighted z-scores (what explanations read)."""
        keys = [k for k, w in self.weights.items() if w > 0]
        parts = self.model_scores(rows, users=users, exclude=exclude, keys=keys)
        total = np.zeros((rows.shape[0], rows.shape[1]), dtype=np.float32)
        for key in keys:
            parts[key] *= np.float32(self.weights[key])
            total += parts[key]
        return total, parts

    def score(
        self, rows: sp.csr_matrix, *, users: np.ndarray | None = None, exclude: sp.csr_matrix | None = None
    ) -> np.ndarray:
        return self.score_parts(rows, users=users, exclude=exclude)[0]


def _uses_user_vectors(model: Model) -> bool:
    return hasattr(model, "user_factors")


def fit_models(
    specs: tuple[ModelSpec, ...],
    matrix: sp.csr_matrix,
    features: ItemFeatures | None,
    *,
    seed: int,
    user_features: sp.csr_matrix | None = None,
    deterministic: bool = False,
    progress: Progress | None = None,
) -> dict[str, Model]:
    """Fit each spec. ``deterministic`` runs every fit on one thread (models' ``threads`` and BLAS):
    the SGD models (BPR, LightFM) update shared vectors from racing threads, so only a single-threaded
    fit gives the same weights, and therefore the same evaluation table, run after run."""
    models = {}
    for spec in specs:
        if progress:
            progress(f"fitting {spec_key(spec)}")
        model = make_model(spec.name, _single_threaded(spec) if deterministic else spec.params)
        with threadpool_limits(1) if deterministic else nullcontext():
            model.fit(matrix, features=features, user_features=user_features, seed=seed)
        models[spec_key(spec)] = model
    return models


def _single_threaded(spec: ModelSpec) -> dict[str, Param]:
    takes_threads = "threads" in REGISTRY[spec.name].defaults if spec.name in REGISTRY else False
    return {**spec.params, "threads": 1} if takes_threads else dict(spec.params)


def fit_weights(
    parts: dict[str, np.ndarray],
    relevant: list[set[int]],
    *,
    k: int = 10,
    candidates: int = 50,
    rounds: int = 3,
) -> dict[str, float]:
    """Coordinate ascent on NDCG@k over each user's pooled top-``candidates`` items of every model."""
    keys = list(parts)
    n_users = len(relevant)
    candidates = min(candidates, next(iter(parts.values())).shape[1] - 1)  # small catalogues
    pools = []
    for u in range(n_users):
        pool: set[int] = set()
        for key in keys:
            row = parts[key][u]
            pool.update(np.argpartition(-row, candidates)[:candidates].tolist())
        pools.append(np.fromiter(pool, dtype=np.int64))
    width = max(len(p) for p in pools)
    cand = np.zeros((n_users, width), dtype=np.int64)
    valid = np.zeros((n_users, width), dtype=bool)
    for u, members in enumerate(pools):
        cand[u, : len(members)] = members
        valid[u, : len(members)] = True
    stacked = np.stack([np.take_along_axis(parts[key], cand, axis=1) for key in keys])
    stacked = np.where(np.isfinite(stacked), stacked, -1e3).astype(np.float32)
    hit = np.array(
        [[valid[u, j] and cand[u, j] in relevant[u] for j in range(width)] for u in range(n_users)]
    )
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.array([discounts[: min(k, len(r))].sum() if r else 1.0 for r in relevant])

    def ndcg(w: np.ndarray) -> float:
        total = np.tensordot(w.astype(np.float32), stacked, axes=1)
        total[~valid] = -np.inf
        top = np.argpartition(-total, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(total, top, axis=1), axis=1)
        gains = np.take_along_axis(hit, np.take_along_axis(top, order, axis=1), axis=1)
        return float(((gains * discounts).sum(axis=1) / ideal).mean())

    singles = [ndcg(np.eye(len(keys))[i]) for i in range(len(keys))]
    weights = np.eye(len(keys))[int(np.argmax(singles))]
    best = max(singles)
    for _ in range(rounds):
        improved = False
        for i in range(len(keys)):
            for value in WEIGHT_GRID:
                trial = weights.copy()
                trial[i] = value
                if trial.sum() == 0:
                    continue
                score = ndcg(trial)
                if score > best + 1e-6:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    weights = weights / weights.sum()
    return {key: float(w) for key, w in zip(keys, weights, strict=True)}


def fit_blend(
    matrix: sp.csr_matrix,
    features: ItemFeatures | None,
    config: RecommenderConfig,
    *,
    user_features: sp.csr_matrix | None = None,
    progress: Progress | None = None,
) -> tuple[Blend, dict[str, float]]:
    """Fit weights on a validation split of ``matrix`` (unless pinned), then the weighted models on all of it.

    ``user_features`` (users x features, rows aligned with ``matrix``) reaches the models that use them.
    Returns the blend and a report for the manifest: validation NDCG@10 of each model and of the blend.
    """
    report: dict[str, float] = {}
    if config.weights is not None:
        weights = dict(config.weights)
    else:
        sampled = _validation_split(matrix, config)
        if sampled is None:
            # Too little data to fit weights honestly: every model counts the same, and the report says so.
            weights = {spec_key(s): 1.0 / len(config.models) for s in config.models}
            report["validation_users"] = 0.0
        else:
            split, rows = sampled
            sample_features = None if user_features is None else sp.csr_matrix(user_features[rows])
            weights = _fit_weights_on(split, features, sample_features, config, report, progress)
    active = tuple(s for s in config.models if weights.get(spec_key(s), 0.0) > 0)
    models = fit_models(
        active,
        matrix,
        features,
        seed=config.seed,
        user_features=user_features,
        deterministic=config.deterministic,
        progress=progress,
    )
    weights = {k: w for k, w in weights.items() if k in models}
    return _assemble(models, weights, matrix, features, config), report


MIN_VALIDATION_USERS = 10


def _validation_split(matrix: sp.csr_matrix, config: RecommenderConfig) -> tuple[Split, np.ndarray] | None:
    """A per-user holdout inside the training data and the matrix rows it covers; relaxes the minimum
    history for small data sets and gives up (None) when even that leaves fewer than
    ``MIN_VALIDATION_USERS`` users to judge weights on."""
    rows = np.arange(matrix.shape[0])
    if matrix.shape[0] > config.validation_max_users:
        # Weights transfer across users; fitting the validation models on a user sample bounds their cost.
        rng = np.random.default_rng(config.seed)
        rows = np.sort(rng.choice(matrix.shape[0], config.validation_max_users, replace=False))
        matrix = matrix[rows]
    for min_items in (config.validation_min_items, 4):
        split = per_user_holdout(
            matrix, fraction=config.validation_fraction, min_items=min_items, seed=config.seed
        )
        if len(split.test_users) >= MIN_VALIDATION_USERS:
            return split, rows
    return None


def _fit_weights_on(
    split: Split,
    features: ItemFeatures | None,
    user_features: sp.csr_matrix | None,
    config: RecommenderConfig,
    report: dict[str, float],
    progress: Progress | None,
) -> dict[str, float]:
    users = split.test_users
    if len(users) > config.validation_users:
        rng = np.random.default_rng(config.seed)
        users = np.sort(rng.choice(users, size=config.validation_users, replace=False))
    models = fit_models(
        config.models,
        split.train,
        features,
        seed=config.seed,
        user_features=user_features,
        deterministic=config.deterministic,
        progress=progress,
    )
    val_blend = _assemble(models, {k: 1.0 for k in models}, split.train, features, config)
    if progress:
        progress("fitting blend weights")
    rows = split.train[users]
    parts = val_blend.model_scores(rows, users=users, exclude=rows, keys=list(models))
    test = split.test[users]
    relevant = [set(test.indices[test.indptr[u] : test.indptr[u + 1]].tolist()) for u in range(len(users))]
    weights = fit_weights(parts, relevant)
    for key, part in parts.items():
        report[f"val_ndcg10_{key}"] = float(per_user_ndcg(top_k_rows(part, 10), relevant, 10).mean())
    total = sum(np.float32(w) * parts[key] for key, w in weights.items() if w > 0)
    report["val_ndcg10_blend"] = float(per_user_ndcg(top_k_rows(total, 10), relevant, 10).mean())
    report["validation_users"] = float(len(users))
    return weights


def _assemble(
    models: dict[str, Model],
    weights: dict[str, float],
    matrix: sp.csr_matrix,
    features: ItemFeatures | None,
    config: RecommenderConfig,
) -> Blend:
    warm = np.diff(matrix.tocsc().indptr) > 0
    if features is None:
        cold, mapping = np.zeros(0, dtype=np.int64), sp.csr_matrix((matrix.shape[1], 0), dtype=np.float32)
    else:
        cold, mapping = cold_neighbor_map(features, warm, k=config.cold_neighbors)
    return Blend(models=models, weights=weights, cold_items=cold, cold_map=mapping)
