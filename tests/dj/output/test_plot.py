"""The set picture's mappings: Camelot on the wheel, tempo as heard, energy on the catalogue's scale."""

from __future__ import annotations

import numpy as np
import pytest

from dj.output.plot import effective_multipliers, smooth, wheel_positions


def test_twelve_a_to_one_a_is_one_step_on_the_wheel_axis() -> None:
    ys = wheel_positions(["11A", "12A", "1A", "2A"])
    assert np.diff(ys) == pytest.approx([1.0, 1.0, 1.0])
    down = wheel_positions(["1B", "12B", "11B"])
    assert np.diff(down) == pytest.approx([-1.0, -1.0])


def test_a_real_leap_stays_a_leap_and_relative_keys_sit_together() -> None:
    ys = wheel_positions(["8A", "2A"])  # six steps: as far as the wheel goes, either way round
    assert abs(ys[1] - ys[0]) == pytest.approx(6.0)
    relative = wheel_positions(["8A", "8B"])
    assert 0 < relative[1] - relative[0] < 0.5


def test_half_and_double_time_are_drawn_at_the_heard_tempo() -> None:
    # 136 -> 68 is half time (drawn at 136), then a 140 track is equal time again.
    assert effective_multipliers([136.0, 68.0, 140.0]) == [1.0, 2.0, 1.0]
    # A 70 BPM opener, then a 141 track (double time: drawn near 70), then 72 (equal time again).
    assert effective_multipliers([70.0, 141.0, 72.0]) == [1.0, 0.5, 1.0]
    # Unrelated tempi keep their own: 100 -> 128 is no octave relation.
    assert effective_multipliers([100.0, 128.0]) == [1.0, 1.0]


def test_smoothing_keeps_a_level_and_removes_a_single_spike() -> None:
    curve = np.full(60, 0.5)
    curve[30] = 1.0
    out = smooth(curve, hop_s=0.5, window_s=8.0)
    assert out[0] == pytest.approx(0.5)
    assert out.max() < 0.6
