"""Optional user side information (social ties, sign-up answers) as a sparse matrix over the user order.

The table a caller passes is ``user_id: str, features: list[str]``: one row per user, each feature an
opaque string such as ``friend:<id>`` (hetrec's ``user_friends.dat``) or ``country:se``. Only LightFM uses
it (users who share a feature share that feature's embedding, so a listener's friends pull their vector
toward each other). Users absent from the table, and listeners who arrive later, simply have no features:
they are served by their trained vector or the usual fold-in from their history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from recommender.errors import BadUsersError

# A feature held by a single user carries no shared signal (it is a second identity column): dropped.
MIN_USERS_PER_FEATURE = 2


@dataclass(frozen=True, kw_only=True)
class UserFeatures:
    """``matrix``: (n_users, len(vocab)) binary incidence, rows in the recommender's user order."""

    matrix: sp.csr_matrix
    vocab: list[str]

    @classmethod
    def empty(cls, n_users: int) -> UserFeatures:
        return cls(matrix=sp.csr_matrix((n_users, 0), dtype=np.float32), vocab=[])

    def rows(self, users: np.ndarray) -> UserFeatures:
        """The same features for a subset of users (a validation sample), vocabulary unchanged."""
        return UserFeatures(matrix=sp.csr_matrix(self.matrix[users]), vocab=self.vocab)

    def grown(self, n_users: int) -> UserFeatures:
        """Zero rows appended for users added since training (they have no features)."""
        extra = n_users - self.matrix.shape[0]
        if extra <= 0:
            return self
        pad = sp.csr_matrix((extra, self.matrix.shape[1]), dtype=np.float32)
        return UserFeatures(matrix=sp.csr_matrix(sp.vstack([self.matrix, pad])), vocab=self.vocab)


def check_users(users: pl.DataFrame) -> pl.DataFrame:
    """Validate the table at the entry: ``user_id`` (string) and ``features`` (list of strings)."""
    missing = {"user_id", "features"} - set(users.columns)
    if missing:
        raise BadUsersError(f"users need columns user_id and features; missing {sorted(missing)}")
    if not isinstance(users.schema["features"], pl.List):
        raise BadUsersError(f"users.features must be a list of strings, got {users.schema['features']}")
    return users.select(
        pl.col("user_id").cast(pl.Utf8), pl.col("features").cast(pl.List(pl.Utf8)).fill_null([])
    )


def build_user_features(users: pl.DataFrame | None, user_ids: list[str]) -> UserFeatures:
    """Features of ``user_ids`` in order; users outside ``user_ids`` are ignored, repeated rows merged."""
    if users is None or users.height == 0:
        return UserFeatures.empty(len(user_ids))
    index = {u: i for i, u in enumerate(user_ids)}
    pairs = (
        check_users(users)
        .filter(pl.col("user_id").is_in(list(index)))
        .explode("features")
        .drop_nulls("features")
        .unique(["user_id", "features"])
    )
    counts = pairs.group_by("features").len().filter(pl.col("len") >= MIN_USERS_PER_FEATURE)
    vocab = sorted(counts.get_column("features").to_list())
    column = {f: j for j, f in enumerate(vocab)}
    kept = pairs.filter(pl.col("features").is_in(vocab))
    rows = np.fromiter((index[u] for u in kept.get_column("user_id")), dtype=np.int64, count=kept.height)
    cols = np.fromiter((column[f] for f in kept.get_column("features")), dtype=np.int64, count=kept.height)
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(user_ids), len(vocab))
    )
    return UserFeatures(matrix=matrix, vocab=vocab)
