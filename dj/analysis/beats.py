"""Beat tracking: a phase-locked grid at the estimated tempo, refined on onsets, with a dynamic
programming fallback for performances whose tempo drifts.

DJ software mixes on a grid: most produced music is played to a click, so a straight line through the
beats (time = phase + k * period) gives both the precise BPM (to 0.01) and beats without jitter. When the
onsets stray from any straight line (live, rubato), we keep the dynamic-programming path (Ellis 2007)
that follows the drift instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dj.analysis.onset import Frontend

__all__ = ["BeatGrid", "beat_envelope", "grid_fit", "tempo_curve", "track_beats"]

_GRID_RESIDUAL_S = 0.025  # a grid fits when the median onset sits within 25 ms of it
_DP_TIGHTNESS = 100.0
_FOLLOW_GAIN = 1.15  # tempo-following beats must catch 15% more onset energy than the grid to replace it


@dataclass(frozen=True, kw_only=True)
class BeatGrid:
    """Beat times (s), the tempo they imply, whether they lie on one straight grid, and the local tempo
    (BPM, ``tempo_curve``) at ``tempo_times`` (s): flat on a grid, the smoothed beat rate off it."""

    beats: np.ndarray
    bpm: float
    on_grid: bool
    tempo_times: np.ndarray
    tempo_curve: np.ndarray


_CURVE_SMOOTHING_BEATS = 5  # median over this many inter-beat intervals: one late hit is not a tempo change


def tempo_curve(beats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local tempo (BPM) at the midpoint of each inter-beat interval, median-smoothed over a few beats."""
    if len(beats) < 2:
        return np.zeros(0), np.zeros(0)
    ibi = np.diff(beats)
    half = _CURVE_SMOOTHING_BEATS // 2
    padded = np.pad(ibi, half, mode="edge")
    smooth = np.array([np.median(padded[i : i + 2 * half + 1]) for i in range(len(ibi))])
    return (beats[:-1] + beats[1:]) / 2, 60.0 / smooth


def beat_envelope(frontend: Frontend) -> np.ndarray:
    """The onset envelope beats are aligned on: all bands, kick and snare counted most."""
    envelope: np.ndarray = frontend.onset_full + frontend.onset_low + frontend.onset_mid
    return (envelope + 0.5 * frontend.onset_high).astype(np.float64)


def _active_span(frontend: Frontend) -> tuple[int, int]:
    """First and last frames that hold sound (above -45 dB of the loudest frame)."""
    rms = frontend.rms
    if rms.max() <= 0:
        return 0, len(rms) - 1
    active = np.flatnonzero(20 * np.log10(rms / rms.max() + 1e-12) > -45.0)
    return int(active[0]), int(active[-1])


def _smooth(env: np.ndarray) -> np.ndarray:
    return np.convolve(env, np.array([0.25, 0.5, 1.0, 0.5, 0.25]), mode="same")


def _comb_search(env: np.ndarray, period: float, *, spread: float = 0.05) -> tuple[float, float, float]:
    """Period (within ±``spread``) and phase whose comb of beats collects the most onset energy, and the
    mean (smoothed) onset strength on that comb.

    The tempo step only knows the period to about 2%; over a 30 s track that error drifts a full beat,
    so the period is searched on a 0.1% grid jointly with the phase before any local refinement.
    """
    n = len(env)
    smooth = _smooth(env)
    best = (period, 0.0, -np.inf)
    for p in period * (1.0 + np.arange(-spread, spread + 1e-9, 0.001)):
        phases = np.arange(0.0, p, 0.5)
        ks = np.arange(int((n - 1) / p) + 1)
        idx = np.round(phases[:, None] + ks[None, :] * p).astype(int)
        valid = idx < n
        scores = np.where(valid, smooth[np.minimum(idx, n - 1)], 0.0).sum(axis=1) / valid.sum(axis=1)
        j = int(np.argmax(scores))
        if scores[j] > best[2]:
            best = (float(p), float(phases[j]), float(scores[j]))
    return best


def grid_fit(env: np.ndarray, *, period: float) -> float:
    """How much onset energy the best straight beat grid near ``period`` (frames) collects, relative to
    the envelope's mean: a phase-aware check of a tempo that autocorrelation alone cannot make."""
    mean = float(_smooth(env).mean())
    return _comb_search(env, period, spread=0.02)[2] / mean if mean > 0 else 0.0


def _refine_grid(
    env: np.ndarray, period: float, phase: float, span: tuple[int, int]
) -> tuple[float, float, float]:
    """Fit time = phase + k * period to the onset peak nearest each grid beat; returns period, phase,
    median absolute residual (frames). Iterated twice so a small tempo error does not bias the fit."""
    n = len(env)
    for _ in range(3):
        k0 = int(np.ceil((span[0] - phase) / period))
        k1 = int(np.floor((span[1] - phase) / period))
        ks = np.arange(max(k0, 0), k1 + 1)
        if len(ks) < 4:
            return period, phase, 0.0
        centres = phase + ks * period
        radius = max(2, int(period / 8))
        pos, weights = [], []
        for c in centres:
            lo, hi = max(0, round(c) - radius), min(n, round(c) + radius + 1)
            window = env[lo:hi]
            if len(window) == 0 or window.max() <= 0:
                pos.append(c)
                weights.append(0.0)
                continue
            j = int(np.argmax(window))
            pos.append(lo + j)
            weights.append(float(window[j]))
        pos_a, w = np.asarray(pos, dtype=float), np.asarray(weights)
        if w.sum() <= 0:
            return period, phase, 0.0
        # Weighted least squares, then drop the worst quarter (syncopated or missing hits) and refit.
        slope, intercept = np.polyfit(ks, pos_a, 1, w=np.sqrt(w + 1e-9))
        resid = np.abs(pos_a - (intercept + slope * ks))
        keep = resid <= np.quantile(resid, 0.75) + 1e-9
        if keep.sum() >= 4:
            slope, intercept = np.polyfit(ks[keep], pos_a[keep], 1, w=np.sqrt(w[keep] + 1e-9))
        if abs(slope / period - 1) > 0.04:  # the fit wandered to another tempo: keep the estimate
            slope = period
        period, phase = float(slope), float(intercept % slope)
    resid = np.abs(pos_a - (intercept + slope * ks))
    strong = w >= np.median(w)
    return period, phase, float(np.median(resid[strong])) if strong.any() else 0.0


def _dp_beats(env: np.ndarray, period: float) -> np.ndarray:
    """Ellis' dynamic-programming beat tracker: onsets rewarded, deviation from ``period`` penalised."""
    n = len(env)
    local = env / (env.std() + 1e-9)
    window = np.arange(-round(2 * period), -round(period / 2) + 1)
    penalty = -_DP_TIGHTNESS * np.log(-window / period) ** 2
    cum = local.copy()
    back = np.full(n, -1)
    for t in range(n):
        idx = t + window
        valid = idx >= 0
        if not valid.any():
            continue
        cand = cum[idx[valid]] + penalty[valid]
        j = int(np.argmax(cand))
        if cand[j] > 0:
            cum[t] = local[t] + cand[j]
            back[t] = idx[valid][j]
    # Start from the best-scoring frame in the last beat period and follow the links back.
    t = int(n - period + np.argmax(cum[int(n - period) :])) if n > period else int(np.argmax(cum))
    path = []
    while t >= 0:
        path.append(t)
        t = back[t]
    return np.asarray(path[::-1], dtype=float)


def _on_beats(smooth: np.ndarray, frames: np.ndarray) -> float:
    """Mean (smoothed) onset strength at the beat frames: how much of the music a set of beats catches."""
    idx = np.clip(np.round(frames).astype(int), 0, len(smooth) - 1)
    return float(smooth[idx].mean()) if len(idx) else 0.0


def track_beats(frontend: Frontend, *, bpm: float) -> BeatGrid:
    """Beats (seconds) over the sounding part of the track, at (about) ``bpm``.

    The straight grid is kept when its onsets sit close to it and it catches about as much onset energy
    as the beats that follow local tempo (within :data:`_FOLLOW_GAIN`); a drifting performance, whose
    grid slides off the beats between the places where it fits, gets the tempo-following beats instead.
    """
    fps = frontend.fps
    env = beat_envelope(frontend)
    span = _active_span(frontend)
    period = 60.0 * fps / bpm
    period, phase, _ = _comb_search(env, period)
    period, phase, resid = _refine_grid(env, period, phase, span)
    first = phase + np.ceil((span[0] - phase - period / 4) / period) * period
    grid = np.arange(first, span[1] + period / 4, period)
    grid = grid[(grid >= 0) & (grid < len(env))]
    followed = _dp_beats(env, period)
    followed = followed[(followed >= span[0] - period / 4) & (followed <= span[1] + period / 4)]
    smooth = _smooth(env)
    fits = resid / fps <= _GRID_RESIDUAL_S
    if len(followed) < 2 or (fits and _on_beats(smooth, grid) * _FOLLOW_GAIN >= _on_beats(smooth, followed)):
        beats = grid / fps
        tempo = 60.0 * fps / period
        times = beats[[0, -1]] if len(beats) else np.zeros(0)
        return BeatGrid(
            beats=beats, bpm=tempo, on_grid=True, tempo_times=times, tempo_curve=np.full(len(times), tempo)
        )
    tempo = 60.0 * fps / float(np.median(np.diff(followed)))
    times, curve = tempo_curve(followed / fps)
    return BeatGrid(beats=followed / fps, bpm=tempo, on_grid=False, tempo_times=times, tempo_curve=curve)
