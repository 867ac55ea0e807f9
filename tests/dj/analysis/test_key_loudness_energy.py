"""Key and Camelot, BS.1770 loudness and true peak, and energy on signals with known answers."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from dj.analysis import analyze
from dj.analysis.key import camelot_code
from dj.analysis.loudness import SILENCE_LUFS, integrated_loudness, true_peak_dbtp
from dj.testing.music import render_track


@pytest.mark.parametrize(
    ("tonic", "mode", "name", "camelot"),
    [
        (9, "minor", "A minor", "8A"),
        (0, "major", "C major", "8B"),
        (7, "major", "G major", "9B"),
        (2, "minor", "D minor", "7A"),
        (6, "major", "F# major", "2B"),
        (10, "minor", "Bb minor", "3A"),
    ],
)
def test_key_and_camelot_of_a_rendered_progression(tonic: int, mode: str, name: str, camelot: str) -> None:
    track = render_track(bpm=110.0, tonic=tonic, mode=mode, pattern="backbeat", duration_s=8.0, seed=tonic)
    result = analyze(y=track.y, sr=track.sr)
    assert (result.key, result.camelot) == (name, camelot)
    assert result.key_confidence > 0.2


def test_camelot_wheel_matches_the_standard_codes() -> None:
    assert [camelot_code(t, "major") for t in (0, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10, 5)] == [
        f"{n}B" for n in range(8, 13)
    ] + [f"{n}B" for n in range(1, 8)]
    assert (
        camelot_code(9, "minor") == "8A"
        and camelot_code(4, "minor") == "9A"
        and camelot_code(8, "minor") == "1A"
    )


def test_loudness_agrees_with_pyloudnorm_and_scales_with_gain() -> None:
    rng = np.random.default_rng(1)
    sr = 48000
    y = (0.1 * rng.standard_normal((2, 3 * sr))).astype(np.float32)
    ours = integrated_loudness(y=y, sr=sr)
    reference = pyloudnorm.Meter(sr).integrated_loudness(y.T)
    assert ours == pytest.approx(reference, abs=0.1)
    assert integrated_loudness(y=0.5 * y, sr=sr) == pytest.approx(ours - 6.02, abs=0.05)
    # A stereo pair of identical channels reads 3 LU louder than one channel alone (BS.1770 sums channels).
    assert integrated_loudness(y=np.stack([y[0], y[0]]), sr=sr) == pytest.approx(
        integrated_loudness(y=y[0], sr=sr) + 3.01, abs=0.05
    )
    assert integrated_loudness(y=np.zeros(sr, dtype=np.float32), sr=sr) == SILENCE_LUFS


def test_true_peak_sees_between_the_samples() -> None:
    sr = 48000
    n = np.arange(sr)
    # A sine at sr/4 sampled 45 degrees off its crest: every sample reads 0.707, the wave peaks at 1.0.
    y = np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32)
    assert 20 * np.log10(np.abs(y).max()) == pytest.approx(-3.01, abs=0.02)
    assert true_peak_dbtp(y=y, sr=sr) == pytest.approx(0.0, abs=0.2)


def test_energy_orders_a_quiet_sparse_track_below_a_loud_dense_one() -> None:
    calm = render_track(bpm=70.0, pattern="sparse", duration_s=8.0, seed=1)
    busy = render_track(bpm=140.0, pattern="breakbeat", duration_s=8.0, seed=1)
    calm_a = analyze(y=0.2 * calm.y, sr=calm.sr)
    busy_a = analyze(y=busy.y * 1.8, sr=busy.sr)
    assert 0.0 <= calm_a.energy < busy_a.energy <= 1.0
    assert calm_a.lufs < busy_a.lufs
    assert np.all((busy_a.energy_curve >= 0) & (busy_a.energy_curve <= 1))
    assert np.median(np.diff(busy_a.energy_times)) == pytest.approx(0.5, abs=0.01)
