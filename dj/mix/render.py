"""Rendering: the planned timeline becomes audio, streamed chunk by chunk or written whole.

Tracks are added to a rolling buffer one at a time; once track i is in, nothing later can touch the mix
before track i+1's entry, so that span is final: it is ducked under the host voice, the voice is added,
the true-peak limiter runs and the chunk goes out. An API can therefore start playback after the first
track is decoded. Each track is gain-matched to the loudness target from its analysis before mixing, so
the stream is close to -14 LUFS without knowing the whole mix; ``render_mix`` then corrects the finished
mix exactly. The rendered parts of both tracks under each overlap are kept for measurement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import soxr

from dj.analysis.loudness import true_peak_dbtp
from dj.errors import DJError
from dj.host.ducking import duck_gain
from dj.host.voiceover import VoiceLine
from dj.mix.crossfade import BlendGains, apply_gains, crossfade_gains, eq_blend_gains, fade_out_gain
from dj.mix.mastering import TARGET_LUFS, TruePeakLimiter, integrated_lufs, normalise
from dj.mix.sources import load_source
from dj.mix.stretch import JOIN_S, join_head, render_head
from dj.mix.timeline import Timeline, TrackPlacement
from dj.planning.tempo_match import EQ_BLEND

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

MEASURE_SR = 22050
MEASURE_CONTEXT_S = 12.0  # A before the overlap and B after it, kept so a beat tracker can settle
MAX_TRACK_GAIN_DB = 18.0


class RenderError(DJError):
    """A track of the set cannot be rendered (no audio file, or nothing to play)."""

    code = "render_failed"
    status = 422


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    sr: int = 44100
    chunk_s: float = 2.0
    high_quality: bool = False  # Signalsmith Stretch; True selects Rubber Band R3 (selecta[rubberband])
    target_lufs: float = TARGET_LUFS
    ceiling_dbtp: float = -1.0


@dataclass(frozen=True, kw_only=True)
class OverlapStems:
    """Both tracks as rendered around transition ``index`` (stretched and aligned, before the faders),
    mono at ``sr``; what :mod:`dj.mix.measure` re-analyses.

    ``a`` ends where the overlap ends and starts up to :data:`MEASURE_CONTEXT_S` before it (``a_lead_s``
    before it exactly); ``b`` starts where the overlap starts (``mix_start_s``) and runs on up to
    :data:`MEASURE_CONTEXT_S` past it. The context lets an independent beat tracker lock on before the
    overlap it measures.
    """

    index: int
    a: np.ndarray
    b: np.ndarray
    sr: int
    mix_start_s: float
    overlap_s: float
    a_lead_s: float = 0.0

    @property
    def a_overlap(self) -> np.ndarray:
        """A under the overlap only."""
        i = round(self.a_lead_s * self.sr)
        return self.a[i : i + round(self.overlap_s * self.sr)]

    @property
    def b_overlap(self) -> np.ndarray:
        """B under the overlap only."""
        return self.b[: round(self.overlap_s * self.sr)]


@dataclass(frozen=True, kw_only=True)
class MixResult:
    y: np.ndarray
    sr: int
    timeline: Timeline
    voices: Sequence[VoiceLine]
    stems: Sequence[OverlapStems]
    lufs: float
    true_peak_dbtp: float
    track_gains_db: Mapping[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return float(self.y.shape[1] / self.sr)


def _to_measure(y: np.ndarray, sr: int) -> np.ndarray:
    mono: np.ndarray = soxr.resample(y.mean(axis=0), sr, MEASURE_SR).astype(np.float32)
    return mono


class MixStream:
    """Iterate to get float32 (channels, n) chunks of the finished mix, in order.

    ``stems`` and ``track_gains_db`` fill in as the stream advances; ``limit=False`` skips the limiter
    (``render_mix`` normalises the whole mix instead).
    """

    def __init__(
        self,
        *,
        timeline: Timeline,
        analyses: Mapping[str, TrackAnalysis],
        voices: Sequence[VoiceLine] = (),
        options: RenderOptions | None = None,
        limit: bool = True,
        paths: Mapping[str, str] | None = None,
    ) -> None:
        self.timeline = timeline
        self.analyses = analyses
        self.voices = [v for v in voices if v.placed]
        self.options = options or RenderOptions()
        self.limit = limit
        self.paths = paths or {}
        self.stems: list[OverlapStems] = []
        self.track_gains_db: dict[str, float] = {}

    @property
    def sr(self) -> int:
        return self.options.sr

    def _load(self, track_id: str) -> np.ndarray:
        a = self.analyses[track_id]
        path = self.paths.get(track_id) or a.path
        if not path:
            raise RenderError(f"track {track_id} has no audio file to render from")
        y = load_source(str(path), self.sr)
        loudness = a.lufs if np.isfinite(a.lufs) else integrated_lufs(y, sr=self.sr)
        gain_db = float(np.clip(self.options.target_lufs - loudness, -MAX_TRACK_GAIN_DB, MAX_TRACK_GAIN_DB))
        self.track_gains_db[track_id] = gain_db
        gained: np.ndarray = y * np.float32(10 ** (gain_db / 20.0))
        return gained

    def _stem(self, y: np.ndarray, p: TrackPlacement) -> np.ndarray:
        sr = self.sr
        end = round(p.src_end_s * sr)
        if p.head is None:
            stem = y[:, round(p.src_start_s * sr) : end]
        else:
            head = render_head(y, sr=sr, head=p.head, high_quality=self.options.high_quality)
            cut = round(p.head.src_end_s * sr)
            lead_in = y[:, max(0, cut - int(JOIN_S * sr)) : cut]
            stem = join_head(head, y[:, cut:end], sr=sr, lead_in=lead_in)
        return _fade_out(stem, p, sr=sr)

    def _overlap_gains(self, k: int) -> tuple[int, BlendGains]:
        spec = self.timeline.transitions[k]
        n = round(spec.overlap_s * self.sr)
        if spec.kind == EQ_BLEND:
            beat_s = 60.0 / self.analyses[self.timeline.placements[k].track_id].bpm
            return n, eq_blend_gains(n=n, sr=self.sr, swap_s=spec.swap_s, swap_len_s=beat_s)
        return n, crossfade_gains(n=n)

    def _finish(self, music: np.ndarray, start: int) -> np.ndarray:
        """Duck the music under the voice and add the voice, for mix samples ``start``.."""
        n = music.shape[1]
        placed = [(v, span) for v in self.voices if (span := v.span) is not None]
        out: np.ndarray = music * duck_gain(start=start, n=n, sr=self.sr, spans=[span for _, span in placed])
        for v, (start_s, _) in placed:
            v0 = round(start_s * self.sr)
            lo, hi = max(start, v0), min(start + n, v0 + len(v.y))
            if lo < hi:
                out[:, lo - start : hi - start] += v.y[lo - v0 : hi - v0]
        return out

    def __iter__(self) -> Iterator[np.ndarray]:
        sr, placements = self.sr, self.timeline.placements
        limiter = TruePeakLimiter(sr=sr, ceiling_dbtp=self.options.ceiling_dbtp) if self.limit else None
        state = _StreamState(buf=np.zeros((2, 0), dtype=np.float32))
        block = max(1, int(self.options.chunk_s * sr))
        # The next track is decoded and stretched on a second thread while this one is mixed, limited
        # and handed out (decoding and Rubber Band release the GIL), so two cores are both busy.
        with ThreadPoolExecutor(max_workers=1) as pool:
            upcoming = pool.submit(self._prepare, placements[0])
            for p in placements:
                stem = upcoming.result()
                if p.index + 1 < len(placements):
                    upcoming = pool.submit(self._prepare, placements[p.index + 1])
                done = self._finish(self._mix_in(p, stem, state), state.done_start)
                if limiter is not None:
                    done = limiter.push(done)
                for k in range(0, done.shape[1], block):
                    yield done[:, k : k + block]
        if limiter is not None:
            tail = limiter.flush()
            if tail.shape[1]:
                yield tail

    def _prepare(self, p: TrackPlacement) -> np.ndarray:
        return self._stem(self._load(p.track_id), p)

    def _mix_in(self, p: TrackPlacement, stem: np.ndarray, state: _StreamState) -> np.ndarray:
        """Fade ``stem`` in and out, add it to the buffer and return the music that is now final."""
        sr, placements = self.sr, self.timeline.placements
        out_at = None
        if p.index < len(self.timeline.transitions):
            # A's lead-in and overlap part for measurement, copied before any fader touches them.
            off = round(p.mix_time(self.timeline.transitions[p.index].a_out_s) * sr) - round(
                p.mix_start_s * sr
            )
            lead = min(off, round(MEASURE_CONTEXT_S * sr))
            out_at = (off, stem[:, off - lead : off + self._overlap_gains(p.index)[0]].copy(), lead / sr)
        if p.index > 0:
            n, gains = self._overlap_gains(p.index - 1)
            n = min(n, stem.shape[1])
            b_part = stem[:, :n]
            if state.pending_a is not None:
                self.stems.append(
                    OverlapStems(
                        index=p.index - 1,
                        a=_to_measure(state.pending_a, sr),
                        b=_to_measure(stem[:, : n + round(MEASURE_CONTEXT_S * sr)], sr),
                        sr=MEASURE_SR,
                        mix_start_s=p.mix_start_s,
                        overlap_s=n / sr,
                        a_lead_s=state.pending_lead_s,
                    )
                )
            stem[:, :n] = apply_gains(b_part, sr=sr, low=gains.in_low[:n], high=gains.in_high[:n])
        if out_at is not None:
            off, state.pending_a, state.pending_lead_s = out_at
            n, gains = self._overlap_gains(p.index)
            a_part = stem[:, off : off + n]
            m = a_part.shape[1]
            stem[:, off : off + m] = apply_gains(
                a_part, sr=sr, low=gains.out_low[:m], high=gains.out_high[:m]
            )
            stem = stem[:, : off + m]
        at = round(p.mix_start_s * sr) - state.buf_start
        if at + stem.shape[1] > state.buf.shape[1]:
            state.buf = np.pad(state.buf, ((0, 0), (0, at + stem.shape[1] - state.buf.shape[1])))
        state.buf[:, at : at + stem.shape[1]] += stem
        final = (
            round(placements[p.index + 1].mix_start_s * sr) - state.buf_start
            if p.index + 1 < len(placements)
            else state.buf.shape[1]
        )
        done, state.buf = state.buf[:, :final], state.buf[:, final:]
        state.done_start = state.buf_start
        state.buf_start += final
        return done


def _fade_out(stem: np.ndarray, p: TrackPlacement, *, sr: int) -> np.ndarray:
    """The last track's stem with its planned fade (``p.fade_out_s`` of source, ending where its audio
    stops); the stem is this render's own gained copy, so it is faded in place."""
    span = p.fade_out_span()
    if span is None:
        return stem
    n = min(stem.shape[1], round((span[1] - span[0]) * sr))
    if n > 0:
        stem[:, stem.shape[1] - n :] *= fade_out_gain(n)
    return stem


@dataclass(kw_only=True)
class _StreamState:
    """What the stream carries from one track to the next: the unfinished buffer and A's overlap part."""

    buf: np.ndarray
    buf_start: int = 0  # mix sample of buf[:, 0]
    done_start: int = 0  # mix sample of the span just finished
    pending_a: np.ndarray | None = None  # A's lead-in and overlap part, before the faders
    pending_lead_s: float = 0.0


def render_stream(
    *,
    timeline: Timeline,
    analyses: Mapping[str, TrackAnalysis],
    voices: Sequence[VoiceLine] = (),
    options: RenderOptions | None = None,
    paths: Mapping[str, str] | None = None,
) -> MixStream:
    """A lazily rendered, limited mix: iterate it for chunks (for an API to stream while it renders)."""
    return MixStream(timeline=timeline, analyses=analyses, voices=voices, options=options, paths=paths)


def render_mix(
    *,
    timeline: Timeline,
    analyses: Mapping[str, TrackAnalysis],
    voices: Sequence[VoiceLine] = (),
    options: RenderOptions | None = None,
    paths: Mapping[str, str] | None = None,
) -> MixResult:
    """The whole mix, normalised to the loudness target with true peaks under the ceiling."""
    options = options or RenderOptions()
    # The stream already limits as it goes (while the next track is prepared on the other core); the
    # finished mix is then only corrected if its measured loudness misses the target.
    stream = MixStream(
        timeline=timeline, analyses=analyses, voices=voices, options=options, limit=True, paths=paths
    )
    raw = np.concatenate(list(stream), axis=1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        raw_peak = pool.submit(true_peak_dbtp, y=raw, sr=options.sr)  # measured alongside the loudness
        y, loudness = normalise(
            raw, sr=options.sr, target_lufs=options.target_lufs, ceiling_dbtp=options.ceiling_dbtp
        )
        peak = raw_peak.result() if y is raw else true_peak_dbtp(y=y, sr=options.sr)
    return MixResult(
        y=y,
        sr=options.sr,
        timeline=timeline,
        voices=list(voices),
        stems=stream.stems,
        lufs=loudness,
        true_peak_dbtp=peak,
        track_gains_db=dict(stream.track_gains_db),
    )
