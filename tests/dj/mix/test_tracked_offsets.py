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


def _clicks(
    *, start_s: float, seed: int, tone_hz: float, even: tuple[float, float], odd_weak: bool
) -> np.ndarray:
    """40 s of equal clicks at 136 BPM, except outside ``even`` (s), where every other click is weak:
    inside it there is a pulse but no strong half at 68 BPM; outside, an accent a tracker locks on to."""
    rng = np.random.default_rng(seed)
    n, hit_n = 40 * SR, int(0.08 * SR)
    t = np.arange(hit_n) / SR
    hit = (0.6 * np.sin(2 * np.pi * tone_hz * t) + 0.4 * rng.standard_normal(hit_n)) * np.exp(-t / 0.02)
    y = np.zeros(n, dtype=np.float32)
    for k, at in enumerate(np.arange(start_s, 39.0, 60 / 136)):
        weak = not even[0] <= at < even[1] and k % 2 == int(odd_weak)
        i = round(at * SR)
        y[i : i + hit_n] += (0.3 if weak else 1.0) * hit
    return y


@pytest.mark.parametrize("shift_ms", [10.0, -20.0])
def test_an_even_pulse_read_at_half_its_tempo_is_measured_at_that_pulse(shift_ms: float) -> None:
    """Read at 68 BPM, a 136 BPM pulse with no strong half inside the overlap: the trackers, locked by the
    accents around it, put the beat on different halves, which says nothing about the mix. The offsets are
    then measured at 136 BPM, and the note says so."""
    a = _clicks(start_s=0.25, seed=1, tone_hz=110.0, even=(OVERLAP_START_S, 99.0), odd_weak=False)
    b = _clicks(
        start_s=0.25 + shift_ms / 1000,
        seed=2,
        tone_hz=180.0,
        even=(0.0, OVERLAP_START_S + OVERLAP_S),
        odd_weak=True,
    )
    end = round((OVERLAP_START_S + OVERLAP_S) * SR)
    got = tracked_offsets(
        a[:end],
        b[round(OVERLAP_START_S * SR) :],
        sr=SR,
        a_overlap_start_s=OVERLAP_START_S,
        overlap_s=OVERLAP_S,
        start_bpm=68.0,
    )
    assert got.measured, got.reason
    assert "136 BPM pulse" in got.note
    assert got.median_ms == pytest.approx(shift_ms, abs=3.0)
    assert len(got.offsets_ms) >= 28  # every click of the overlap


def test_accented_beats_a_fast_beat_apart_stay_a_phase_disagreement_at_half_tempo() -> None:
    """Drums at 136 BPM read at 68 BPM, B one 136 BPM beat late: kick and snare make a strong half, so B's
    snares on A's kicks are half a (68 BPM) beat off, and that is not re-measured at 136 BPM."""
    a = render_track(bpm=136, pattern="backbeat", duration_s=40, sr=SR, seed=1)
    b = render_track(
        bpm=136, pattern="backbeat", tonic=2, duration_s=40, sr=SR, seed=2, start_s=0.25 + 60 / 136
    )
    end = round((OVERLAP_START_S + OVERLAP_S) * SR)
    got = tracked_offsets(
        a.y[:end],
        b.y[round(OVERLAP_START_S * SR) :],
        sr=SR,
        a_overlap_start_s=OVERLAP_START_S,
        overlap_s=OVERLAP_S,
        start_bpm=68.0,
    )
    assert not got.measured and "beat phases disagree" in got.reason and not got.note
