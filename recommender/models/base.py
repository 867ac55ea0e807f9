"""The one contract every model honours, so blending, evaluation, saving and tests treat them alike.

A model is fit on a CSR matrix of raw play weights (users x items) plus optional item features, and scores
*rows*: a batch of user rows over the same item index. Scoring from rows is what makes fold-in free:
a new listener with five events, or a known one with events added a second ago, is just a row. Models
that learn user vectors also accept ``users`` (training row indices) to use the stored vectors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from recommender.errors import BadConfigError
from recommender.features import ItemFeatures

Param = float | int | str | bool


class Model(ABC):
    """Base of every model. Subclasses declare ``name`` and ``defaults`` (their hyper-parameters)."""

    name: ClassVar[str]
    defaults: ClassVar[dict[str, Param]] = {}

    def __init__(self, **params: Param) -> None:
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise BadConfigError(f"{self.name}: unknown hyper-parameters {sorted(unknown)}")
        self.params: dict[str, Param] = {**self.defaults, **params}
        self.n_items = 0

    @abstractmethod
    def fit(
        self,
        user_items: sp.csr_matrix,
        *,
        features: ItemFeatures | None = None,
        user_features: sp.csr_matrix | None = None,
        seed: int = 0,
    ) -> None:
        """Learn from raw play weights; ``features`` rows align with the item columns and ``user_features``
        (a binary users x features incidence, see ``recommender.user_features``) with the user rows.
        Models without a use for side information ignore it."""

    @abstractmethod
    def score(self, rows: sp.csr_matrix, *, users: np.ndarray | None = None) -> np.ndarray:
        """Scores (len(rows), n_items), float32; higher is better. Rows are raw play weights."""

    def item_similarity(self, item: int) -> np.ndarray:
        """Similarity of ``item`` to every item (n_items,), for ``similar_items`` and explanations."""
        raise NotImplementedError(f"{self.name} has no item-item similarity")

    def similarity_to(self, item: int, others: np.ndarray) -> np.ndarray:
        """``item_similarity(item)[others]``: what an explanation reads for a user's history. Models with
        sparse similarities override it to skip the dense vector (it is asked for every ranked track)."""
        picked: np.ndarray = self.item_similarity(item)[others]
        return picked

    def similar_items(self, item: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` items most similar to ``item`` (itself left out), as (indices, scores)."""
        sims = self.item_similarity(item).astype(np.float32, copy=True)
        sims[item] = -np.inf
        return top_n(sims, n)

    @abstractmethod
    def state(self) -> dict[str, np.ndarray]:
        """The learned arrays, saved to ``.npz`` (numeric or fixed-width string dtypes only)."""

    @abstractmethod
    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state` returned."""


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``n`` largest finite scores, best first."""
    finite = np.isfinite(scores)
    n = int(min(n, finite.sum()))
    if n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    part = np.argpartition(-np.where(finite, scores, -np.inf), n - 1)[:n]
    order = part[np.argsort(-scores[part], kind="stable")]
    return order, scores[order]


def csr_state(matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    """A sparse matrix as the plain arrays a bundle stores (``.npz`` holds no scipy objects)."""
    m = sp.csr_matrix(matrix)
    return {
        "data": m.data,
        "indices": m.indices,
        "indptr": m.indptr,
        "shape": np.asarray(m.shape, dtype=np.int64),
    }


def csr_from_state(arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    """The matrix :func:`csr_state` flattened."""
    shape = tuple(int(x) for x in arrays["shape"])
    return sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)


def check_matrix(user_items: sp.spmatrix, *, n_items: int | None = None) -> sp.csr_matrix:
    """Inputs checked once at the entry: a CSR float32 matrix with the expected number of item columns."""
    if not sp.issparse(user_items):
        raise BadConfigError("user_items needs to be a scipy sparse matrix (users x items)")
    matrix = sp.csr_matrix(user_items, dtype=np.float32)
    if n_items is not None and matrix.shape[1] != n_items:
        raise BadConfigError(f"rows have {matrix.shape[1]} item columns, the model has {n_items}")
    return matrix
