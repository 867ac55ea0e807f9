"""Energy: a 2 Hz curve for set planning and one 0..1 number per track for the recommender and DJ.

"Energy" in the DJ sense mixes how loud, how dense and how bright a track is. The curve is short-term
loudness (0.5 s windows) mapped to 0..1; the overall value blends integrated loudness, onset density,
brightness and tempo with fixed weights (documented below, no training), so it is stable across catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.signal

from dj.analysis.onset import Frontend

__all__ = ["CURVE_HOP_S", "EnergyProfile", "energy_profile"]

CURVE_HOP_S = 0.5
_FLOOR_DB, _CEIL_DB = -50.0, -6.0

# Overall energy = weighted sum of features mapped to 0..1 over these (low, high) ranges.
_LOUDNESS_RANGE = (-32.0, -8.0)  # LUFS
_DENSITY_RANGE = (0.5, 7.0)  # onsets per second
_BRIGHTNESS_RANGE = (600.0, 3500.0)  # spectral centroid, Hz
_TEMPO_RANGE = (60.0, 180.0)  # BPM
_WEIGHTS = {"loudness": 0.45, "density": 0.25, "brightness": 0.2, "tempo": 0.1}


@dataclass(frozen=True, kw_only=True)
class EnergyProfile:
    """``times``/``curve`` at CURVE_HOP_S, the overall ``energy`` and the features it came from."""

    times: np.ndarray
    curve: np.ndarray
    energy: float
    onset_rate: float
    centroid_hz: float


def _scale(value: float, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return float(np.clip((value - lo) / (hi - lo), 0.0, 1.0))


def energy_profile(frontend: Frontend, *, lufs: float, bpm: float) -> EnergyProfile:
    """The energy curve and overall energy of a track from its front end and loudness."""
    per_window = max(1, round(CURVE_HOP_S * frontend.fps))
    power = frontend.rms.astype(np.float64) ** 2
    n_win = max(1, int(np.ceil(len(power) / per_window)))
    padded = np.zeros(n_win * per_window)
    padded[: len(power)] = power
    counts = np.minimum(per_window, len(power) - np.arange(n_win) * per_window)
    mean_power = padded.reshape(n_win, per_window).sum(axis=1) / np.maximum(counts, 1)
    db = 10 * np.log10(mean_power + 1e-12)
    curve = np.clip((db - _FLOOR_DB) / (_CEIL_DB - _FLOOR_DB), 0.0, 1.0).astype(np.float32)
    times = (np.arange(n_win) * per_window / frontend.fps).astype(np.float64)

    env = frontend.onset_full
    peaks, _ = scipy.signal.find_peaks(env, height=1.0, distance=max(1, int(0.05 * frontend.fps)))
    duration = max(frontend.n_frames / frontend.fps, 1e-6)
    onset_rate = len(peaks) / duration
    mel_lin = np.expm1(frontend.mel.astype(np.float64))
    centroid = float((frontend.mel_freqs @ mel_lin).sum() / (mel_lin.sum() + 1e-12))
    parts = {
        "loudness": _scale(lufs, _LOUDNESS_RANGE),
        "density": _scale(onset_rate, _DENSITY_RANGE),
        "brightness": _scale(centroid, _BRIGHTNESS_RANGE),
        "tempo": _scale(bpm, _TEMPO_RANGE),
    }
    energy = float(sum(_WEIGHTS[k] * v for k, v in parts.items()))
    return EnergyProfile(times=times, curve=curve, energy=energy, onset_rate=onset_rate, centroid_hz=centroid)
