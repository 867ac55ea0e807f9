"""Musical key from a pitch-class profile, with its Camelot code (the DJ's harmonic-mixing wheel).

The chroma comes from a long-window STFT (4096 samples at 22.05 kHz: 5.4 Hz bins, enough to separate
semitones from about 90 Hz up) of the harmonic part of the signal: each bin between 55 Hz and 2 kHz adds
its log magnitude to the pitch class within ±50 cents, weighted by closeness. The profile is matched
against the 24 rotated major/minor templates (Temperley's Kostka-Payne profiles, which score better on
popular music than Krumhansl's); the confidence is the margin of the best match over the runner-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

__all__ = ["KeyEstimate", "camelot_code", "chroma_profile", "estimate_key", "key_name"]

PITCHES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MAJOR = np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400])
_MINOR = np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330])
# Camelot numbers for major keys by tonic pitch class (C major = 8B); a minor key shares its number with
# its relative major (A minor = 8A).
_CAMELOT_MAJOR = (8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1)

_N_FFT = 4096
_HOP = 2048
_FILTER_CACHE: dict[int, np.ndarray] = {}


@dataclass(frozen=True, kw_only=True)
class KeyEstimate:
    """``tonic`` pitch class 0..11 (C=0), ``mode`` "major"/"minor", names and a 0..1 confidence."""

    tonic: int
    mode: str
    name: str
    camelot: str
    confidence: float


def key_name(tonic: int, mode: str) -> str:
    return f"{PITCHES[tonic % 12]} {mode}"


def camelot_code(tonic: int, mode: str) -> str:
    """Camelot code: ``8B`` for C major, ``8A`` for A minor; neighbours on the wheel mix well."""
    if mode == "major":
        return f"{_CAMELOT_MAJOR[tonic % 12]}B"
    return f"{_CAMELOT_MAJOR[(tonic + 3) % 12]}A"


def _pitch_filter(sr: int) -> np.ndarray:
    """(12, n_bins) weights mapping STFT bins in 55 Hz..2 kHz onto pitch classes."""
    if sr not in _FILTER_CACHE:
        freqs = np.fft.rfftfreq(_N_FFT, 1.0 / sr)
        weights = np.zeros((12, len(freqs)))
        usable = (freqs >= 55.0) & (freqs <= 2000.0)
        midi = 69 + 12 * np.log2(freqs[usable] / 440.0)
        nearest = np.round(midi)
        closeness = np.clip(1.0 - 2.0 * np.abs(midi - nearest), 0.0, 1.0)
        weights[nearest.astype(int) % 12, np.flatnonzero(usable)] = closeness
        _FILTER_CACHE[sr] = weights
    return _FILTER_CACHE[sr]


def chroma_profile(*, y: np.ndarray, sr: int) -> np.ndarray:
    """Frame-wise chroma (12, n_frames) of ``y``; log-compressed, spectral peaks only."""
    spec = np.abs(librosa.stft(y, n_fft=_N_FFT, hop_length=_HOP, center=True))
    # Keep local spectral peaks (partials), drop the broadband floor from drums and noise.
    peaks = (spec >= np.roll(spec, 1, axis=0)) & (spec >= np.roll(spec, -1, axis=0))
    spec = np.where(peaks, np.log1p(1000.0 * spec / (spec.max() + 1e-12)), 0.0)
    return _pitch_filter(sr) @ spec


def estimate_key(chroma: np.ndarray) -> KeyEstimate:
    """Best-correlating of the 24 major/minor templates for the summed chroma."""
    profile = chroma.sum(axis=1) if chroma.ndim == 2 else chroma
    if not np.any(profile > 0):
        return KeyEstimate(tonic=0, mode="major", name=key_name(0, "major"), camelot="8B", confidence=0.0)
    scores = np.zeros(24)
    for tonic in range(12):
        scores[tonic] = np.corrcoef(profile, np.roll(_MAJOR, tonic))[0, 1]
        scores[12 + tonic] = np.corrcoef(profile, np.roll(_MINOR, tonic))[0, 1]
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
