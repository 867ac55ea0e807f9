"""Beat offsets of a rendered overlap measured independently: each placed stem beat-tracked on its own,
beats paired one by one, cross-checked by onset cross-correlation.

The planner aligns B on beat grids (the analysis' grid, moved onto onsets by :mod:`dj.mix.beat_phase`);
measuring with those grids or that phase estimator would only confirm the plan. Here nothing of the
plan enters: each track's rendered stem (stretched and placed, before the faders) is tracked with
librosa's dynamic-programming beat tracker on librosa's full-band onset strength, with its own tempo
estimate, over a window longer than the overlap (A's lead-in before it, B's continuation after it), so
the tracker has settled on the beat before the overlap starts. Each tracked beat is then moved to the
nearest onset peak (sub-frame, by parabolic interpolation), because the tracker places beats on a
smoothed score and would otherwise add its own scatter.

Two trackers can each be right and still disagree: one on the half-time pulse, one on the off-beat.
So beats are paired only when both trackers' beat rates inside the overlap agree (same tempo octave),
and a pair counts only when the beats lie within a quarter beat; when too few pair, the transition is
reported as unmeasurable, with the reason, rather than as a number that mixes real error with tracker
error. The onset cross-correlation of the two stems over the overlap (its peak within a quarter beat)
is a second, tracker-free estimate of the same offset.

One phase disagreement is not an error: a stem whose tracked beats carry no more kick and bass than
the midpoints between them has no strong and weak half at that tempo (a piece read at half its pulse,
its off-beats as heavy as its beats), so which half a tracker calls the beat is a coin toss. Then, and
only then, both stems are tracked again at twice the tempo and the offsets are measured at that pulse,
with a note saying so. Where both stems' beats are clearly accented, half a beat apart stays a phase
disagreement: a real half-beat error is never re-read as a pulse that hides it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import librosa
import numpy as np

TRACK_SR = 22050
HOP = 64  # 2.9 ms onset frames: where beats are placed
COARSE = 4  # the tracker runs on 4-frame means (11.6 ms): the same beats, a 16th of the cost
TEMPO_AGREEMENT = (
    0.03  # B is stretched to A's tempo in the overlap: beat rates further apart are a tracker error
)
MIN_PAIRED_SHARE = 0.6  # at least this share of A's beats in the overlap must find a partner
MIN_BEATS = 4
SNAP_SHARE = 0.1  # a tracked beat moves to the onset peak within this share of a beat
EDGE_S = 0.06  # an onset this close to a stem's edge has no audio on one side to rise from: not a beat
PHASES_DISAGREE = "beat phases disagree"
TEMPO_DISAGREE = "trackers disagree on the tempo"
ACCENTED = 1.3  # beats with this much more (or less) bass onset than their midpoints have a strong half
BASS_HZ = 250.0


@dataclass(frozen=True, kw_only=True)
class TrackedOffsets:
    """Per-beat offsets (ms, B minus A, positive when B is late) of one overlap, or the reason none were
    measured (``reason`` is empty when they were)."""

    offsets_ms: np.ndarray
    tempo_a_bpm: float | None
    tempo_b_bpm: float | None
    xcorr_ms: float | None
    reason: str = ""
    note: str = ""  # how a measured transition was measured, when not at A's analysed tempo

    @property
    def measured(self) -> bool:
        return not self.reason

    @property
    def median_ms(self) -> float | None:
        """Median signed offset."""
        return float(np.median(self.offsets_ms)) if self.measured else None

    @property
    def median_abs_ms(self) -> float | None:
        return float(np.median(np.abs(self.offsets_ms))) if self.measured else None

    @property
    def p90_abs_ms(self) -> float | None:
        return float(np.percentile(np.abs(self.offsets_ms), 90)) if self.measured else None


@dataclass(frozen=True, kw_only=True)
class _Tracked:
    beats: np.ndarray  # seconds from the stem's first sample
    env: np.ndarray
    frame_s: float
    bass: np.ndarray  # onset strength of the kick and bass alone (below BASS_HZ), same frames


def _snap(env: np.ndarray, frames: np.ndarray, radius: int) -> np.ndarray:
    """Each beat frame moved to the highest onset frame within ``radius``, refined between frames by a
    parabola through the peak and its neighbours."""
    out = np.empty(len(frames))
    n = len(env)
    for i, f in enumerate(frames.astype(int)):
        lo, hi = max(0, f - radius), min(n, f + radius + 1)
        k = lo + int(np.argmax(env[lo:hi])) if hi > lo else f
        delta = 0.0
        if 0 < k < n - 1:
            left, mid, right = env[k - 1], env[k], env[k + 1]
            denom = left - 2 * mid + right
            if denom < 0:
                delta = float(np.clip(0.5 * (left - right) / denom, -0.5, 0.5))
        out[i] = k + delta
    return out


def track(y: np.ndarray, *, sr: int, start_bpm: float = 120.0) -> _Tracked:
    """librosa's beat tracker on a mono stem, its beats snapped onto their onset peaks; ``start_bpm``
    centres the tracker's tempo prior (one octave wide), it does not set the tempo."""
    if sr != TRACK_SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=TRACK_SR, res_type="soxr_hq")
    env = librosa.onset.onset_strength(y=y, sr=TRACK_SR, hop_length=HOP)
    bass = librosa.onset.onset_strength(y=y, sr=TRACK_SR, hop_length=HOP, n_fft=2048, n_mels=12, fmax=BASS_HZ)
    frame_s = HOP / TRACK_SR
    if len(env) < 8 or float(env.max()) <= 0:
        return _Tracked(beats=np.zeros(0), env=env, frame_s=frame_s, bass=bass)
    coarse = env[: len(env) // COARSE * COARSE].reshape(-1, COARSE).mean(axis=1)
    hop = HOP * COARSE
    tempo = float(
        librosa.feature.tempo(onset_envelope=coarse, sr=TRACK_SR, hop_length=hop, start_bpm=start_bpm)[0]
    )
    _, coarse_frames = librosa.beat.beat_track(
        onset_envelope=coarse, sr=TRACK_SR, hop_length=hop, bpm=tempo, trim=False
    )
    frames = np.asarray(coarse_frames) * COARSE + COARSE // 2
    if len(frames) < 2:
        return _Tracked(beats=np.zeros(0), env=env, frame_s=frame_s, bass=bass)
    radius = max(1, round(SNAP_SHARE * float(np.median(np.diff(frames)))))
    beats = _snap(env, frames, radius) * frame_s
    inside = (beats >= EDGE_S) & (beats <= len(y) / TRACK_SR - EDGE_S)
    return _Tracked(beats=beats[inside], env=env, frame_s=frame_s, bass=bass)


def _rate(beats: np.ndarray) -> float | None:
    return 60.0 / float(np.median(np.diff(beats))) if len(beats) >= 2 else None


def _xcorr(
    ta: _Tracked, tb: _Tracked, *, a_from: float, b_from: float, length: float, period: float
) -> float:
    """Lag (s, B late when positive) within a quarter beat where B's onsets best match A's over the
    overlap (``a_from``/``b_from``: where the overlap starts in each stem)."""
    fs = ta.frame_s
    n = int(length / fs)
    ia, ib = round(a_from / fs), round(b_from / fs)
    ea = ta.env[ia : ia + n]
    eb = tb.env[ib : ib + n]
    m = min(len(ea), len(eb))
    ea, eb = ea[:m] - ea[:m].mean(), eb[:m] - eb[:m].mean()
    max_lag = int(0.25 * period / fs)
    lags = list(range(-max_lag, max_lag + 1))
    # B late by k frames: A's frame i meets B's frame i + k.
    scores = np.array(
        [float(np.dot(ea[max(0, -k) : m - max(0, k)], eb[max(0, k) : m - max(0, -k)])) for k in lags]
    )
    j = int(np.argmax(scores))
    delta = 0.0
    if 0 < j < len(scores) - 1:
        denom = scores[j - 1] - 2 * scores[j] + scores[j + 1]
        if denom < 0:
            delta = float(np.clip(0.5 * (scores[j - 1] - scores[j + 1]) / denom, -0.5, 0.5))
    return float((lags[j] + delta) * fs)


def _accent(t: _Tracked, beats: np.ndarray) -> float:
    """The kick-and-bass onset peaks near ``beats`` (stem seconds) over those near the midpoints between
    them (each the highest within the snap radius, as the beats themselves were placed). Near 1, the
    off-beats carry as much kick and bass as the beats: which half is the beat is arbitrary at this
    tempo. Kick against snare is a strong half even where the two are equally loud, so the bass band
    decides, not the full-band onsets the beats were tracked on."""
    if len(beats) < 3:
        return np.inf
    radius = max(1, round(SNAP_SHARE * float(np.median(np.diff(beats))) / t.frame_s))

    def peaks(times: np.ndarray) -> float:
        frames = np.clip(np.round(times / t.frame_s).astype(int), 0, len(t.bass) - 1)
        return float(np.mean([t.bass[max(0, f - radius) : f + radius + 1].max() for f in frames]))

    on, off = peaks(beats), peaks(0.5 * (beats[1:] + beats[:-1]))
    return max(on, off) / min(on, off) if min(on, off) > 0 else np.inf


def tracked_offsets(
    a: np.ndarray,
    b: np.ndarray,
    *,
    sr: int,
    a_overlap_start_s: float,
    overlap_s: float,
    start_bpm: float = 120.0,
) -> TrackedOffsets:
    """Per-beat offsets of B against A over an overlap.

    ``a`` is A's rendered stem ending where the overlap ends, its overlap starting ``a_overlap_start_s``
    in; ``b`` is B's rendered stem starting where the overlap starts (and usually running on past it);
    both mono at ``sr``, both on the mix clock. ``start_bpm`` (A's analysed tempo) centres both trackers'
    tempo prior, so that neither settles on a 4:3 or 3:2 level of a swung or triplet-rich piece; where
    the beats are, and the tempo itself, each tracker finds on its own stem. When the trackers put the
    beat on different halves and a stem has no strong half at that tempo, the offsets are measured at
    twice the tempo instead (see the module's docstring).
    """
    ta, tb = track(a, sr=sr, start_bpm=start_bpm), track(b, sr=sr, start_bpm=start_bpm)
    first = _offsets(ta, tb, a_overlap_start_s=a_overlap_start_s, overlap_s=overlap_s)
    if first.measured or not first.reason.startswith(PHASES_DISAGREE) or first.tempo_a_bpm is None:
        return first
    a_in = ta.beats[(ta.beats >= a_overlap_start_s) & (ta.beats <= a_overlap_start_s + overlap_s)]
    accents = {"A": _accent(ta, a_in), "B": _accent(tb, tb.beats[tb.beats <= overlap_s])}
    flat = {name: x for name, x in accents.items() if x < ACCENTED}
    if not flat:
        return first
    pulse = 2.0 * first.tempo_a_bpm
    double = _offsets(
        track(a, sr=sr, start_bpm=pulse),
        track(b, sr=sr, start_bpm=pulse),
        a_overlap_start_s=a_overlap_start_s,
        overlap_s=overlap_s,
    )
    rates = (double.tempo_a_bpm or pulse, double.tempo_b_bpm or pulse)
    # Only a pulse at twice the tempo counts: a tracker that settled elsewhere measured something else.
    if not double.measured or max(abs(np.log(r / pulse)) for r in rates) > np.log1p(2 * TEMPO_AGREEMENT):
        return first
    which = " and ".join(f"{n} ({x:.2f})" for n, x in flat.items())
    return replace(
        double,
        note=(
            f"measured at the {rates[0]:.0f} BPM pulse: at {first.tempo_a_bpm:.0f} BPM the trackers put the "
            f"beat on different halves, and the off-beats of {which} carry as much kick and bass as the beats"
        ),
    )


def _offsets(ta: _Tracked, tb: _Tracked, *, a_overlap_start_s: float, overlap_s: float) -> TrackedOffsets:
    """Pair two stems' tracked beats inside the overlap (see :func:`tracked_offsets`)."""
    a_in = ta.beats[(ta.beats >= a_overlap_start_s) & (ta.beats <= a_overlap_start_s + overlap_s)]
    a_in = a_in - a_overlap_start_s
    b_in = tb.beats[tb.beats <= overlap_s]
    rate_a, rate_b = _rate(a_in), _rate(b_in)

    def unmeasured(reason: str, *, xcorr_ms: float | None = None) -> TrackedOffsets:
        return TrackedOffsets(
            offsets_ms=np.zeros(0), tempo_a_bpm=rate_a, tempo_b_bpm=rate_b, xcorr_ms=xcorr_ms, reason=reason
        )

    if rate_a is None or rate_b is None or min(len(a_in), len(b_in)) < MIN_BEATS:
        return unmeasured("too few beats tracked in the overlap")
    if abs(np.log(rate_b / rate_a)) > np.log1p(TEMPO_AGREEMENT):
        octave = abs(abs(np.log2(rate_b / rate_a)) - 1.0) < 0.09
        return unmeasured(
            f"{TEMPO_DISAGREE}{' octave' if octave else ''}: A {rate_a:.0f} BPM, B {rate_b:.0f} BPM"
        )
    period = 60.0 / rate_a
    xcorr = 1000 * _xcorr(ta, tb, a_from=a_overlap_start_s, b_from=0.0, length=overlap_s, period=period)
    nearest = b_in[np.clip(np.searchsorted(b_in, a_in), 1, len(b_in) - 1)[:, None] + np.array([-1, 0])]
    diffs = nearest - a_in[:, None]
    d = diffs[np.arange(len(a_in)), np.argmin(np.abs(diffs), axis=1)]
    paired = d[np.abs(d) < 0.25 * period]
    if len(paired) < max(MIN_BEATS, MIN_PAIRED_SHARE * len(a_in)):
        return unmeasured(
            f"{PHASES_DISAGREE}: {len(paired)} of {len(a_in)} beats of A have a beat of B within a "
            "quarter beat (B half a beat off, or one tracker on the off-beats)",
            xcorr_ms=xcorr,
        )
    return TrackedOffsets(offsets_ms=1000 * paired, tempo_a_bpm=rate_a, tempo_b_bpm=rate_b, xcorr_ms=xcorr)
