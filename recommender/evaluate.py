"""Offline evaluation: every model and baseline side by side on the same seeded splits.

Protocols: ``holdout`` (the hetrec ``SOURCE.md`` protocol: 20% of each user's items with at least 10 items
held out, rank every item the user has not played in training) and ``cold`` (10% of items held out
entirely; each user's held-out items are ranked among all held-out items from tags/audio only). Each
model sees the test holdout once; the blend fits its weights on a validation split of the training part.
Every fit runs single-threaded (``RecommenderConfig.deterministic``), so a seed gives one table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import polars as pl
import scipy.sparse as sp

from recommender.blend import Blend, Progress, cold_neighbor_map, fit_blend, fit_models
from recommender.config import default_config
from recommender.dataset import build_dataset
from recommender.errors import BadConfigError, BadEventsError
from recommender.features import ItemFeatures
from recommender.metrics import RankingMetrics, ranking_metrics, top_k_rows
from recommender.splits import Split, cold_item_holdout, per_user_holdout
from recommender.types import ModelSpec, RecommenderConfig

Scorer = Callable[[sp.csr_matrix, np.ndarray], np.ndarray]
"""Scores (users x items) for a batch of history rows and the users' indices."""

BLEND = "blend (shipped default)"
BLEND_FRIENDS = "blend + user features (lightfm)"
PROTOCOLS = ("holdout", "cold")

# Baselines at library defaults and the tuned singles; labels are what the table prints.
EVAL_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(name="popularity"),
    ModelSpec(
        name="als",
        label="als (defaults, raw plays)",
        params={"factors": 100, "regularization": 0.01, "alpha": 1.0, "transform": "raw"},
    ),
    ModelSpec(name="als", label="als (64f, log1p, alpha 2)"),
    ModelSpec(name="als", label="als (64f, bm25)", params={"transform": "bm25", "alpha": 1.0}),
    ModelSpec(name="bpr", label="bpr (defaults)"),
    ModelSpec(
        name="lightfm",
        label="lightfm warp",
        params={"use_features": False, "use_user_features": False, "epochs": 20},
    ),
    ModelSpec(name="lightfm", label="lightfm warp + tags", params={"use_user_features": False, "epochs": 20}),
    # Only where a user table is given (hetrec: one ``friend:<id>`` feature per friend).
    ModelSpec(
        name="lightfm",
        label="lightfm warp + tags + friends",
        params={"use_user_features": True, "epochs": 20},
    ),
    ModelSpec(name="ease", label="ease (l2 150)"),
    ModelSpec(
        name="itemknn",
        label="itemknn (cosine, bm25)",
        params={"similarity": "cosine", "transform": "bm25", "k": 100},
    ),
    ModelSpec(name="itemknn", label="rp3beta (beta 0.3)"),
    ModelSpec(name="content", label="content (tags/audio)"),
)


@dataclass(frozen=True, kw_only=True)
class EvaluationRow:
    protocol: str
    model: str
    metrics: RankingMetrics
    fit_s: float


def _single(
    spec: ModelSpec,
    train: sp.csr_matrix,
    features: ItemFeatures,
    user_features: sp.csr_matrix,
    config: RecommenderConfig,
) -> Blend:
    """One model as a one-member blend, so cold items get the same content-neighbour mapping."""
    models = fit_models(
        (spec,),
        train,
        features,
        seed=config.seed,
        user_features=user_features,
        deterministic=config.deterministic,
    )
    warm = np.diff(train.tocsc().indptr) > 0
    cold, mapping = cold_neighbor_map(features, warm, k=config.cold_neighbors)
    key = next(iter(models))
    return Blend(models=models, weights={key: 1.0}, cold_items=cold, cold_map=mapping)


def _score_split(scorer: Scorer, split: Split, *, k: int, batch: int = 512) -> np.ndarray:
    """Top-k item indices per test user; candidates are unplayed items (holdout) or the cold items."""
    tops = []
    for start in range(0, len(split.test_users), batch):
        users = split.test_users[start : start + batch]
        rows = split.train[users]
        scores = scorer(rows, users)
        if len(split.cold_items):
            tops.append(split.cold_items[top_k_rows(scores[:, split.cold_items], k)])
        else:
            coo = rows.tocoo()
            scores[coo.row, coo.col] = -np.inf
            tops.append(top_k_rows(scores, k))
    return np.vstack(tops)


def _tag_count_scorer(features: ItemFeatures) -> Scorer:
    """A popularity proxy a never-played item does have: how many tags it carries."""
    counts = np.diff(features.tags.indptr).astype(np.float32)
    return lambda rows, users: np.broadcast_to(counts, (rows.shape[0], len(counts))).copy()


def sample_users(events: pl.DataFrame, n: int, *, seed: int = 0) -> pl.DataFrame:
    """The events of ``n`` users drawn with ``seed`` (all of them when there are fewer): a quick run."""
    users = events.get_column("user_id").unique().sort()
    if n >= len(users):
        return events
    keep = users.sample(n, seed=seed)
    return events.filter(pl.col("user_id").is_in(keep.implode()))


def _needs_user_features(spec: ModelSpec) -> bool:
    return spec.params.get("use_user_features") is True


def evaluate(
    events: pl.DataFrame,
    items: pl.DataFrame | None = None,
    users: pl.DataFrame | None = None,
    *,
    protocols: tuple[str, ...] = PROTOCOLS,
    models: tuple[ModelSpec, ...] = EVAL_MODELS,
    config: RecommenderConfig | None = None,
    k: int = 10,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[EvaluationRow]:
    """Fit and score every model (and the shipped blend) under each protocol; seeds fixed, fits
    single-threaded, so two runs print the same table. Rows that need user features (``users``, see
    ``recommender.user_features``) are left out when none are given."""
    config = config or default_config(seed=seed, deterministic=True)
    data = build_dataset(events, items, users)
    matrix, features, user_features = data.rows.weights, data.features, data.user_features.matrix
    if not user_features.shape[1]:
        models = tuple(s for s in models if not _needs_user_features(s))
    out = []
    rng = np.random.default_rng(seed)
    for protocol in protocols:
        if protocol == "holdout":
            split = per_user_holdout(matrix, fraction=0.2, min_items=10, seed=seed)
        elif protocol == "cold":
            split = cold_item_holdout(matrix, fraction=0.1, seed=seed)
        else:
            raise BadConfigError(f"unknown protocol {protocol!r}; known: {PROTOCOLS}")
        if not len(split.test_users):
            raise BadEventsError(
                f"the {protocol} protocol found no users to test: it needs users with at least 10 items"
            )
        popularity = np.diff(split.train.tocsc().indptr).astype(np.float64)
        n_candidates = len(split.cold_items) if len(split.cold_items) else matrix.shape[1]
        entries: list[tuple[str, Callable[[], Scorer]]] = []
        if protocol == "cold":
            entries.append(
                ("random", lambda: lambda rows, users: rng.random((rows.shape[0], matrix.shape[1])))
            )
            entries.append(("tag count (popularity proxy)", lambda: _tag_count_scorer(features)))
        for spec in models:
            entries.append(
                (
                    spec.label or spec.name,
                    _single_factory(spec, split, features, user_features, config, protocol),
                )
            )
        entries.append((BLEND, _blend_factory(split, features, user_features, config)))
        if user_features.shape[1]:
            with_users = _with_user_features(config)
            entries.append((BLEND_FRIENDS, _blend_factory(split, features, user_features, with_users)))
        for label, factory in entries:
            if progress:
                progress(f"{protocol}: {label}")
            start = time.perf_counter()
            scorer = factory()
            fit_s = time.perf_counter() - start
            top = _score_split(scorer, split, k=k)
            metrics = ranking_metrics(
                top,
                split.test[split.test_users],
                k=k,
                popularity=popularity,
                n_train_users=matrix.shape[0],
                n_candidates=n_candidates,
            )
            out.append(EvaluationRow(protocol=protocol, model=label, metrics=metrics, fit_s=fit_s))
    return out


def _single_factory(
    spec: ModelSpec,
    split: Split,
    features: ItemFeatures,
    user_features: sp.csr_matrix,
    config: RecommenderConfig,
    protocol: str,
) -> Callable[[], Scorer]:
    def build() -> Scorer:
        blend = _single(spec, split.train, features, user_features, config)
        if protocol == "holdout" or spec.name in ("content", "lightfm"):
            model = next(iter(blend.models.values()))
            return lambda rows, users: model.score(
                rows, users=users if hasattr(model, "user_factors") else None
            )
        return lambda rows, users: blend.score(rows, users=users)

    return build


def _blend_factory(
    split: Split, features: ItemFeatures, user_features: sp.csr_matrix, config: RecommenderConfig
) -> Callable[[], Scorer]:
    def build() -> Scorer:
        blend, _ = fit_blend(split.train, features, config, user_features=user_features)
        return lambda rows, users: blend.score(rows, users=users, exclude=rows)

    return build


def _with_user_features(config: RecommenderConfig) -> RecommenderConfig:
    """The same blend with its LightFM learning from user features (the default leaves them out)."""
    models = tuple(
        replace(s, params={**s.params, "use_user_features": True}) if s.name == "lightfm" else s
        for s in config.models
    )
    return replace(config, models=models)


def format_table(rows: list[EvaluationRow]) -> str:
    """One plain-text table, every model and baseline side by side, grouped by protocol."""
    k = rows[0].metrics.k
    header = f"| protocol | model | P@{k} | R@{k} | NDCG@{k} | MAP@{k} | coverage | novelty | users | fit s |"
    lines = [header, "|" + "---|" * 10]
    for r in rows:
        m = r.metrics
        lines.append(
            f"| {r.protocol} | {r.model} | {m.precision:.4f} | {m.recall:.4f} | {m.ndcg:.4f} | {m.map:.4f} | "
            f"{m.coverage:.3f} | {m.novelty:.2f} | {m.users} | {r.fit_s:.1f} |"
        )
    return "\n".join(lines)
