"""The public recommender: fit the shipped blend on events + catalogue, rank for a user, update, save/load.

Rankings are computed from the user's row at request time, so events recorded a second ago (``add_events``)
or passed in as ``history`` change the ranking without retraining (fold-in), a brand-new listener with a
handful of events is served the same way, and an unknown listener gets what is popular in the context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from recommender.blend import Blend, Progress, fit_blend
from recommender.bundle import load_bundle, save_bundle
from recommender.config import default_config
from recommender.dataset import build_dataset
from recommender.errors import BadConfigError, BundleError, RecommenderError, UnknownItemError
from recommender.explain import ALSO_PLAYED, POPULAR, Explainer
from recommender.features import ItemFeatures
from recommender.interactions import (
    UserRows,
    aggregate_events,
    build_rows,
    history_row,
    index_frame,
    matrix_hash,
)
from recommender.item_table import ItemTable, constraint_mask
from recommender.models import top_n
from recommender.persist import (
    RETRAIN,
    blend_arrays,
    blend_from_arrays,
    check_complete,
    check_consistent,
    config_from_json,
    config_json,
    features_arrays,
    features_from_arrays,
    rows_arrays,
    rows_from_arrays,
    user_features_arrays,
    user_features_from_arrays,
)
from recommender.ranking import pick_with_artist_cap
from recommender.types import Constraints, Recommendation, RecommenderConfig
from recommender.user_features import UserFeatures

BLOCK_BYTES = 256 * 2**20
"""Memory for one block of scores in :meth:`Recommender.recommend_many` (about 130 users of 50k tracks)."""
MAX_BLOCK = 512
"""Users per block at most: past this, a bigger block saves nothing on small catalogues."""


class Recommender:
    """A fitted blend plus the id maps, user rows and item metadata needed to serve it."""

    def __init__(
        self,
        *,
        config: RecommenderConfig,
        blend: Blend,
        user_ids: list[str],
        rows: UserRows,
        table: ItemTable,
        features: ItemFeatures,
        metadata: dict[str, object],
        user_features: UserFeatures | None = None,
        trained: np.ndarray | None = None,
    ) -> None:
        self.config = config
        self.blend = blend
        self.user_ids = list(user_ids)
        self.user_index = {u: i for i, u in enumerate(self.user_ids)}
        self.item_ids = [str(i) for i in table.item_ids]
        self.item_index = {t: i for i, t in enumerate(self.item_ids)}
        self.item_frame = index_frame(self.item_ids, "track_id", "col")
        self.rows = rows
        # Whether each user's row is the one the models were trained on (stored user vectors apply).
        self.trained = np.ones(len(self.user_ids), dtype=bool) if trained is None else trained.astype(bool)
        self.table = table
        self.features = features
        # Kept so a bundle records what the user vectors were trained with (vocabulary and incidence).
        self.user_features = user_features or UserFeatures.empty(len(self.user_ids))
        self.metadata = metadata
        self.popularity = np.diff(rows.weights.tocsc().indptr).astype(np.float32)
        self.artist_codes = table.artist_codes()
        self.explainer = Explainer(blend=blend, table=table, features=features)
        # Per-catalogue vectors every ranked row reads, computed once instead of once per user.
        self._popular = np.log1p(self.popularity)
        self._pop_z = _standardise(self._popular)
        self._updates: dict[str, UserRows] = {}

    # -- training ---------------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        *,
        events: pl.DataFrame,
        items: pl.DataFrame | None = None,
        users: pl.DataFrame | None = None,
        config: RecommenderConfig | None = None,
        progress: Progress | None = None,
    ) -> Recommender:
        """Train the shipped default (or ``config``); blend weights fit on a validation split of events.

        ``users`` is an optional table ``user_id: str, features: list[str]`` (e.g. ``friend:<id>`` per
        friend; see ``recommender.user_features``) that LightFM learns user vectors from; listeners
        missing from it, or arriving later, are served from their history as usual.
        """
        config = config or default_config()
        data = build_dataset(events, items, users)
        blend, report = fit_blend(
            data.rows.weights,
            data.features,
            config,
            user_features=data.user_features.matrix,
            progress=progress,
        )
        metadata = {
            "created_at": datetime.now(timezone.utc).isoformat(),
            "training_data_sha256": matrix_hash(data.rows.weights, data.item_ids, data.user_ids),
            "n_users": len(data.user_ids),
            "n_items": len(data.item_ids),
            "n_interactions": int(data.rows.weights.nnz),
            "metrics": report,
        }
        return cls(
            config=config,
            blend=blend,
            user_ids=data.user_ids,
            rows=data.rows,
            table=ItemTable.from_frame(data.items),
            features=data.features,
            user_features=data.user_features,
            metadata=metadata,
        )

    # -- updates ----------------------------------------------------------------------------------------
    def add_events(self, events: pl.DataFrame) -> int:
        """Record new events; the next ``recommend`` for those users reflects them. Returns events applied
        (events for tracks outside the trained catalogue are skipped: they need ``selecta train``)."""
        aggregated = aggregate_events(events).filter(pl.col("track_id").is_in(self.item_ids))
        for (user,), frame in aggregated.group_by("user_id", maintain_order=True):
            delta = build_rows(frame, users=index_frame([user], "user_id", "row"), items=self.item_frame)
            previous = self._updates.get(user)
            self._updates[user] = delta if previous is None else _add_rows(previous, delta)
        return aggregated.height

    def user_row(self, user_id: str, history: pl.DataFrame | None = None) -> tuple[UserRows, bool]:
        """(the user's current row, whether it equals the trained row so stored user vectors apply)."""
        idx = self.user_index.get(user_id)
        n = len(self.item_ids)
        if idx is None:
            row = UserRows(weights=_empty(n), seen=_empty(n), disliked=_empty(n))
        else:
            row = UserRows(
                weights=self.rows.weights[idx], seen=self.rows.seen[idx], disliked=self.rows.disliked[idx]
            )
        unchanged = idx is not None and bool(self.trained[idx])
        for extra in (self._updates.get(user_id), self._history_row(history)):
            if extra is not None:
                # A new listener's row is just the extra one (adding it to an empty row changes nothing).
                row, unchanged = (
                    (extra if idx is None and row.seen.nnz == 0 else _add_rows(row, extra)),
                    False,
                )
        return row, unchanged

    def _history_row(self, history: pl.DataFrame | None) -> UserRows | None:
        if history is None or history.height == 0:
            return None
        return history_row(history, item_index=self.item_index, n_items=len(self.item_ids))

    # -- ranking ----------------------------------------------------------------------------------------
    def recommend(
        self,
        user_id: str,
        n: int = 10,
        *,
        history: pl.DataFrame | None = None,
        discovery: float = 0.0,
        artist_cap: int | None = None,
        constraints: Constraints | None = None,
        include_played: bool = False,
    ) -> list[Recommendation]:
        """Top-``n`` tracks for ``user_id`` (known, new with ``history``, or unknown: popular in context).

        ``discovery`` 0 keeps familiar artists, 1 shows only artists the user has not played; ``artist_cap``
        bounds tracks per artist; disliked tracks are never shown, played ones only with ``include_played``.
        One user is a block of one: the same code as :meth:`recommend_many`, so both rank alike.
        """
        histories = {user_id: history} if history is not None else None
        return self.recommend_many(
            [user_id],
            n,
            histories=histories,
            discovery=discovery,
            artist_cap=artist_cap,
            constraints=constraints,
            include_played=include_played,
        )[0]

    def recommend_many(
        self,
        user_ids: Sequence[str],
        n: int = 10,
        *,
        histories: Mapping[str, pl.DataFrame] | None = None,
        discovery: float = 0.0,
        artist_cap: int | None = None,
        constraints: Constraints | None = None,
        include_played: bool = False,
        block_users: int | None = None,
    ) -> list[list[Recommendation]]:
        """:meth:`recommend` for many users at once (same options; ``histories`` maps a user to the events
        the bundle has not seen), in order: what offline jobs call.

        Users are scored in blocks (:meth:`block_size` from the item count, so memory stays bounded) with
        one model call per block; every per-row step is computed row by row, so a user's list is the one
        :meth:`recommend` gives, exactly, whatever block the user lands in. ``block_users`` overrides the
        block size (tests cut small blocks with it).
        """
        if n < 1:
            raise BadConfigError("n must be at least 1")
        if not 0.0 <= discovery <= 1.0:
            raise BadConfigError("discovery must be between 0 and 1")
        if artist_cap is not None and artist_cap < 1:
            raise BadConfigError("artist_cap must be at least 1")
        histories = histories or {}
        base_allowed = constraint_mask(self.table, self.features, constraints)
        options = _RankOptions(n=n, discovery=discovery, artist_cap=artist_cap, allowed=base_allowed)
        out: list[list[Recommendation]] = []
        block = block_users or self.block_size()
        for start in range(0, len(user_ids), block):
            chunk = user_ids[start : start + block]
            rows = [self.user_row(user, histories.get(user)) for user in chunk]
            hidden = [_hidden(row, include_played) for row, _ in rows]
            scored = self._score_block(chunk, rows, hidden)
            for (row, _), unseen, (scores, parts_row) in zip(rows, hidden, scored, strict=True):
                out.append(self._rank_row(row, unseen, scores, parts_row, options))
        return out

    def block_size(self, budget_bytes: int = BLOCK_BYTES) -> int:
        """Users scored together: each model's block of scores is users x items float32, and a block holds
        one per blend model plus the total and two temporaries, kept under ``budget_bytes``."""
        arrays = len(self.blend.models) + 3
        return int(max(1, min(MAX_BLOCK, budget_bytes // (4 * arrays * max(1, len(self.item_ids))))))

    def _score_block(
        self, users: Sequence[str], rows: list[tuple[UserRows, bool]], hidden: list[sp.csr_matrix]
    ) -> list[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Each user's blended scores and weighted model parts (empty for a user with no history, who
        gets popularity), the users with stored vectors and the folded-in ones scored as two blocks."""
        scored: list[tuple[np.ndarray, dict[str, np.ndarray]]] = [(self._popular, {})] * len(users)
        stored = [i for i, (row, unchanged) in enumerate(rows) if row.weights.nnz and unchanged]
        folded = [i for i, (row, unchanged) in enumerate(rows) if row.weights.nnz and not unchanged]
        for group, vectors in ((stored, True), (folded, False)):
            if not group:
                continue
            weights = _stack([rows[i][0].weights for i in group])
            exclude = _stack([hidden[i] for i in group])
            index = np.array([self.user_index[users[i]] for i in group]) if vectors else None
            total, parts = self.blend.score_parts(weights, users=index, exclude=exclude)
            for j, i in enumerate(group):
                scored[i] = (total[j], {k: v[j] for k, v in parts.items()})
        return scored

    def _rank_row(
        self,
        row: UserRows,
        hidden: sp.csr_matrix,
        scores: np.ndarray,
        parts_row: dict[str, np.ndarray],
        options: _RankOptions,
    ) -> list[Recommendation]:
        """One user's list from their blended scores: hidden and disallowed tracks out, the discovery
        shift, the artist cap, and an explanation per track."""
        history_items = row.weights.indices
        history_weights = row.weights.data
        scores = scores.astype(np.float32, copy=True)
        allowed = options.allowed.copy()
        allowed[hidden.indices] = False
        played_artists = np.zeros(self.artist_codes.max(initial=0) + 1, dtype=bool)
        played_artists[self.artist_codes[row.seen.indices]] = True
        new_artist = ~played_artists[self.artist_codes]
        discovery = options.discovery
        if discovery > 0 and len(history_items):
            scores = scores - np.float32(discovery) * (3.0 * ~new_artist + 0.5 * self._pop_z).astype(
                np.float32
            )
            if discovery >= 1.0:
                allowed &= new_artist
        scores[~allowed] = -np.inf
        picked = pick_with_artist_cap(scores, self.artist_codes, n=options.n, cap=options.artist_cap)
        out = []
        for item in picked:
            code, text = self.explainer.explain(
                int(item),
                parts={k: float(v[item]) for k, v in parts_row.items()},
                history=history_items,
                weights=history_weights,
                new_artist=bool(new_artist[item]) and discovery > 0,
            )
            out.append(
                Recommendation(
                    track_id=self.item_ids[item],
                    score=float(scores[item]),
                    explanation=text,
                    reason_code=code,
                )
            )
        return out

    def similar_tracks(
        self, track_id: str, n: int = 10, *, constraints: Constraints | None = None
    ) -> list[Recommendation]:
        """Tracks like ``track_id``: co-listening neighbours where it has listeners, content otherwise."""
        item = self.item_index.get(track_id)
        if item is None:
            raise UnknownItemError(f"unknown track {track_id!r}")
        content_key = next((k for k, m in self.blend.models.items() if m.name == "content"), None)
        collab_key = self.explainer.item_item
        parts: dict[str, np.ndarray] = {}
        if collab_key is not None and self.popularity[item] > 0:
            parts[ALSO_PLAYED] = _standardise(self.blend.models[collab_key].item_similarity(item))
        if content_key is not None:
            parts["content"] = _standardise(self.blend.models[content_key].item_similarity(item))
        if not parts:
            raise BadConfigError("the blend has no model with item-item similarity")
        scores = np.sum(list(parts.values()), axis=0).astype(np.float32)
        allowed = constraint_mask(self.table, self.features, constraints)
        allowed[item] = False
        scores[~allowed] = -np.inf
        idx, vals = top_n(scores, n)
        label = self.table.label(item)
        out = []
        collab = parts.get(ALSO_PLAYED)
        for j, score in zip(idx.tolist(), vals.tolist(), strict=True):
            code, text = ALSO_PLAYED, f"listeners of {label} also play this"
            if "content" in parts and (collab is None or parts["content"][j] > collab[j]):
                content_code, content_text = self.explainer.content_reason(j, np.array([item]), np.ones(1))
                if content_code != POPULAR:
                    code, text = content_code, content_text
            out.append(
                Recommendation(
                    track_id=self.item_ids[j], score=float(score), explanation=text, reason_code=code
                )
            )
        return out

    # -- persistence ------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write a versioned bundle atomically (events added since training are folded into the rows)."""
        rows, user_ids = self._rows_with_updates()
        trained = np.zeros(len(user_ids), dtype=bool)
        trained[: len(self.trained)] = self.trained
        trained[[i for i, u in enumerate(user_ids) if u in self._updates]] = False
        arrays = {
            "users": np.asarray(user_ids, dtype=str),
            "users.trained": trained,
            **rows_arrays(rows),
            **self.table.arrays(),
            **features_arrays(self.features),
            **user_features_arrays(self.user_features.grown(len(user_ids))),
            **blend_arrays(self.blend),
        }
        manifest = {
            **self.metadata,
            "config": config_json(self.config),
            "weights": self.blend.weights,
            "models": {k: {"name": m.name, "params": m.params} for k, m in self.blend.models.items()},
        }
        return save_bundle(path, manifest=manifest, arrays=arrays)

    @classmethod
    def load(cls, path: str | Path) -> Recommender:
        """Read a bundle; anything this code cannot serve (missing, corrupt, from an older or newer
        Selecta, arrays that do not fit together) is a ``BundleError`` naming the bundle, never a
        ``KeyError`` at load or an ``IndexError`` at the first request."""
        manifest, arrays = load_bundle(path)
        try:
            check_complete(manifest, arrays)
            user_ids = [str(u) for u in arrays["users"]]
            trained = arrays["users.trained"].astype(bool)
            rows, table = rows_from_arrays(arrays), ItemTable.from_arrays(arrays)
            features, blend = features_from_arrays(arrays), blend_from_arrays(manifest, arrays)
            user_features = user_features_from_arrays(arrays)
            check_consistent(
                user_ids=user_ids,
                trained=trained,
                rows=rows,
                table=table,
                features=features,
                user_features=user_features,
                blend=blend,
            )
            config = config_from_json(manifest["config"])
        except BundleError as exc:
            raise BundleError(f"{path} cannot be used: {exc}") from exc
        except (KeyError, ValueError, TypeError, IndexError, AttributeError, RecommenderError) as exc:
            raise BundleError(f"{path} cannot be used ({type(exc).__name__}: {exc}); {RETRAIN}") from exc
        metadata = {
            k: manifest[k] for k in ("created_at", "training_data_sha256", "n_users", "n_items", "metrics")
        }
        return cls(
            config=config,
            blend=blend,
            user_ids=user_ids,
            rows=rows,
            trained=trained,
            table=table,
            features=features,
            user_features=user_features,
            metadata=metadata,
        )

    def _rows_with_updates(self) -> tuple[UserRows, list[str]]:
        user_ids = self.user_ids + [u for u in self._updates if u not in self.user_index]
        index = {u: i for i, u in enumerate(user_ids)}
        n = len(self.item_ids)
        grown = UserRows(
            **{k: _grow(getattr(self.rows, k), len(user_ids)) for k in ("weights", "seen", "disliked")}
        )
        for user, delta in self._updates.items():
            lifted = UserRows(
                **{
                    k: _lift(getattr(delta, k), index[user], len(user_ids), n)
                    for k in ("weights", "seen", "disliked")
                }
            )
            grown = _add_rows(grown, lifted)
        return grown, user_ids


@dataclass(frozen=True, kw_only=True)
class _RankOptions:
    """The per-call ranking options every row of a :meth:`Recommender.recommend_many` call shares."""

    n: int
    discovery: float
    artist_cap: int | None
    allowed: np.ndarray


def _hidden(row: UserRows, include_played: bool) -> sp.csr_matrix:
    """Tracks never shown to this user: disliked ones, and played ones unless ``include_played``."""
    return row.disliked if include_played else _add_matrices(row.seen, row.disliked)


def _stack(rows: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Rows as one matrix; a lone row (a request) as it is, which spares a request the copy."""
    return rows[0] if len(rows) == 1 else sp.csr_matrix(sp.vstack(rows))


def _empty(n_items: int) -> sp.csr_matrix:
    return sp.csr_matrix((1, n_items), dtype=np.float32)


def _add_matrices(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    out = sp.csr_matrix(a + b)
    out.data[:] = np.minimum(out.data, 1.0)
    return out


def _add_rows(a: UserRows, b: UserRows) -> UserRows:
    weights = sp.csr_matrix(a.weights + b.weights)
    disliked = _add_matrices(a.disliked, b.disliked)
    weights = sp.csr_matrix(weights - weights.multiply(disliked))
    weights.eliminate_zeros()
    return UserRows(weights=weights, seen=_add_matrices(a.seen, b.seen), disliked=disliked)


def _grow(matrix: sp.csr_matrix, n_rows: int) -> sp.csr_matrix:
    extra = n_rows - matrix.shape[0]
    return (
        matrix if extra == 0 else sp.csr_matrix(sp.vstack([matrix, sp.csr_matrix((extra, matrix.shape[1]))]))
    )


def _lift(row: sp.csr_matrix, index: int, n_rows: int, n_items: int) -> sp.csr_matrix:
    coo = row.tocoo()
    return sp.csr_matrix(
        (coo.data, (np.full(coo.nnz, index), coo.col)), shape=(n_rows, n_items), dtype=np.float32
    )


def _standardise(values: np.ndarray) -> np.ndarray:
    standard: np.ndarray = ((values - values.mean()) / (values.std() + 1e-9)).astype(np.float32)
    return standard
