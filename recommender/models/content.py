"""Content model and popularity: the two models that need no co-listening.

The content model ranks by similarity of tags and audio embeddings to what the user played, so it can
score a track nobody has played yet (cold start) and explain "sounds like" / "tagged like". Popularity
is the baseline and what an unknown listener gets within the requested context.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from recommender.features import ItemFeatures, content_matrix
from recommender.interactions import confidence
from recommender.models.base import Model, Param, check_matrix, csr_from_state, csr_state


class ContentModel(Model):
    """score(u, j) = cos(profile_u, f_j), profile_u = Σ log1p(plays_ui) f_i over the user's history."""

    name = "content"
    defaults: ClassVar[dict[str, Param]] = {"audio_weight": 0.5, "transform": "log1p"}

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        self.n_items = user_items.shape[1]
        if features is None:
            self.features = sp.csr_matrix((self.n_items, 0), dtype=np.float32)
        else:
            self.features = content_matrix(features, audio_weight=float(self.params["audio_weight"]))

    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        rows = confidence(check_matrix(rows, n_items=self.n_items), str(self.params["transform"]))
        profiles = np.asarray((rows @ self.features).todense(), dtype=np.float32)
        profiles /= np.linalg.norm(profiles, axis=1, keepdims=True) + 1e-12
        # sparse (items x features) times a dense block: no transpose or format conversion per request
        return np.ascontiguousarray((self.features @ profiles.T).T, dtype=np.float32)

    def item_similarity(self, item: int) -> np.ndarray:
        return np.asarray((self.features @ self.features[item].T).todense(), dtype=np.float32).ravel()

    def state(self) -> dict[str, np.ndarray]:
        return csr_state(self.features)

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.features = csr_from_state(arrays)
        self.n_items = self.features.shape[0]


class PopularityModel(Model):
    """log1p(number of listeners) per item, the same for every user."""

    name = "popularity"
    defaults: ClassVar[dict[str, Param]] = {}

    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        matrix = check_matrix(user_items)
        self.n_items = matrix.shape[1]
        self.popularity = np.log1p(np.diff(matrix.tocsc().indptr)).astype(np.float32)

    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        scores: np.ndarray = np.broadcast_to(self.popularity, (rows.shape[0], self.n_items)).copy()
        return scores

    def state(self) -> dict[str, np.ndarray]:
        return {"popularity": self.popularity}

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.popularity = arrays["popularity"]
        self.n_items = self.popularity.shape[0]
