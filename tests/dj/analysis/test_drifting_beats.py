"""Beats that follow the music where its tempo drifts, with the straight grid kept where it fits."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from dj.analysis import analyze
from dj.testing.music import render_track


@pytest.mark.parametrize(
    ("meter", "bpm", "drift"), [("4/4", 90.0, 0.10), ("4/4", 120.0, 0.08), ("3/4", 120.0, 0.06)]
)
def test_beats_follow_a_drifting_tempo_map(meter: str, bpm: float, drift: float) -> None:
    track = render_track(bpm=bpm, meter=meter, duration_s=30.0, seed=7, drift=drift)
    result = analyze(y=track.y, sr=track.sr)
    assert not result.beats_on_grid
    assert mir_eval.beat.f_measure(track.beats, result.beats) > 0.95
    # The tempo curve moves with the map: it spans most of the rendered swing, not one flat value.
    true_local = 60.0 / np.diff(track.beats)
    curve = result.tempo_curve
    assert len(curve) == len(result.beats) - 1
    assert curve.max() / curve.min() > 1 + drift
    assert np.median(curve) == pytest.approx(np.median(true_local), rel=0.03)


def test_a_steady_track_keeps_its_straight_grid_and_a_flat_curve() -> None:
    track = render_track(bpm=128.0, pattern="four_on_floor", duration_s=30.0, seed=7)
    result = analyze(y=track.y, sr=track.sr)
    assert result.beats_on_grid
    np.testing.assert_allclose(np.diff(result.beats), 60.0 / 128.0, rtol=0.002)
    np.testing.assert_allclose(result.tempo_curve, result.bpm, rtol=1e-4)
