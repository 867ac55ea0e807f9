"""The heavy objects a DJ session needs, built at most once per process and shared by every request.

Loading Whisper takes about a second, the hibari voice a fraction of one, and a catalogue's name index
and audio analyses grow with the catalogue; a request must not pay for any of them. The CLI builds one
``Engines`` per command, the API one per process (lazily, on first use). The catalogue frame comes from a
:class:`~services.data.catalog.CatalogCache` (the API passes its own, so the process reads an import
once); the parts derived from it are rebuilt only when its version stamp changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from services.data.catalog import CatalogCache
from services.recommending import RecommendationService
from services.settings import Settings
from services.store import Store

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planning.planner import TrackMeta
    from dj.requests.entities import CatalogIndex
    from dj.speech.transcribe import Transcriber
    from dj.speech.tts import Synthesizer, VoiceChoice


@dataclass(frozen=True, kw_only=True)
class CatalogView:
    """One version of the catalogue and what is derived from it cheaply: the name index and the facts
    the planner and host voice use. (Audio analyses are separate: understanding a request needs none.)"""

    stamp: int | None
    frame: pl.DataFrame
    index: CatalogIndex | None
    meta: dict[str, TrackMeta] = field(repr=False)

    def title(self, track_id: str) -> tuple[str | None, str | None]:
        """Title and artist of a track, (None, None) for an id the catalogue lacks."""
        entry = self.meta.get(track_id)
        if entry is not None:
            return entry.title, entry.artist
        entity = self.index.track(track_id) if self.index is not None else None
        return (entity.name, entity.artist) if entity is not None else (None, None)


class Engines:
    """Speech recognition, the DJ voice, the recommender service and the catalogue view, each built once.

    Pass ``transcriber`` or ``synthesizer`` to use other backends (tests), or ``whisper_checkpoint`` for
    openai-whisper; otherwise the bundled faster-whisper tiny.en and hibari af_heart voice load on
    first use.
    ``store`` may be None for understanding requests only (``selecta ask`` without a session). ``catalog``
    is the process's catalogue cache (the API's); without one, the engines keep their own.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        *,
        recommendations: RecommendationService | None = None,
        transcriber: Transcriber | None = None,
        synthesizer: Synthesizer | None = None,
        whisper_checkpoint: Path | None = None,
        catalog: CatalogCache | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._recommendations = recommendations
        self._transcriber = transcriber
        self._synthesizer = synthesizer
        self._voices: dict[VoiceChoice, Synthesizer] = {}
        self._whisper_checkpoint = whisper_checkpoint
        self._catalog_file = catalog or CatalogCache(settings.catalog_path)
        self._catalog: CatalogView | None = None
        self._analyses: tuple[int | None, dict[str, TrackAnalysis]] | None = None
        self._lock = threading.Lock()
        self._catalog_lock = threading.Lock()

    @property
    def recommendations(self) -> RecommendationService:
        """The recommender service (needs the store; understanding a request alone does not)."""
        with self._lock:
            if self._recommendations is None:
                if self.store is None:
                    raise RuntimeError("Engines was built without a store; sessions need one")
                self._recommendations = RecommendationService(self.settings, self.store)
            return self._recommendations

    def transcriber(self) -> Transcriber:
        with self._lock:
            if self._transcriber is None:
                from dj.speech.transcribe import FasterWhisperTranscriber, OpenAIWhisperTranscriber

                limit = self.settings.max_upload_bytes
                self._transcriber = (
                    OpenAIWhisperTranscriber(checkpoint=self._whisper_checkpoint, max_bytes=limit)
                    if self._whisper_checkpoint is not None
                    else FasterWhisperTranscriber(max_bytes=limit)
                )
            return self._transcriber

    @property
    def voice(self) -> VoiceChoice:
        """The voice a new session speaks with: the one given, else hibari's bundled voice (nothing
        is loaded to answer this)."""
        from dj.speech.tts import VoiceChoice

        with self._lock:
            return self._synthesizer.choice if self._synthesizer is not None else VoiceChoice()

    def synthesizer(self, voice: VoiceChoice | None = None) -> Synthesizer:
        """The synthesizer of ``voice`` (a session's), each built once; None: the default voice."""
        from services.personal_mix import synthesizer_for

        with self._lock:
            if self._synthesizer is None:
                self._synthesizer = synthesizer_for(self.settings)
            if voice is None or voice == self._synthesizer.choice:
                return self._synthesizer
            if voice not in self._voices:
                self._voices[voice] = synthesizer_for(self.settings, voice=voice)
            return self._voices[voice]

    def catalog(self) -> CatalogView:
        """The current catalogue view; an empty one (no index, no analyses) before any import."""
        stamp, frame = self._catalog_file.snapshot()
        with self._catalog_lock:
            if self._catalog is None or self._catalog.stamp != stamp:
                self._catalog = _build_view(stamp, frame)
            return self._catalog

    def analyses(self) -> dict[str, TrackAnalysis]:
        """Audio analyses of the catalogue's tracks with audio, by track id (from the on-disk cache)."""
        view = self.catalog()
        with self._catalog_lock:
            if self._analyses is None or self._analyses[0] != view.stamp:
                from services.track_analysis import analyse_catalog

                found = analyse_catalog(self.settings, view.frame) if view.stamp is not None else {}
                self._analyses = (view.stamp, found)
            return self._analyses[1]


def _build_view(stamp: int | None, frame: pl.DataFrame) -> CatalogView:
    from dj.requests.entities import CatalogIndex
    from services.personal_mix import track_meta

    if stamp is None:
        return CatalogView(stamp=None, frame=frame, index=None, meta={})
    return CatalogView(
        stamp=stamp, frame=frame, index=CatalogIndex.from_catalog(frame), meta=track_meta(frame)
    )
