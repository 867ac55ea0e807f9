"""Latent-factor models: implicit ALS, implicit BPR and LightFM WARP (with item and user features).

Each learns item vectors (and an item bias for LightFM); a user vector is either the stored one from
training or folded in from the user's row by one regularised least-squares solve against the frozen
item vectors (the ALS user step), which is how new events change a ranking without retraining.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recommender.errors import BadConfigError
from recommender.features import ItemFeatures
from recommender.interactions import confidence
from recommender.models.base import Model, Param, check_matrix


def fold_in(item_factors: np.ndarray, rows: sp.csr_matrix, *, gram: np.ndarray) -> np.ndarray:
    """User vectors that best explain ``rows`` (confidences) under the implicit-ALS objective.

    Matches implicit's user step: A = YᵀY + λI + Σ (c_i - 1) y_i y_iᵀ, b = Σ c_i y_i, with
    ``gram`` = YᵀY + λI computed once per model (it is most of the work for a short history).
    """
    out = np.zeros((rows.shape[0], item_factors.shape[1]), dtype=np.float32)
    for u in range(rows.shape[0]):
        start, end = rows.indptr[u], rows.indptr[u + 1]
        if start == end:
            continue
        idx, c = rows.indices[start:end], rows.data[start:end]
        y = item_factors[idx]
        a = gram + (y.T * (c - 1.0)) @ y
        out[u] = np.linalg.solve(a, y.T @ c)
    return out


ITEM_CHUNK = 1024
"""Items per slice in :func:`per_user_products`: a slice of item vectors (at most 100 factors, 400 KB)
stays in cache while every user of the block is multiplied with it."""


def per_user_products(item_factors: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(users, items) dot products of each user vector with every item vector, computed as one
    matrix-vector product per user and slice of items. Why not one matrix-matrix product: BLAS tiles
    sum in an order that depends on the whole block, so a user's scores would change in the last bits
    with the users scored beside them, and a batch job must rank exactly as a single request does.
    The item slices keep the item vectors in cache across the block: about half the speed of the
    matrix-matrix product instead of a fifth for a plain per-user loop. A lone user (a request) gains
    nothing from slices and takes one product; slices start at multiples of 1024, so a kernel that works
    through rows in aligned groups sums each item's dot product as the whole-matrix call does."""
    n_items = item_factors.shape[0]
    out = np.empty((vectors.shape[0], n_items, 1), dtype=np.result_type(item_factors, vectors))
    columns = vectors[:, :, None]
    chunk = ITEM_CHUNK if vectors.shape[0] > 1 else max(1, n_items)
    for start in range(0, n_items, chunk):
        stop = start + chunk
        np.matmul(item_factors[start:stop], columns, out=out[:, start:stop])
    products: np.ndarray = out[:, :, 0]
    return products


class FactorModel(Model):
    """Shared scoring, fold-in, similarity and persistence for models made of user and item vectors."""

    user_factors: np.ndarray
    item_factors: np.ndarray
    item_bias: np.ndarray

    def _confidence(self, rows: sp.csr_matrix) -> sp.csr_matrix:
        conf = confidence(rows, str(self.params.get("transform", "binary")))
        conf.data *= np.float32(self.params.get("alpha", 1.0))
        return conf

    def fold_in(self, rows: sp.csr_matrix) -> np.ndarray:
        """User vectors for rows not seen in training: the ALS user step on the frozen item vectors."""
        if getattr(self, "_gram", None) is None:
            k = self.item_factors.shape[1]
            regularization = float(self.params.get("regularization", 0.01))
            self._gram = self.item_factors.T @ self.item_factors + regularization * np.eye(
                k, dtype=np.float32
            )
        return fold_in(self.item_factors, self._confidence(rows), gram=self._gram)

    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        if users is not None:
            vectors = self.user_factors[users]
        else:
            vectors = self.fold_in(check_matrix(rows, n_items=self.n_items))
        scores = per_user_products(self.item_factors, np.asarray(vectors, dtype=self.item_factors.dtype))
        scores += self.item_bias
        out: np.ndarray = scores.astype(np.float32, copy=False)
        return out

    def item_similarity(self, item: int) -> np.ndarray:
        norms = np.linalg.norm(self.item_factors, axis=1) + 1e-9
        cosine: np.ndarray = (self.item_factors @ self.item_factors[item]) / (norms * norms[item])
        return cosine

    def state(self) -> dict[str, np.ndarray]:
        return {
            "user_factors": self.user_factors,
            "item_factors": self.item_factors,
            "item_bias": self.item_bias,
        }

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self._gram = None
        self.user_factors = arrays["user_factors"]
        self.item_factors = arrays["item_factors"]
        self.item_bias = arrays["item_bias"]
        self.n_items = self.item_factors.shape[0]


def epochs_within_budget(epochs: int, nnz: int, max_samples: Param) -> int:
    """Passes over the data, capped so ``passes * nnz <= max_samples``: SGD models on ten million events
    get a few passes instead of a hundred, which keeps training in minutes on two cores."""
    return max(1, min(epochs, int(float(max_samples) // max(nnz, 1))))


def mean_of_items(item_factors: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
    """The log1p-weighted mean of the history's item vectors: a fold-in for ranking-loss models (BPR,
    WARP), whose vectors are not least-squares fits, so the ALS user step over-weights their geometry."""
    weights = sp.csr_matrix(rows, dtype=np.float32, copy=True)
    weights.data = np.log1p(weights.data)
    sums = np.asarray(weights.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    # The row scaling as a CSR diagonal built directly: the same product as ``sp.diags(1 / sums)`` (what
    # that converts to before multiplying), without the DIA detour that cost a fifth of a millisecond.
    n = len(sums)
    scale = sp.csr_matrix((1.0 / sums, np.arange(n), np.arange(n + 1)), shape=(n, n))
    return np.asarray(scale @ weights @ item_factors, dtype=np.float32)


class ALSModel(FactorModel):
    """implicit's ALS on ``alpha * transform(plays)`` confidences (transform chosen by evaluation)."""

    name = "als"
    defaults: ClassVar[dict[str, Param]] = {
        "factors": 64,
        "regularization": 0.05,
        "alpha": 2.0,
        "iterations": 15,
        "transform": "log1p",
        "threads": 0,  # 0: every core (implicit's default); 1 makes the fit reproducible bit for bit
    }

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        matrix = check_matrix(user_items)
        model = AlternatingLeastSquares(
            factors=int(self.params["factors"]),
            regularization=float(self.params["regularization"]),
            alpha=float(self.params["alpha"]),
            iterations=int(self.params["iterations"]),
            num_threads=int(self.params["threads"]),
            random_state=seed,
        )
        # implicit parallelises over users itself; a threaded BLAS underneath only oversubscribes the cores.
        with threadpool_limits(1, "blas"):
            model.fit(confidence(matrix, str(self.params["transform"])), show_progress=False)
        self.user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self._gram: np.ndarray | None = None
        self.item_bias = np.zeros(matrix.shape[1], dtype=np.float32)
        self.n_items = matrix.shape[1]


class BPRModel(FactorModel):
    """implicit's BPR (pairwise ranking on binary interactions); the last item column is its item bias."""

    name = "bpr"
    defaults: ClassVar[dict[str, Param]] = {
        "factors": 100,
        "learning_rate": 0.01,
        "regularization": 0.01,
        "iterations": 100,
        "max_samples": 2e8,
        "threads": 0,  # 0: every core; threads race on shared vectors (hogwild), so only 1 is reproducible
    }

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        matrix = check_matrix(user_items)
        model = BayesianPersonalizedRanking(
            factors=int(self.params["factors"]),
            learning_rate=float(self.params["learning_rate"]),
            regularization=float(self.params["regularization"]),
            iterations=epochs_within_budget(
                int(self.params["iterations"]), matrix.nnz, self.params["max_samples"]
            ),
            num_threads=int(self.params["threads"]),
            random_state=seed,
        )
        model.fit(confidence(matrix, "binary"), show_progress=False)
        self.user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self.item_bias = np.zeros(matrix.shape[1], dtype=np.float32)
        self.n_items = matrix.shape[1]

    def fold_in(self, rows: sp.csr_matrix) -> np.ndarray:
        vectors = mean_of_items(self.item_factors, rows)
        vectors[:, -1] = 1.0  # implicit's BPR keeps the user's last factor at 1 to carry the item bias
        return vectors


class LightFMModel(FactorModel):
    """LightFM WARP. Items are represented by an identity feature plus their tags (and audio embedding),
    so a track nobody has played still gets a vector from its tags. Users, where a feature table was
    given, by an identity feature plus their features (friends), so friends' tastes shape a sparse
    listener's vector; a listener without features (or new since training) is served exactly as before."""

    name = "lightfm"
    defaults: ClassVar[dict[str, Param]] = {
        "components": 64,
        "epochs": 30,
        "learning_rate": 0.05,
        "item_alpha": 1e-6,
        "feature_weight": 0.5,
        "use_features": True,
        "use_user_features": True,
        "user_feature_weight": 0.5,
        "threads": 2,  # threads race on shared vectors (hogwild), so only 1 is reproducible
        "max_samples": 3e7,
    }

    def _item_feature_matrix(self, n_items: int, features: ItemFeatures | None) -> sp.csr_matrix:
        blocks: list[sp.spmatrix] = [sp.identity(n_items, format="csr", dtype=np.float32)]
        if features is not None and bool(self.params["use_features"]):
            w = np.float32(self.params["feature_weight"])
            blocks.append(features.tags * w)
            if features.audio.shape[1]:
                blocks.append(sp.csr_matrix(features.audio * w))
        return sp.csr_matrix(sp.hstack(blocks), dtype=np.float32)

    def _user_feature_matrix(self, user_features: sp.csr_matrix | None) -> sp.csr_matrix | None:
        """Identity plus features, each row summing to 1 (LightFM's advice for feature matrices, which
        its ``Dataset`` applies too): the identity keeps ``1 / (1 + w)`` and the user's features share
        ``w / (1 + w)``, so a user with 40 friends is not drowned out by them. ``None`` (LightFM's plain
        identity) when there are no features to add."""
        if user_features is None or not user_features.nnz or not bool(self.params["use_user_features"]):
            return None
        n_users = user_features.shape[0]
        incidence = sp.csr_matrix(user_features, dtype=np.float32)
        counts = np.diff(incidence.indptr).astype(np.float32)
        w = float(self.params["user_feature_weight"])
        share = np.where(counts > 0, w / np.maximum(counts, 1.0), 0.0).astype(np.float32)
        stacked = sp.hstack(
            [sp.identity(n_users, format="csr", dtype=np.float32), sp.diags(share) @ incidence]
        )
        total = np.where(counts > 0, 1.0 + w, 1.0).astype(np.float32)
        return sp.csr_matrix(sp.diags(1.0 / total) @ stacked, dtype=np.float32)

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        from lightfm import LightFM

        matrix = check_matrix(user_items)
        if user_features is not None and user_features.shape[0] != matrix.shape[0]:
            raise BadConfigError(
                f"user_features has {user_features.shape[0]} rows for {matrix.shape[0]} users"
            )
        item_features = self._item_feature_matrix(matrix.shape[1], features)
        user_matrix = self._user_feature_matrix(user_features)
        model = LightFM(
            no_components=int(self.params["components"]),
            loss="warp",
            learning_rate=float(self.params["learning_rate"]),
            item_alpha=float(self.params["item_alpha"]),
            random_state=np.random.RandomState(seed),
        )
        model.fit(
            confidence(matrix, "binary").tocoo(),
            item_features=item_features,
            user_features=user_matrix,
            epochs=epochs_within_budget(int(self.params["epochs"]), matrix.nnz, self.params["max_samples"]),
            num_threads=int(self.params["threads"]),
        )
        self.item_bias, item_vectors = model.get_item_representations(item_features)
        _, user_vectors = model.get_user_representations(user_matrix)
        self.item_bias = self.item_bias.astype(np.float32)
        self.item_factors = np.ascontiguousarray(item_vectors, dtype=np.float32)
        self.user_factors = np.ascontiguousarray(user_vectors, dtype=np.float32)
        self.n_items = matrix.shape[1]

    def fold_in(self, rows: sp.csr_matrix) -> np.ndarray:
        return mean_of_items(self.item_factors, rows)
