"""Musical key from a pitch-class profile, with its Camelot code (the DJ's harmonic-mixing wheel).

The chroma comes from a long-window STFT (4096 samples at 22.05 kHz: 5.4 Hz bins, enough to separate
semitones from about 90 Hz up), in four steps that each remove something that is not harmony:

1. harmonic-percussive separation by median filtering (Fitzgerald 2010): a bin that is steady across
   ~1.6 s is harmonic, one that is spread across ~90 Hz of neighbouring bins is a drum; only the
   harmonic part (soft Wiener mask) goes on, so drum hits stop smearing energy over every pitch class;
2. tuning: the weighted circular mean of the spectral peaks' deviation from the equal-tempered grid,
   so a recording a quarter-tone off A440 still lands its notes in the right pitch classes;
3. only local spectral peaks (partials) between 55 Hz and 2 kHz count, each with the square root of its
   magnitude (scale-free, unlike a log of a ratio to the track's loudest bin, and it keeps weak reverb and
   noise peaks from flattening the profile), added to the pitch class within ±50 cents by closeness;
4. the profile is matched against the 24 rotated major/minor templates: Temperley's Kostka-Payne profiles
   (better than Krumhansl's on popular music) with each template note's first four harmonics added
   (weights 0.6^(h-1), as essentia's Key does after Gómez 2006). A real note's 2nd-4th harmonics put
   energy on its octave and fifth; a template that expects that stops mistaking the dominant for the tonic.

The confidence is the margin of the best match over the runner-up, times the best correlation.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.camelot import camelot_code, key_name

__all__ = ["KeyEstimate", "camelot_code", "chroma_profile", "estimate_key", "estimate_tuning", "key_name"]

_MAJOR = np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400])
_MINOR = np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330])

_N_FFT = 4096
_HOP = 2048
_FMIN_HZ = 55.0
_FMAX_HZ = 2000.0
_MEDIAN_FRAMES = 17  # ~1.6 s at hop 2048 / 22.05 kHz: a held note outlasts it, a drum hit does not
_MEDIAN_BINS = 17  # ~90 Hz: a drum hit is wider than that, a partial is not
_N_HARMONICS = 4
_HARMONIC_SLOPE = 0.6


def _with_harmonics(profile: np.ndarray) -> np.ndarray:
    """``profile`` with each pitch class also feeding the classes of its harmonics 2..N (octave, fifth)."""
    out = np.zeros(12)
    for h in range(1, _N_HARMONICS + 1):
        out += _HARMONIC_SLOPE ** (h - 1) * np.roll(profile, round(12 * np.log2(h)) % 12)
    return out


def _templates() -> np.ndarray:
    """(24, 12) zero-mean unit-norm templates: rows 0..11 major on C..B, 12..23 minor on C..B."""
    rows = [np.roll(_with_harmonics(p), t) for p in (_MAJOR, _MINOR) for t in range(12)]
    t = np.array(rows)
    t -= t.mean(axis=1, keepdims=True)
    unit: np.ndarray = t / np.linalg.norm(t, axis=1, keepdims=True)
    return unit


_TEMPLATES = _templates()


@dataclass(frozen=True, kw_only=True)
class KeyEstimate:
    """``tonic`` pitch class 0..11 (C=0), ``mode`` "major"/"minor", names and a 0..1 confidence."""

    tonic: int
    mode: str
    name: str
    camelot: str
    confidence: float


def _running_median(x: np.ndarray, *, width: int, axis: int) -> np.ndarray:
    """Centred running median along ``axis`` with edge padding (a partial sort: ~3x scipy's filter)."""
    pad = [(0, 0)] * x.ndim
    pad[axis] = (width // 2, width // 2)
    windows = sliding_window_view(np.pad(x, pad, mode="edge"), width, axis=axis)
    return np.partition(windows, width // 2, axis=-1)[..., width // 2]


def _harmonic_part(spec: np.ndarray) -> np.ndarray:
    """``spec`` under the soft harmonic mask H²/(H²+P²) of median-filter HPSS."""
    harmonic = _running_median(spec, width=_MEDIAN_FRAMES, axis=1)
    percussive = _running_median(spec, width=_MEDIAN_BINS, axis=0)
    masked: np.ndarray = spec * harmonic**2 / (harmonic**2 + percussive**2 + np.finfo(spec.dtype).tiny)
    return masked


def _peaks(spec: np.ndarray) -> np.ndarray:
    """Boolean mask of local maxima along frequency (the partials)."""
    peaks = (spec >= np.roll(spec, 1, axis=0)) & (spec >= np.roll(spec, -1, axis=0))
    peaks[[0, -1]] = False
    return peaks


def estimate_tuning(*, spec: np.ndarray, sr: int, n_fft: int) -> float:
    """Deviation of the partials from A440 equal temperament, in semitones (-0.5..0.5).

    Each strong spectral peak (at least 5% of its frame's maximum) is located to a fraction of a bin by
    parabolic interpolation; the result is the magnitude-weighted circular mean of the peaks' distances to
    the nearest semitone, so deviations of +0.49 and -0.49 average to 0.5, not 0.
    """
    strong = _peaks(spec) & (spec > 0.05 * spec.max(axis=0, keepdims=True))
    b, t = np.nonzero(strong)
    a, m, c = spec[b - 1, t], spec[b, t], spec[b + 1, t]
    offset = 0.5 * (a - c) / np.minimum(a - 2 * m + c, -1e-12)
    freqs = (b + offset) * sr / n_fft
    usable = (freqs >= _FMIN_HZ) & (freqs <= _FMAX_HZ)
    if not np.any(usable):
        return 0.0
    semis = 12 * np.log2(freqs[usable] / 440.0)
    phase = np.sum(m[usable] * np.exp(2j * np.pi * semis))
    return float(np.angle(phase) / (2 * np.pi))


def _pitch_filter(freqs: np.ndarray, tuning: float) -> np.ndarray:
    """(12, n_bins) weights mapping STFT bins in 55 Hz..2 kHz onto pitch classes, ``tuning`` semitones off."""
    weights = np.zeros((12, len(freqs)))
    usable = (freqs >= _FMIN_HZ) & (freqs <= _FMAX_HZ)
    midi = 69 + 12 * np.log2(freqs[usable] / 440.0) - tuning
    nearest = np.round(midi)
    closeness = np.clip(1.0 - 2.0 * np.abs(midi - nearest), 0.0, 1.0)
    weights[nearest.astype(int) % 12, np.flatnonzero(usable)] = closeness
    return weights


def chroma_profile(*, y: np.ndarray, sr: int) -> np.ndarray:
    """Frame-wise chroma (12, n_frames) of the harmonic part of ``y``; tuned, spectral peaks only."""
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / sr)
    n_bins = min(len(freqs), int(np.searchsorted(freqs, _FMAX_HZ)) + _MEDIAN_BINS)
    spec = np.abs(librosa.stft(y, n_fft=_N_FFT, hop_length=_HOP, center=True)[:n_bins])
    spec = _harmonic_part(spec)
    tuning = estimate_tuning(spec=spec, sr=sr, n_fft=_N_FFT)
    values = np.where(_peaks(spec), np.sqrt(spec), 0.0)
    return _pitch_filter(freqs[:n_bins], tuning) @ values


def estimate_key(chroma: np.ndarray) -> KeyEstimate:
    """Best-correlating of the 24 major/minor templates for the summed chroma."""
    profile = chroma.sum(axis=1) if chroma.ndim == 2 else chroma
    centred = profile - profile.mean()
    if not np.any(profile > 0) or not np.any(centred):
        return KeyEstimate(
            tonic=0, mode="major", name=key_name(0, "major"), camelot=camelot_code(0, "major"), confidence=0.0
        )
    scores = _TEMPLATES @ (centred / np.linalg.norm(centred))
    order = np.argsort(scores)[::-1]
    best, second = int(order[0]), int(order[1])
    tonic, mode = best % 12, ("major" if best < 12 else "minor")
    confidence = float(
        np.clip((scores[best] - scores[second]) / 0.1, 0.0, 1.0) * np.clip(scores[best], 0.0, 1.0)
    )
    return KeyEstimate(
        tonic=tonic,
        mode=mode,
        name=key_name(tonic, mode),
        camelot=camelot_code(tonic, mode),
        confidence=confidence,
    )
