"""Item-item models: EASE (closed-form linear autoencoder) and sparse item-kNN (cosine or RP3beta).

Both score a user row as ``row @ W`` with an item-item weight matrix, which makes fold-in exact and the
explanation direct: the history item with the largest ``weight * W[i, target]`` is the one to name.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse as sp

from recommender.features import ItemFeatures
from recommender.interactions import confidence
from recommender.models.base import Model, Param, check_matrix, csr_from_state, csr_state


def keep_top_k_per_column(matrix: sp.spmatrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of each column (an item's strongest neighbours), as CSR."""
    csc = sp.csc_matrix(matrix, dtype=np.float32)
    csc.eliminate_zeros()
    data, indices, indptr = [], [], [0]
    for j in range(csc.shape[1]):
        start, end = csc.indptr[j], csc.indptr[j + 1]
        vals, rows = csc.data[start:end], csc.indices[start:end]
        if len(vals) > k:
            top = np.argpartition(-vals, k - 1)[:k]
            vals, rows = vals[top], rows[top]
        data.append(vals)
        indices.append(rows)
        indptr.append(indptr[-1] + len(vals))
    out = sp.csc_matrix(
        (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr),
        shape=csc.shape,
        dtype=np.float32,
    )
    return out.tocsr()


def spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite float32 matrix via Cholesky (potrf + potri): about a
    third of the work of a general inverse, which is what keeps EASE on 8k items within seconds."""
    factor, info = scipy.linalg.lapack.spotrf(matrix, lower=True, overwrite_a=True, clean=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"gram matrix is not positive definite (potrf info {info})")
    inverse, info = scipy.linalg.lapack.spotri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"potri failed (info {info})")
    lower = np.tril(inverse)
    full: np.ndarray = lower + np.tril(lower, -1).T
    return full


class EASEModel(Model):
    """EASE (Steck 2019): B = I - P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, restricted to the ``max_items``
    most-played items with at least ``min_users`` listeners, because the dense inverse is cubic."""

    name = "ease"
    defaults: ClassVar[dict[str, Param]] = {
        "l2": 150.0,
        "max_items": 8000,
        "min_users": 2,
        "transform": "binary",
    }

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        matrix = confidence(check_matrix(user_items), str(self.params["transform"]))
        self.n_items = matrix.shape[1]
        users_per_item = np.diff(matrix.tocsc().indptr)
        eligible = np.flatnonzero(users_per_item >= int(self.params["min_users"]))
        order = eligible[np.argsort(-users_per_item[eligible], kind="stable")]
        self.items = np.sort(order[: int(self.params["max_items"])]).astype(np.int64)
        x = matrix[:, self.items]
        gram = (x.T @ x).toarray().astype(np.float32)
        gram[np.diag_indices_from(gram)] += float(self.params["l2"])
        p = spd_inverse(gram)
        p /= -np.diag(p)
        np.fill_diagonal(p, 0.0)
        self.weights = p

    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        rows = confidence(check_matrix(rows, n_items=self.n_items), str(self.params["transform"]))
        out = np.zeros((rows.shape[0], self.n_items), dtype=np.float32)
        out[:, self.items] = rows[:, self.items] @ self.weights
        return out

    def item_similarity(self, item: int) -> np.ndarray:
        out = np.zeros(self.n_items, dtype=np.float32)
        pos = np.searchsorted(self.items, item)
        if pos < len(self.items) and self.items[pos] == item:
            out[self.items] = self.weights[:, pos]
        return out

    def state(self) -> dict[str, np.ndarray]:
        return {"items": self.items, "weights": self.weights, "n_items": np.array([self.n_items])}

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.items, self.weights = arrays["items"], arrays["weights"]
        self.n_items = int(arrays["n_items"][0])


class ItemKNNModel(Model):
    """Sparse item-item neighbours: ``cosine`` on (BM25-weighted) rows, or ``rp3beta`` (random walk
    item→user→item, damped by target popularity^beta), keeping ``k`` neighbours per item."""

    name = "itemknn"
    defaults: ClassVar[dict[str, Param]] = {
        "similarity": "rp3beta",
        "k": 500,
        "alpha": 1.0,
        "beta": 0.3,
        "transform": "binary",
        "max_users": 10000,
    }

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        matrix = confidence(check_matrix(user_items), str(self.params["transform"]))
        self.n_items = matrix.shape[1]
        if matrix.shape[0] > int(self.params["max_users"]):
            # Co-occurrence cost grows with the square of history lengths; a user sample estimates
            # item-item similarity well at a bounded cost.
            rng = np.random.default_rng(seed)
            matrix = matrix[
                np.sort(rng.choice(matrix.shape[0], int(self.params["max_users"]), replace=False))
            ]
        if self.params["similarity"] == "cosine":
            norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()) + 1e-9
            normed = matrix @ sp.diags(1.0 / norms)
            sims = (normed.T @ normed).tocsr()
        else:
            alpha = float(self.params["alpha"])
            binary = confidence(matrix, "binary")
            user_deg = np.asarray(binary.sum(axis=1)).ravel() + 1e-9
            item_deg = np.asarray(binary.sum(axis=0)).ravel() + 1e-9
            p_ui = sp.diags(1.0 / user_deg) @ binary
            p_iu = sp.diags(1.0 / item_deg) @ binary.T
            if alpha != 1.0:
                p_ui, p_iu = p_ui.power(alpha), p_iu.power(alpha)
            sims = (p_iu @ p_ui).tocsr() @ sp.diags(item_deg ** -float(self.params["beta"]))
        sims = sp.csr_matrix(sims, dtype=np.float32)
        sims.setdiag(0.0)
        # Each source item keeps its k strongest targets (rows), the usual RP3beta/kNN pruning.
        self.weights = keep_top_k_per_column(sims.T, int(self.params["k"])).T.tocsr()
        self._columns = None

    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        rows = confidence(check_matrix(rows, n_items=self.n_items), str(self.params["transform"]))
        return np.asarray((rows @ self.weights).todense(), dtype=np.float32)

    def _column(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        """(sorted source items, weights) of the column of ``item``."""
        columns = getattr(self, "_columns", None)
        if columns is None:
            columns = self.weights.tocsc()  # column access for explanations, built once
            columns.sort_indices()
            self._columns = columns
        start, end = columns.indptr[item], columns.indptr[item + 1]
        return columns.indices[start:end], columns.data[start:end]

    def item_similarity(self, item: int) -> np.ndarray:
        sources, weights = self._column(item)
        out = np.zeros(self.n_items, dtype=np.float32)
        out[sources] = weights
        return out

    def similarity_to(self, item: int, others: np.ndarray) -> np.ndarray:
        sources, weights = self._column(item)
        out = np.zeros(len(others), dtype=np.float32)
        if len(sources):
            at = np.minimum(np.searchsorted(sources, others), len(sources) - 1)
            found = sources[at] == others
            out[found] = weights[at[found]]
        return out

    def state(self) -> dict[str, np.ndarray]:
        return csr_state(self.weights)

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.weights = csr_from_state(arrays)
        self.n_items = self.weights.shape[1]
        self._columns = None
