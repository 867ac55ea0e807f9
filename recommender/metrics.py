"""Ranking metrics with binary relevance: P@K, R@K, NDCG@K, MAP@K, catalogue coverage and novelty."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True, kw_only=True)
class RankingMetrics:
    """Means over the evaluated users; ``coverage`` is the share of candidate items recommended to anyone,
    ``novelty`` the mean self-information −log2(popularity share) of recommended items."""

    k: int
    users: int
    precision: float
    recall: float
    ndcg: float
    map: float
    coverage: float
    novelty: float


def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` largest scores, best first (argpartition, not a full sort)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def per_user_ndcg(top: np.ndarray, relevant: list[set[int]], k: int) -> np.ndarray:
    """NDCG@k of each row of ``top`` (item indices, best first) against its relevant set."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    out = np.zeros(len(relevant))
    for u, rel in enumerate(relevant):
        if not rel:
            continue
        hits = np.fromiter((i in rel for i in top[u, :k]), dtype=bool, count=min(k, top.shape[1]))
        ideal = discounts[: min(k, len(rel))].sum()
        out[u] = (discounts[: len(hits)][hits]).sum() / ideal
    return out


def ranking_metrics(
    top: np.ndarray,
    test: sp.csr_matrix,
    *,
    k: int,
    popularity: np.ndarray,
    n_train_users: int,
    n_candidates: int,
) -> RankingMetrics:
    """Metrics for ``top`` (rows aligned with ``test`` rows, item indices best first, -1 for none)."""
    relevant = [set(test.indices[test.indptr[u] : test.indptr[u + 1]].tolist()) for u in range(test.shape[0])]
    top = top[:, :k]
    precision, recall, average_precision = [], [], []
    for u, rel in enumerate(relevant):
        hits = np.array([i in rel for i in top[u]], dtype=bool)
        precision.append(hits.sum() / k)
        recall.append(hits.sum() / len(rel))
        ranks = np.flatnonzero(hits) + 1
        average_precision.append((np.arange(1, len(ranks) + 1) / ranks).sum() / min(k, len(rel)))
    shown = top[top >= 0]
    share = (popularity[shown] + 1.0) / (n_train_users + 1.0)
    return RankingMetrics(
        k=k,
        users=len(relevant),
        precision=float(np.mean(precision)),
        recall=float(np.mean(recall)),
        ndcg=float(per_user_ndcg(top, relevant, k).mean()),
        map=float(np.mean(average_precision)),
        coverage=float(len(np.unique(shown)) / max(1, n_candidates)),
        novelty=float(np.mean(-np.log2(share))) if len(shown) else 0.0,
    )
