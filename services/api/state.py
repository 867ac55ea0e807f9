"""What the API holds for its lifetime: settings, the store, and the catalogue (reloaded when it changes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from services.data.catalog import load_catalog
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
    settings: Settings
    store: Store
    catalog: CatalogCache
    extras: dict[str, Any] = field(default_factory=dict)
