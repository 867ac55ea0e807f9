"""Measure every transition on the rendered audio, not on the plan: beat offset, stretch, key distance,
loudness jump.

Beat offset method: under each overlap we take what was actually rendered for each track (after the
stretch and the alignment, before the faders, so neither track is faded to silence) and compute a fine
onset-strength envelope for each (1.45 ms hops). For every bar of the overlap we cross-correlate the two
envelopes over lags of up to half a beat and read the peak lag with sub-hop (parabolic) interpolation:
that lag is how far B's onsets sit from A's in that bar. The transition's figure is the median absolute
lag over the bars whose correlation peak is clear. A stretcher latency, a wrong beat phase in the
analysis or tempo drift all show up here, because nothing from the plan's beat grids enters the figure.
Loudness jump: the BS.1770 loudness of the finished mix over 3 s just before the overlap minus 3 s
just after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import librosa
import numpy as np

from dj.camelot import camelot_distance
from dj.loudness import integrated_lufs
from dj.render import MixResult, OverlapStems
from dj.transitions import EQ_BLEND

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

HOP = 32
MIN_PEAK_CORR = 0.15
LOUDNESS_WINDOW_S = 3.0


@dataclass(frozen=True, kw_only=True)
class TransitionMeasure:
    index: int
    kind: str
    mix_start_s: float
    mix_end_s: float
    bars: int
    beat_offset_ms: float | None  # median |lag| over bars with a clear peak; None for crossfades
    beat_offset_signed_ms: float | None
    bars_measured: int
    stretch_pct: float
    camelot_from: str
    camelot_to: str
    camelot_distance: int
    loudness_jump_lu: float | None


def _envelope(y: np.ndarray, sr: int) -> np.ndarray:
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP, n_fft=1024, n_mels=40, center=True)
    return env - np.mean(env)


def beat_offsets(stems: OverlapStems, *, beat_s: float, bar_beats: int = 4) -> np.ndarray:
    """Signed onset lag of B against A (seconds) for each bar whose correlation peak is clear."""
    ea, eb = _envelope(stems.a, stems.sr), _envelope(stems.b, stems.sr)
    n = min(len(ea), len(eb))
    frame_s = HOP / stems.sr
    bar = round(bar_beats * beat_s / frame_s)
    max_lag = round(0.5 * beat_s / frame_s)
    lags = []
    for s in range(0, n - bar + 1, bar):
        a, b = ea[s : s + bar], eb[s : s + bar]
        norm = np.sqrt(np.dot(a, a) * np.dot(b, b))
        if norm <= 0:
            continue
        corr = (
            np.array(
                [
                    np.dot(a[max(0, -k) : bar - max(0, k)], b[max(0, k) : bar - max(0, -k)])
                    for k in range(-max_lag, max_lag + 1)
                ]
            )
            / norm
        )
        k = int(np.argmax(corr))
        if corr[k] < MIN_PEAK_CORR:
            continue
        frac = 0.0
        if 0 < k < len(corr) - 1:
            denom = corr[k - 1] - 2 * corr[k] + corr[k + 1]
            frac = 0.5 * (corr[k - 1] - corr[k + 1]) / denom if denom != 0 else 0.0
        lags.append((k - max_lag + frac) * frame_s)
    return np.asarray(lags)


def _loudness(y: np.ndarray, sr: int, t0: float, t1: float) -> float:
    seg = y[:, max(0, int(t0 * sr)) : max(0, int(t1 * sr))]
    return integrated_lufs(seg, sr=sr)


def measure_mix(result: MixResult, *, analyses: Mapping[str, TrackAnalysis]) -> list[TransitionMeasure]:
    """One measurement per transition of a rendered mix."""
    out = []
    stems = {s.index: s for s in result.stems}
    for k, spec in enumerate(result.timeline.transitions):
        start, end = result.timeline.overlap(k)
        offset = signed = None
        bars = 0
        a_id, b_id = result.timeline.placements[k].track_id, result.timeline.placements[k + 1].track_id
        a, b = analyses[a_id], analyses[b_id]
        if spec.kind == EQ_BLEND and k in stems:
            lags = beat_offsets(stems[k], beat_s=60.0 / a.bpm)
            if lags.size:
                offset, signed, bars = (
                    1000 * float(np.median(np.abs(lags))),
                    1000 * float(np.median(lags)),
                    lags.size,
                )
        before = _loudness(result.y, result.sr, start - LOUDNESS_WINDOW_S, start)
        after = _loudness(result.y, result.sr, end, end + LOUDNESS_WINDOW_S)
        jump = after - before if np.isfinite(before) and np.isfinite(after) else None
        out.append(
            TransitionMeasure(
                index=k,
                kind=spec.kind,
                mix_start_s=start,
                mix_end_s=end,
                bars=spec.bars,
                beat_offset_ms=offset,
                beat_offset_signed_ms=signed,
                bars_measured=bars,
                stretch_pct=spec.stretch_pct,
                camelot_from=a.camelot,
                camelot_to=b.camelot,
                camelot_distance=camelot_distance(a.camelot, b.camelot),
                loudness_jump_lu=jump,
            )
        )
    return out
