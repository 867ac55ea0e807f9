"""Metre on rendered music whose bars are known: a waltz counts in three, a jig in two triplet beats, a reel
in four; bars and phrases follow the detected metre, and the JSON says which."""

from __future__ import annotations

import json
from typing import Any

import mir_eval
import numpy as np
import pytest

from dj.analysis import TrackAnalysis, analyze
from dj.testing.music import RenderedTrack, render_track


@pytest.mark.parametrize(
    ("meter", "bpm", "beats_per_bar"),
    [
        ("3/4", 90.0, 3),  # a slow waltz
        ("3/4", 150.0, 3),  # a Viennese-speed waltz, counted in beats
        ("6/8", 110.0, 2),  # a jig: two dotted-quarter beats of three 8ths
        ("6/8", 70.0, 2),
        ("9/8", 100.0, 3),  # a slip jig: three beats of three 8ths, bars like a waltz's
        ("4/4", 120.0, 4),  # a reel
    ],
)
def test_meter_and_downbeats_of_waltz_jig_and_reel(meter: str, bpm: float, beats_per_bar: int) -> None:
    track = render_track(bpm=bpm, meter=meter, duration_s=20.0, seed=int(bpm))
    result = analyze(y=track.y, sr=track.sr)
    assert result.bpm == pytest.approx(bpm, rel=0.02)
    assert (result.meter, result.beats_per_bar) == (meter, beats_per_bar)
    assert result.meter_confidence > 0.1
    assert mir_eval.beat.f_measure(track.downbeats, result.downbeats) > 0.9


def test_waltz_phrases_are_eight_waltz_bars_and_the_json_says_three_four() -> None:
    track = render_track(bpm=150.0, meter="3/4", duration_s=40.0, seed=4)
    result = analyze(y=track.y, sr=track.sr)
    bar = 3 * 60.0 / 150.0
    assert len(result.phrase_starts) >= 2
    np.testing.assert_allclose(np.diff(result.phrase_starts), 8 * bar, rtol=0.01)
    np.testing.assert_allclose(np.diff(result.downbeats), bar, rtol=0.01)
    data = json.loads(json.dumps(result.to_dict()))
    assert (data["meter"], data["beats_per_bar"]) == ("3/4", 3)
    assert TrackAnalysis.from_dict(data).meter == "3/4"


def test_swung_eighths_stay_four_four_and_triplet_hats_read_as_twelve_eight() -> None:
    swung = analyze(**_audio(render_track(bpm=100.0, pattern="backbeat", swing=1.0, duration_s=20.0)))
    assert (swung.meter, swung.beats_per_bar) == ("4/4", 4)
    shuffle = analyze(**_audio(render_track(bpm=140.0, pattern="triplet", duration_s=20.0, seed=2)))
    assert (shuffle.meter, shuffle.beats_per_bar) == ("12/8", 4)


def _audio(track: RenderedTrack) -> dict[str, Any]:
    """The keyword arguments of :func:`analyze` for a rendered track."""
    return {"y": track.y, "sr": track.sr}
