"""Tempo matching between two tracks: half and double time count as a match."""

from __future__ import annotations

import pytest

from dj.planning.tempo_match import match_tempo, tempo_score


def test_half_and_double_time_are_matched() -> None:
    m = match_tempo(bpm_a=140.0, bpm_b=70.0)
    assert m.multiplier == 2.0 and m.stretch == pytest.approx(0.0)
    near, far = match_tempo(bpm_a=120, bpm_b=123), match_tempo(bpm_a=120, bpm_b=100)
    assert tempo_score(near) > 0.8 > tempo_score(far)
    assert tempo_score(m) < tempo_score(match_tempo(bpm_a=140, bpm_b=140))
