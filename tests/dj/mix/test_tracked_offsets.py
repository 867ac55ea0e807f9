"""The independent offset measurer, validated on stems whose offset is known: two different rendered
tracks (other drums, other key, other humanisation) on the same tempo map, B's beats moved by a known
amount. A measurer that cannot find 0, 10, 25 and 50 ms within a few ms cannot judge a mix."""

from __future__ import annotations

import numpy as np
import pytest

from dj.mix.tracked_offsets import tracked_offsets
from dj.testing.music import render_track

SR = 22050
OVERLAP_START_S, OVERLAP_S = 16.0, 14.0


def _pair(shift_s: float, *, drift: float, pattern_b: str = "backbeat", bpm_b: float = 118.0):
    a = render_track(bpm=118, pattern="four_on_floor", duration_s=40, sr=SR, seed=1, drift=drift)
    b = render_track(
        bpm=bpm_b,
        pattern=pattern_b,
        tonic=2,
        duration_s=40,
        sr=SR,
        seed=2,
        start_s=0.25 + shift_s,
        drift=drift,
    )
    # A's stem ends where the overlap ends; B's starts where it starts and runs on (as rendered).
    end = round((OVERLAP_START_S + OVERLAP_S) * SR)
    return a.y[:end], b.y[round(OVERLAP_START_S * SR) :]


@pytest.mark.parametrize("drift", [0.0, 0.05])
@pytest.mark.parametrize("shift_ms", [0.0, 10.0, 25.0, 50.0, -30.0])
def test_a_known_shift_is_measured_within_a_few_ms(shift_ms: float, drift: float) -> None:
    a, b = _pair(shift_ms / 1000, drift=drift)
    got = tracked_offsets(a, b, sr=SR, a_overlap_start_s=OVERLAP_START_S, overlap_s=OVERLAP_S)
    assert got.measured, got.reason
    assert got.median_ms == pytest.approx(shift_ms, abs=3.0)
    assert got.xcorr_ms == pytest.approx(shift_ms, abs=4.0)
    # Every beat of the overlap is paired (28 at 118 BPM) and none is off by more than the humanisation.
    assert len(got.offsets_ms) >= 25
    assert np.all(np.abs(got.offsets_ms - shift_ms) < 12.0)


@pytest.mark.parametrize(("bpm_b", "pattern_b"), [(70.0, "half_time"), (59.0, "sparse")])
def test_trackers_on_different_tempos_leave_the_transition_unmeasured(bpm_b: float, pattern_b: str) -> None:
    a, b = _pair(0.0, drift=0.0, bpm_b=bpm_b, pattern_b=pattern_b)
    got = tracked_offsets(a, b, sr=SR, a_overlap_start_s=OVERLAP_START_S, overlap_s=OVERLAP_S)
    assert not got.measured and got.median_ms is None and got.p90_abs_ms is None
    assert "disagree on the tempo" in got.reason


def test_half_a_beat_apart_is_reported_as_a_phase_disagreement_not_as_a_small_offset() -> None:
    a, b = _pair(0.5 * 60 / 118, drift=0.0)
    got = tracked_offsets(a, b, sr=SR, a_overlap_start_s=OVERLAP_START_S, overlap_s=OVERLAP_S)
    assert not got.measured and "beat phases disagree" in got.reason


def test_silence_is_unmeasured_not_a_number() -> None:
    a, _ = _pair(0.0, drift=0.0)
    got = tracked_offsets(
        a, np.zeros(20 * SR, dtype=np.float32), sr=SR, a_overlap_start_s=OVERLAP_START_S, overlap_s=OVERLAP_S
    )
    assert not got.measured and got.reason
