"""Evaluation splits on a user-item matrix, seeded so every run sees the same holdout.

``per_user_holdout`` is the protocol of the hetrec ``SOURCE.md`` (20% of each user's items, users with at
least 10 items); the blend uses it a second time *inside* the training data to fit its weights, so the
test holdout is touched once per model. ``cold_item_holdout`` removes 10% of items entirely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True, kw_only=True)
class Split:
    """``train`` and ``test`` have the full shape; ``test_users`` are the rows with held-out items and
    ``cold_items`` the columns removed entirely (empty for a per-user holdout)."""

    train: sp.csr_matrix
    test: sp.csr_matrix
    test_users: np.ndarray
    cold_items: np.ndarray


def per_user_holdout(
    matrix: sp.csr_matrix, *, fraction: float = 0.2, min_items: int = 10, seed: int = 0
) -> Split:
    rng = np.random.default_rng(seed)
    matrix = sp.csr_matrix(matrix)
    test_mask = np.zeros(matrix.nnz, dtype=bool)
    users = []
    for u in range(matrix.shape[0]):
        start, end = matrix.indptr[u], matrix.indptr[u + 1]
        n = end - start
        if n < min_items:
            continue
        k = max(1, round(fraction * n))
        test_mask[start + rng.choice(n, size=k, replace=False)] = True
        users.append(u)
    return Split(
        train=_subset(matrix, ~test_mask),
        test=_subset(matrix, test_mask),
        test_users=np.asarray(users, dtype=np.int64),
        cold_items=np.zeros(0, dtype=np.int64),
    )


def cold_item_holdout(matrix: sp.csr_matrix, *, fraction: float = 0.1, seed: int = 0) -> Split:
    """Hold out ``fraction`` of the items that have interactions; all their interactions go to test."""
    rng = np.random.default_rng(seed)
    matrix = sp.csr_matrix(matrix)
    played = np.flatnonzero(np.diff(matrix.tocsc().indptr) > 0)
    cold = np.sort(rng.choice(played, size=max(1, round(fraction * len(played))), replace=False))
    is_cold = np.zeros(matrix.shape[1], dtype=bool)
    is_cold[cold] = True
    test_mask = is_cold[matrix.indices]
    test = _subset(matrix, test_mask)
    return Split(
        train=_subset(matrix, ~test_mask),
        test=test,
        test_users=np.flatnonzero(np.diff(test.indptr) > 0).astype(np.int64),
        cold_items=cold.astype(np.int64),
    )


def _subset(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    coo = matrix.tocoo()
    out = sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape, dtype=np.float32
    )
    out.sort_indices()
    return out
