"""What the API holds for its lifetime: settings, the store, and the catalogue (reloaded when it changes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import polars as pl

from services.data.catalog import load_catalog
from services.engines import Engines
from services.recommending import RecommendationService
from services.settings import Settings
from services.store import Store


@dataclass
class CatalogCache:
    """The persisted catalogue, re-read only when its file changes on disk (an import ran)."""

    settings: Settings
    _frame: pl.DataFrame | None = None
    _stamp: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> pl.DataFrame:
        path = self.settings.catalog_path
        stamp = path.stat().st_mtime_ns if path.exists() else None
        with self._lock:
            if self._frame is None or stamp != self._stamp:
                self._frame = load_catalog(path)
                self._stamp = stamp
            return self._frame


@dataclass
class AppState:
    """The objects every request shares. The recommender service and the DJ engines are built on first
    use (most requests need neither), once per process."""

    settings: Settings
    store: Store
    catalog: CatalogCache
    _recommendations: RecommendationService | None = None
    _engines: Engines | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def recommendations(self) -> RecommendationService:
        """The recommender service: it loads the bundle once and again only when a new one is trained."""
        with self._lock:
            if self._recommendations is None:
                self._recommendations = RecommendationService(self.settings, self.store)
            return self._recommendations

    def engines(self) -> Engines:
        """Whisper, the Piper voice and the catalogue view (each loads on its first use), sharing the
        recommender service."""
        recommendations = self.recommendations()
        with self._lock:
            if self._engines is None:
                self._engines = Engines(self.settings, self.store, recommendations=recommendations)
            return self._engines
