"""Serving the recommender: one trained bundle, the listener's recent history from Redis, a ranked-list cache.

New events reach a ranking without retraining: the store keeps each user's recent history, the ranking
folds it in at request time, and appending an event drops the user's cached lists. ``selecta train``
writes a new bundle; the service notices the new file and loads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import polars as pl

from recommender import Constraints, Recommendation, Recommender, RecommenderConfig
from recommender.blend import Progress
from recommender.errors import RecommenderError
from services.settings import Settings
from services.store import Store

HISTORY_FOR_RANKING = 500


class ModelNotTrainedError(RecommenderError):
    """No bundle has been trained yet for this data directory."""

    code = "model_not_trained"
    status = 503


def bundle_path(settings: Settings) -> Path:
    """Where the shipped default's bundle lives (``selecta train`` writes it)."""
    return settings.models_dir / "recommender"


def bundle_id(model: Recommender) -> str:
    """A short stable id of a trained bundle: its training-data hash and creation time."""
    meta = model.metadata
    return f"{str(meta['training_data_sha256'])[:12]}@{meta['created_at']}"


def train(
    settings: Settings,
    store: Store,
    *,
    items: pl.DataFrame | None = None,
    config: RecommenderConfig | None = None,
    progress: Progress | None = None,
    out: Path | None = None,
) -> Recommender:
    """Fit the shipped default on every event in the store and the catalogue (with its audio analysis
    columns unless ``items`` is given); save the bundle to ``out`` (default: where the service loads it)."""
    events = store.events_frame()
    if events.is_empty():
        raise ModelNotTrainedError("no listening events to train on: import some first (selecta import ...)")
    from services.track_analysis import training_items

    items = training_items(settings) if items is None else items
    model = Recommender.fit(events=events, items=items, config=config, progress=progress)
    model.save(out or bundle_path(settings))
    return model


def context_key(**parts: object) -> str:
    """A short hash naming one request context (parameters, constraints, model and catalogue versions)."""

    def plain(value: object) -> object:
        if isinstance(value, (set, frozenset)):
            return sorted(value)
        if isinstance(value, Constraints):
            return {k: plain(v) for k, v in asdict(value).items()}
        return value

    text = json.dumps({k: plain(v) for k, v in parts.items()}, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class RankingRequest:
    """What a ranking is asked for, beside the listener: with the bundle and the catalogue version it
    names a cached list."""

    n: int = 10
    discovery: float = 0.0
    artist_cap: int | None = None
    constraints: Constraints | None = None
    include_played: bool = False

    def context_parts(self, model: Recommender) -> dict[str, object]:
        """What names a cached list, but the catalogue version: these fields and the bundle's id."""
        return {
            "n": self.n,
            "discovery": self.discovery,
            "artist_cap": self.artist_cap,
            "constraints": self.constraints,
            "include_played": self.include_played,
            "model": bundle_id(model),
        }


DEFAULT_REQUEST = RankingRequest()


class RecommendationService:
    """Loads the bundle once (again when a new one is trained) and answers ranked lists, cached in Redis."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        # (manifest stamp, bundle) in one attribute: a reader without the lock always sees a matching pair.
        self._loaded: tuple[int, Recommender] | None = None
        self._manifest = str(bundle_path(settings) / "manifest.json")
        self._catalog_version = 0
        self._lock = threading.Lock()

    def _manifest_stamp(self) -> int | None:
        """The bundle manifest's mtime (None when nothing is trained): one ``stat`` per call (every request
        makes it, so the path is built once, in ``__init__``: pathlib cost ten times the syscall)."""
        try:
            return os.stat(self._manifest).st_mtime_ns
        except FileNotFoundError:
            return None

    def model(self) -> Recommender:
        """The bundle, loaded again when its manifest changed."""
        stamp = self._manifest_stamp()
        if stamp is None:
            raise ModelNotTrainedError("no trained recommender in the data directory: run `selecta train`")
        with self._lock:
            if self._loaded is None or self._loaded[0] != stamp:
                self._loaded = (stamp, Recommender.load(Path(self._manifest).parent))
            return self._loaded[1]

    def _current_model(self) -> Recommender | None:
        """The bundle if it is loaded and still the newest, without waiting on the lock (which a thread
        loading a new bundle holds for seconds): for the event loop, which must not wait on it."""
        loaded, stamp = self._loaded, self._manifest_stamp()
        return loaded[1] if loaded is not None and loaded[0] == stamp else None

    def history(self, model: Recommender, user_id: str) -> pl.DataFrame:
        """Recent events the bundle has not seen: all of a new user's, a known user's since training.

        Events imported after training with older timestamps reach the model at the next ``selecta train``.
        """
        recent = self.store.recent_history(user_id, HISTORY_FOR_RANKING)
        if user_id not in model.user_index or recent.is_empty():
            return recent
        trained_at = datetime.fromisoformat(str(model.metadata["created_at"]))
        return recent.filter(pl.col("ts") > trained_at)

    def recommend(
        self, user_id: str, asked: RankingRequest = DEFAULT_REQUEST
    ) -> tuple[list[Recommendation], bool]:
        """The ranked list and whether it came from the cache.

        A cached list costs one Redis round trip: the context is built with the catalogue version this
        process saw last, and the version is read in the same MGET as the list (a changed version, after
        an import, costs a second look under the new one)."""
        model = self.model()
        parts = asked.context_parts(model)
        guess = self._catalog_version
        context = context_key(**parts, catalog=guess)
        catalog, cached = self.store.ranked_at_version(user_id, context)
        if catalog != guess:
            self._catalog_version = catalog
            context = context_key(**parts, catalog=catalog)
            cached = self.store.get_ranked(user_id, context)
        if cached is not None:
            return [Recommendation(**item) for item in cached], True
        retired = self.store.retired_tracks()  # only on a miss: a cached list's context has the version
        constraints = asked.constraints
        if retired:
            constraints = replace(
                constraints or Constraints(), exclude=(constraints or Constraints()).exclude | retired
            )
        ranked = model.recommend(
            user_id,
            asked.n,
            history=self.history(model, user_id),
            discovery=asked.discovery,
            artist_cap=asked.artist_cap,
            constraints=constraints,
            include_played=asked.include_played,
        )
        self.store.cache_ranked(user_id, context, [asdict(r) for r in ranked])
        return ranked, False

    async def cached_json(
        self, user_id: str, asked: RankingRequest = DEFAULT_REQUEST
    ) -> tuple[str, str] | None:
        """The cached list as the JSON text it is stored as (an array of :class:`Recommendation`
        fields) and the bundle's id, read on the event loop; None when :meth:`recommend` must answer (no
        list cached under this context, the catalogue version moved on, or the bundle is not loaded or
        changed): that one blocks and runs in a worker thread."""
        model = self._current_model()
        if model is None:
            return None
        parts = asked.context_parts(model)
        guess = self._catalog_version
        catalog, cached = await self.store.ranked_json_at_version(
            user_id, context_key(**parts, catalog=guess)
        )
        if catalog != guess or cached is None:
            return None
        return cached, str(parts["model"])
