"""Key estimation front end on signals with known answers: tuning, harmonic-percussive split, templates."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import soxr

from dj.analysis.key import (
    _harmonic_part,
    _with_harmonics,
    chroma_profile,
    estimate_key,
    estimate_tuning,
)
from dj.testing.music import render_track

SR = 22050


def _detuned(y: np.ndarray, cents: float) -> np.ndarray:
    """``y`` played ``cents`` sharp (resampled as if recorded at a slightly higher rate)."""
    return soxr.resample(y, SR * 2 ** (cents / 1200), SR).astype(np.float32)


def _spectrum(y: np.ndarray) -> np.ndarray:
    return np.abs(librosa.stft(y, n_fft=4096, hop_length=2048))


@pytest.mark.parametrize("cents", [-30.0, 0.0, 20.0, 45.0])
def test_tuning_of_a_harmonic_tone(cents: float) -> None:
    t = np.arange(3 * SR) / SR
    f0 = 220.0 * 2 ** (cents / 1200)
    y = sum(0.5**h * np.sin(2 * np.pi * f0 * (h + 1) * t) for h in range(4)).astype(np.float32)
    assert estimate_tuning(spec=_spectrum(y), sr=SR, n_fft=4096) == pytest.approx(cents / 100, abs=0.03)


@pytest.mark.parametrize(("tonic", "mode", "name"), [(9, "minor", "A minor"), (0, "major", "C major")])
def test_key_of_a_progression_a_near_quarter_tone_sharp(tonic: int, mode: str, name: str) -> None:
    # At +45 cents every note sits 5 cents from the next semitone's bin boundary: without the tuning
    # estimate the profile smears upwards (the old front end answered E major / G major here).
    track = render_track(bpm=100.0, tonic=tonic, mode=mode, pattern="sparse", duration_s=8.0, seed=tonic)
    y = _detuned(track.y, 45.0)
    assert estimate_key(chroma_profile(y=y, sr=SR)).name == name


def test_harmonic_part_keeps_a_held_tone_and_drops_a_click() -> None:
    t = np.arange(4 * SR) / SR
    tone = 0.3 * np.sin(2 * np.pi * 440.0 * t)
    clicks = np.zeros_like(tone)
    rng = np.random.default_rng(0)
    for start in range(SR // 2, len(t) - 1000, SR // 2):
        clicks[start : start + 400] = rng.standard_normal(400) * np.exp(-np.arange(400) / 60)
    spec = _spectrum((tone + clicks).astype(np.float32))[:400]
    harmonic = _harmonic_part(spec)
    tone_bin = round(440.0 * 4096 / SR)
    others = np.r_[0 : tone_bin - 3, tone_bin + 4 : 400]
    assert harmonic[tone_bin].sum() > 0.9 * spec[tone_bin].sum()  # the held partial survives
    assert harmonic[others].sum() < 0.25 * spec[others].sum()  # the broadband clicks mostly do not


def test_templates_expect_octave_and_fifth_harmonics() -> None:
    one_c = np.eye(12)[0]
    # Harmonics 1, 2 and 4 are C again (1 + 0.6 + 0.216); harmonic 3 is G (0.36).
    np.testing.assert_allclose(_with_harmonics(one_c), 1.816 * one_c + 0.36 * np.eye(12)[7])


def test_silence_and_flat_profiles_have_zero_confidence() -> None:
    assert estimate_key(chroma_profile(y=np.zeros(SR * 2, np.float32), sr=SR)).confidence == 0.0
    assert estimate_key(np.ones(12)).confidence == 0.0
