"""The mix clock of a placed track: where the last track's fade-out falls."""

from __future__ import annotations

import numpy as np
import pytest

from dj.mix.timeline import HeadWarp, TrackPlacement


def _last(*, fade_out_s: float, head: HeadWarp | None = None) -> TrackPlacement:
    return TrackPlacement(
        index=1,
        track_id="b",
        src_start_s=2.0,
        src_end_s=62.0,
        mix_start_s=100.0,
        head=head,
        fade_out_s=fade_out_s,
        ending="faded" if fade_out_s else "own ending",
    )


def test_the_fade_out_is_the_last_seconds_of_the_last_track_on_the_mix_clock() -> None:
    assert _last(fade_out_s=8.0).fade_out_span() == pytest.approx((152.0, 160.0))


def test_a_stretched_head_moves_the_fade_with_the_track() -> None:
    # The first 10 source seconds (2..12) play over 11 mix seconds: everything after is one second later.
    head = HeadWarp(src_knots=np.array([2.0, 12.0]), out_knots=np.array([0.0, 11.0]))
    assert _last(fade_out_s=8.0, head=head).fade_out_span() == pytest.approx((153.0, 161.0))


def test_a_track_that_plays_to_its_own_ending_has_no_fade() -> None:
    assert _last(fade_out_s=0.0).fade_out_span() is None
