"""A fixed-length, L2-normalised audio embedding for similarity search and cold start.

Hand-made and documented rather than learned, so it needs no model download and means the same on every
catalogue. Blocks (dimensions) and their share of the squared norm:

* timbre (26, 45%): mean and std of MFCC 1..13 from the log-mel spectrogram (MFCC 0, loudness, dropped);
* harmony (12, 15%): the chroma profile rotated so the estimated tonic is first (key-invariant), sum 1;
* spectral contrast (6, 10%): peak-minus-valley of the log-mel spectrum in six octave bands;
* rhythm (9, 20%): log2 tempo / 120, tempo confidence, onset rate, pulse clarity, kick/snare/hat share of
  percussive flux, percussive-to-harmonic ratio, off-beat (syncopation) strength;
* dynamics and mode (5, 10%): loudness, energy, energy-curve spread, log brightness, mode (major +, minor -)
  times key confidence.

Each block is centred and scaled by fixed constants (typical values on music), L2-normalised, weighted
by the square root of its share, then the whole vector is L2-normalised.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.fft

from dj.analysis.energy import EnergyProfile
from dj.analysis.key import KeyEstimate
from dj.analysis.onset import Frontend
from dj.analysis.tempo import autocorrelation

__all__ = ["EMBEDDING_DIM", "audio_embedding"]

_BLOCK_WEIGHTS = {"timbre": 0.45, "harmony": 0.15, "contrast": 0.10, "rhythm": 0.20, "dynamics": 0.10}
EMBEDDING_DIM = 26 + 12 + 6 + 9 + 5


def _unit(x: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(x))
    return x / norm if norm > 1e-9 else x


def _timbre(frontend: Frontend) -> np.ndarray:
    mfcc = scipy.fft.dct(frontend.mel, type=2, norm="ortho", axis=0)[1:14]
    return np.concatenate([mfcc.mean(axis=1) / 4.0, (mfcc.std(axis=1) - 1.0) / 1.0])


def _contrast(frontend: Frontend) -> np.ndarray:
    edges = [30, 120, 250, 500, 1000, 2000, 4000, 11025]
    out = []
    for lo, hi in itertools.pairwise(edges):
        band = frontend.mel[(frontend.mel_freqs >= lo) & (frontend.mel_freqs < hi)]
        if band.shape[0] < 2:
            out.append(0.0)
            continue
        out.append(float(np.mean(band.max(axis=0) - band.min(axis=0))))
    return (np.asarray(out[:6]) - 1.0) / 1.0


def _rhythm(frontend: Frontend, *, bpm: float, bpm_confidence: float, onset_rate: float) -> np.ndarray:
    fps = frontend.fps
    lag = 60.0 * fps / bpm
    ac = autocorrelation(frontend.onset_full, max_lag=min(len(frontend.onset_full) - 2, int(2.2 * lag)))
    clarity = float(ac[round(lag)]) if round(lag) < len(ac) else 0.0
    perc = np.expm1(frontend.percussive.astype(np.float64)).sum()
    harm = np.expm1(frontend.harmonic.astype(np.float64)).sum()
    shares = np.array([frontend.onset_low.mean(), frontend.onset_mid.mean(), frontend.onset_high.mean()])
    shares = shares / (shares.sum() + 1e-9)
    half = round(lag / 2)
    offbeat = float(ac[half]) if half < len(ac) else 0.0
    return np.array(
        [
            np.log2(bpm / 120.0) * 2,
            bpm_confidence - 0.5,
            (onset_rate - 3.0) / 3.0,
            clarity * 2,
            *(shares - 1 / 3) * 3,
            np.log10((perc + 1e-9) / (harm + 1e-9)),
            offbeat * 2,
        ]
    )


def audio_embedding(
    frontend: Frontend,
    *,
    chroma: np.ndarray,
    key: KeyEstimate,
    bpm: float,
    bpm_confidence: float,
    energy: EnergyProfile,
    lufs: float,
) -> np.ndarray:
    """The float32 embedding of one track (length :data:`EMBEDDING_DIM`, unit L2 norm)."""
    profile = chroma.sum(axis=1) if chroma.ndim == 2 else chroma
    profile = np.roll(profile, -key.tonic)
    profile = profile / (profile.sum() + 1e-9) - 1 / 12
    mode = (1.0 if key.mode == "major" else -1.0) * key.confidence
    dynamics = np.array(
        [
            (lufs + 18.0) / 8.0,
            (energy.energy - 0.5) * 2,
            float(np.std(energy.curve)) * 4,
            np.log2(max(energy.centroid_hz, 50.0) / 1500.0),
            mode,
        ]
    )
    blocks = {
        "timbre": _timbre(frontend),
        "harmony": profile * 12,
        "contrast": _contrast(frontend),
        "rhythm": _rhythm(frontend, bpm=bpm, bpm_confidence=bpm_confidence, onset_rate=energy.onset_rate),
        "dynamics": dynamics,
    }
    parts = [np.sqrt(_BLOCK_WEIGHTS[name]) * _unit(np.nan_to_num(v)) for name, v in blocks.items()]
    return _unit(np.concatenate(parts)).astype(np.float32)
