"""What the API holds for its lifetime: settings, the store, and the catalogue (reloaded when it changes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from services.data.catalog import CatalogCache
from services.engines import Engines
from services.recommending import RecommendationService
from services.settings import Settings
from services.store import Store
from services.store.credentials import CredentialCache


@dataclass
class AppState:
    """The objects every request shares. The recommender service and the DJ engines are built on first
    use (most requests need neither), once per process. ``catalog`` is the process's one catalogue
    cache; the DJ engines read theirs from it too."""

    settings: Settings
    store: Store
    catalog: CatalogCache
    credentials: CredentialCache
    render_slots: threading.BoundedSemaphore
    _recommendations: RecommendationService | None = None
    _engines: Engines | None = None
    _track_ids: tuple[int | None, frozenset[str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def recommendations(self) -> RecommendationService:
        """The recommender service: it loads the bundle once and again only when a new one is trained.
        Once built it is handed out without the lock, which the event loop must not wait on."""
        built = self._recommendations
        if built is not None:
            return built
        with self._lock:
            if self._recommendations is None:
                self._recommendations = RecommendationService(self.settings, self.store)
            return self._recommendations

    def loaded_model(self) -> RecommendationService | None:
        """The recommender service if a request loaded it already (a metrics scrape loads nothing)."""
        return self._recommendations

    def track_ids(self) -> frozenset[str]:
        """Every catalogue track id, rebuilt only when the catalogue changes: each event is checked
        against it, and building the set per request cost 20 ms on the hetrec catalogue."""
        stamp, frame = self.catalog.snapshot()
        with self._lock:
            if self._track_ids is None or self._track_ids[0] != stamp:
                self._track_ids = (stamp, frozenset(frame["track_id"].to_list()))
            return self._track_ids[1]

    def current_track_ids(self) -> frozenset[str] | None:
        """:meth:`track_ids` when the set needs no rebuild (one ``stat``, no lock), else None: for the
        event loop, which must not wait on a catalogue load or on the lock a thread holds for one."""
        held = self._track_ids
        return held[1] if held is not None and held[0] == self.catalog.stamp() else None

    def engines(self) -> Engines:
        """Whisper, the host voice and the catalogue view (each loads on its first use), sharing the
        recommender service."""
        recommendations = self.recommendations()
        with self._lock:
            if self._engines is None:
                self._engines = Engines(
                    self.settings, self.store, recommendations=recommendations, catalog=self.catalog
                )
            return self._engines
