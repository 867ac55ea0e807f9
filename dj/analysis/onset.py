"""The spectral front end shared by every analysis step: one STFT, a mel spectrogram split into
percussive and harmonic parts, and onset-strength envelopes per frequency band.

Why bands: tempo octave errors come from mixing up metrical levels. Kick and snare (low/mid percussive
bands) usually mark the beat, hi-hats (high band) its subdivisions, and chord changes (harmonic flux) the
bar. Keeping the envelopes apart lets the tempo, beat and downbeat steps weigh each cue for what it says.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import scipy.ndimage
import scipy.signal

__all__ = ["ANALYSIS_SR", "HOP_LENGTH", "N_FFT", "Frontend", "compute_frontend"]

#: Rate of the rhythm/timbre analysis: content above 11 kHz adds nothing to beats, key or timbre here.
ANALYSIS_SR = 22050
N_FFT = 1024
HOP_LENGTH = 256  # 11.6 ms frames: fine enough for the ±70 ms beat window, cheap enough for 50x real time
N_MELS = 64

_MEL_CACHE: dict[tuple[int, int, int], np.ndarray] = {}


@dataclass(frozen=True, kw_only=True)
class Frontend:
    """Per-frame representations of one track at ``sr``/``hop_length``.

    ``mel`` is the log-compressed mel magnitude (n_mels, n_frames), ``percussive``/``harmonic`` its
    median-filter separation; envelopes are half-wave-rectified spectral flux, one value per frame,
    scaled to unit standard deviation so cues from different bands are comparable.
    """

    sr: int
    hop_length: int
    mel_freqs: np.ndarray
    mel: np.ndarray
    percussive: np.ndarray
    harmonic: np.ndarray
    onset_full: np.ndarray
    onset_low: np.ndarray
    onset_mid: np.ndarray
    onset_high: np.ndarray
    onset_harmonic: np.ndarray
    rms: np.ndarray

    @property
    def fps(self) -> float:
        return self.sr / self.hop_length

    @property
    def n_frames(self) -> int:
        return int(self.mel.shape[1])

    def frame_times(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps


def _mel_basis(sr: int, n_fft: int, n_mels: int) -> np.ndarray:
    key = (sr, n_fft, n_mels)
    if key not in _MEL_CACHE:
        _MEL_CACHE[key] = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=30.0, fmax=sr / 2)
    return _MEL_CACHE[key]


def _flux(spec: np.ndarray, *, lag: int = 1) -> np.ndarray:
    """Half-wave-rectified frame difference summed over bands, aligned so a peak sits on the onset frame."""
    diff = np.maximum(spec[:, lag:] - spec[:, :-lag], 0.0).sum(axis=0)
    return np.concatenate([np.zeros(lag), diff])


def _normalise(env: np.ndarray, *, fps: float) -> np.ndarray:
    """Remove the slow trend (a ~1 s moving mean) and scale to unit std: periodicity, not loudness."""
    width = max(3, round(fps * 1.0))
    trend = scipy.ndimage.uniform_filter1d(env, size=width, mode="nearest")
    out = np.maximum(env - trend, 0.0)
    std = float(out.std())
    return (out / std).astype(np.float32) if std > 1e-9 else np.zeros_like(out, dtype=np.float32)


def compute_frontend(*, y: np.ndarray, sr: int, hop_length: int = HOP_LENGTH) -> Frontend:
    """All per-frame features of mono ``y`` at ``sr`` (expected :data:`ANALYSIS_SR`)."""
    spec = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=hop_length, center=True))
    mel_lin = _mel_basis(sr, N_FFT, N_MELS) @ spec
    mel = np.log1p(100.0 * mel_lin).astype(np.float32)
    mel_freqs = librosa.mel_frequencies(n_mels=N_MELS, fmin=30.0, fmax=sr / 2)
    # Median-filter HPSS on the small mel spectrogram: smooth in time = harmonic, in frequency = percussive.
    fps = sr / hop_length
    h_len = round(0.2 * fps) | 1
    harm = scipy.ndimage.median_filter(mel_lin, size=(1, h_len), mode="nearest")
    perc = scipy.ndimage.median_filter(mel_lin, size=(7, 1), mode="nearest")
    total = harm**2 + perc**2 + 1e-12
    perc_lin = mel_lin * (perc**2 / total)
    harm_lin = mel_lin * (harm**2 / total)
    percussive = np.log1p(100.0 * perc_lin).astype(np.float32)
    harmonic = np.log1p(100.0 * harm_lin).astype(np.float32)
    low = mel_freqs < 180.0
    high = mel_freqs >= 3000.0
    mid = ~low & ~high
    rms = np.sqrt(np.mean(spec**2, axis=0) * 2.0) / N_FFT * 2.0
    return Frontend(
        sr=sr,
        hop_length=hop_length,
        mel_freqs=mel_freqs,
        mel=mel,
        percussive=percussive,
        harmonic=harmonic,
        onset_full=_normalise(_flux(mel), fps=fps),
        onset_low=_normalise(_flux(percussive[low]), fps=fps),
        onset_mid=_normalise(_flux(percussive[mid]), fps=fps),
        onset_high=_normalise(_flux(percussive[high]), fps=fps),
        onset_harmonic=_normalise(_flux(harmonic, lag=2), fps=fps),
        rms=rms.astype(np.float32),
    )
