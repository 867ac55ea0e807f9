"""A session's set as a live audio stream: WAV bytes that go out while the renderer is still mixing.

Everything that can fail (a track without audio, a set too short) happens in ``prepare_mix``, before the
first byte, so an API can still answer with a JSON error; after that the stream only renders. The stream
is 16-bit PCM WAV whose RIFF and data sizes are 0xFFFFFFFF, as live WAV streams do (the length is not
known until the limiter's tail is out); players and decoders read it to the end of the connection.

How far the render has come is kept in Redis beside the session (``{session key}:mix``), so a client can
tell how much of the set is ready, and a test can see that audio arrived before the render finished.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from dj.mix.pipeline import HostVoice, lay_out
from dj.mix.render import MixStream, RenderOptions
from dj.planning.session import InvalidSessionError
from services.engines import Engines
from services.sessions.lifecycle import load_session
from services.store import Store
from services.store.store import MixProgressFields

MIX_PROGRESS_TTL_S = 24 * 3600
WAV_MEDIA_TYPE = "audio/wav"
UNKNOWN_SIZE = 0xFFFFFFFF


@dataclass(frozen=True, kw_only=True)
class PreparedMix:
    """A planned, not yet rendered, stream of the set from the playing track on."""

    session_id: str
    track_ids: tuple[str, ...]
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


def prepare_mix(
    store: Store, session_id: str, *, engines: Engines, voice: bool = True, sr: int = 44100
) -> PreparedMix:
    """Lay out the transitions (and synthesize the host lines) of the set from the playing track on."""
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
    laid_out = lay_out(track_ids, analyses, options=RenderOptions(sr=sr), host=host)
    return PreparedMix(
        session_id=session_id, track_ids=track_ids, duration_s=laid_out.duration_s, stream=laid_out.stream()
    )


def wav_header(*, sr: int, channels: int = 2) -> bytes:
    """A 16-bit PCM WAV header for a stream of unknown length."""
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", UNKNOWN_SIZE)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, sr, sr * block, block, 16)
        + b"data"
        + struct.pack("<I", UNKNOWN_SIZE)
    )


def wav_stream(prepared: PreparedMix, store: Store) -> Iterator[bytes]:
    """The header, then each rendered chunk as interleaved 16-bit PCM, recording progress as it goes."""
    rendered = 0
    _record(
        store,
        prepared.session_id,
        MixProgress(state="rendering", rendered_s=0.0, duration_s=prepared.duration_s),
    )
    yield wav_header(sr=prepared.sr)
    for chunk in prepared.stream:
        rendered += chunk.shape[1]
        progress = MixProgress(
            state="rendering", rendered_s=rendered / prepared.sr, duration_s=prepared.duration_s
        )
        _record(store, prepared.session_id, progress)
        pcm = np.clip(chunk.T, -1.0, 1.0) * 32767.0
        yield np.round(pcm).astype("<i2").tobytes()
    done = MixProgress(state="done", rendered_s=rendered / prepared.sr, duration_s=prepared.duration_s)
    _record(store, prepared.session_id, done)


def mix_progress(store: Store, session_id: str) -> MixProgress | None:
    """How far the latest stream of the session has rendered; None if it was never streamed."""
    raw = store.mix_progress(session_id)
    return MixProgress(**raw) if raw is not None else None


def _record(store: Store, session_id: str, progress: MixProgress) -> None:
    fields = MixProgressFields(
        state=progress.state, rendered_s=progress.rendered_s, duration_s=progress.duration_s
    )
    store.save_mix_progress(session_id, fields, ttl_s=MIX_PROGRESS_TTL_S)
