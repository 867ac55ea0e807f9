"""A session's set as a live audio stream: bytes that go out while the renderer is still mixing.

Everything that can fail (a track without audio, a set too short, a format this server cannot encode)
happens in ``prepare_mix`` and ``stream_format``, before the first byte, so an API can still answer with a
JSON error; after that the stream only renders and encodes. The formats (WAV, Ogg/Opus, MP3) and their
encoders are in ``services.sessions.stream_encoders``.

How far the render has come is kept in Redis beside the session (``{session key}:mix``), so a client can
tell how much of the set is ready, and a test can see that audio arrived before the render finished. That
record is best effort: a Redis that stalls or goes away mid-stream loses progress records, never audio.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from dj.mix.pipeline import HostVoice, lay_out
from dj.mix.render import MixStream, RenderOptions
from dj.planning.session import InvalidSessionError
from services.engines import Engines
from services.sessions.lifecycle import load_session
from services.sessions.stream_encoders import StreamFormat, open_encoder
from services.store import Store, StoreUnavailableError
from services.store.store import MixProgressFields

MIX_PROGRESS_TTL_S = 24 * 3600
PROGRESS_RETRY_S = 2.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PreparedMix:
    """A planned, not yet rendered, stream of the set from the playing track on."""

    session_id: str
    from_position: int
    track_ids: tuple[str, ...]
    handovers_s: tuple[float, ...]
    """When each track takes over in the mix: 0 for the first, then the middle of each blend."""
    duration_s: float
    stream: MixStream

    @property
    def sr(self) -> int:
        return self.stream.sr


@dataclass(frozen=True, kw_only=True)
class MixProgress:
    state: str
    """``rendering`` while audio is still being produced, ``done`` once the whole set went out."""
    rendered_s: float
    duration_s: float
    from_position: int | None = None
    handovers_s: tuple[float, ...] = ()


def prepare_mix(
    store: Store, session_id: str, *, engines: Engines, voice: bool = True, sr: int = 44100
) -> PreparedMix:
    """Lay out the transitions (and synthesize the host lines) of the set from the playing track on, each
    track leaving where the session's length mode (full, radio or dj) says."""
    stored = load_session(store, session_id)
    session = stored.session
    track_ids = session.track_ids[session.position :]
    if not track_ids:
        raise InvalidSessionError(f"session {session_id} has no tracks to play")
    analyses = engines.analyses()
    missing = [t for t in track_ids if t not in analyses]
    if missing:
        raise InvalidSessionError(f"tracks of the set have no analysed audio: {', '.join(missing[:3])}")
    host = (
        HostVoice(
            synthesizer=engines.synthesizer(stored.voice),  # the voice of the session's answers
            meta=engines.catalog().meta,
            explanations=stored.reasons,
            seed=session.user_id,
        )
        if voice
        else None
    )
    laid_out = lay_out(track_ids, analyses, options=RenderOptions(sr=sr), host=host, length=stored.length)
    placements = laid_out.timeline.placements
    handovers = [0.0] + [
        round((after.mix_start_s + before.mix_end_s) / 2.0, 3) for before, after in pairwise(placements)
    ]
    return PreparedMix(
        session_id=session_id,
        from_position=session.position,
        track_ids=track_ids,
        handovers_s=tuple(handovers),
        duration_s=laid_out.duration_s,
        stream=laid_out.stream(),
    )


def mix_stream(prepared: PreparedMix, store: Store, fmt: StreamFormat) -> Iterator[bytes]:
    """Each rendered chunk encoded in ``fmt`` as soon as the encoder has bytes, recording progress as it
    goes (:class:`ProgressLog`: best effort). The encoder is freed when the stream stops early (the client
    went away)."""
    rendered = 0
    progress = ProgressLog(store, prepared)
    progress.record("rendering", 0)
    encoder = open_encoder(fmt, sr=prepared.sr)
    try:
        for chunk in prepared.stream:
            rendered += chunk.shape[1]
            progress.record("rendering", rendered)
            data = encoder.encode(chunk)
            if data:
                yield data
        tail = encoder.finish()
        if tail:
            yield tail
    finally:
        encoder.close()
    progress.record("done", rendered, final=True)


class ProgressLog:
    """Records how far a stream has rendered, best effort. The audio comes from the render, not from
    Redis, so a store that stalls or goes away must not cut the music a listener is hearing: a failed
    write is logged and the stream goes on. After one, writes pause for :data:`PROGRESS_RETRY_S`
    (a stalled Redis would otherwise hold every chunk for the store's timeout); the last record (``done``)
    is always tried."""

    def __init__(self, store: Store, prepared: PreparedMix) -> None:
        self.store, self.prepared = store, prepared
        self.paused_until = 0.0

    def record(self, state: str, rendered: int, *, final: bool = False) -> None:
        if not final and time.monotonic() < self.paused_until:
            return
        prepared = self.prepared
        fields = MixProgressFields(
            state=state,
            rendered_s=rendered / prepared.sr,
            duration_s=prepared.duration_s,
            from_position=prepared.from_position,
            handovers_s=list(prepared.handovers_s),
        )
        try:
            self.store.save_mix_progress(prepared.session_id, fields, ttl_s=MIX_PROGRESS_TTL_S)
        except StoreUnavailableError as exc:
            log.warning("mix progress of session %s not recorded: %s", self.prepared.session_id, exc)
            self.paused_until = time.monotonic() + PROGRESS_RETRY_S


def mix_progress(store: Store, session_id: str) -> MixProgress | None:
    """How far the latest stream of the session has rendered; None if it was never streamed."""
    raw = store.mix_progress(session_id)
    if raw is None:
        return None
    return MixProgress(
        state=raw["state"],
        rendered_s=raw["rendered_s"],
        duration_s=raw["duration_s"],
        from_position=raw.get("from_position"),
        handovers_s=tuple(raw.get("handovers_s", ())),
    )
