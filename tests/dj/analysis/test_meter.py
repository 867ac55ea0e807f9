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


def test_a_four_four_shuffle_from_the_demo_clips_counts_four() -> None:
    """happy_acoustic_s411, a 4/4 pop shuffle whose accents fall irregularly, once read as 9/8."""
    import immich_memories_music

    from dj.analysis import analyze_file

    path = f"{immich_memories_music.tracks_dir()}/happy/happy_acoustic_s411.opus"
    result = analyze_file(path)
    assert result.beats_per_bar == 4
    assert result.meter in ("4/4", "12/8")


def _clicks(seed: int) -> dict[str, Any]:
    """20 s of identical clicks at 120 BPM, each 10% louder or softer at random: beats without bars."""
    sr = 22050
    rng = np.random.default_rng(seed)
    y = 0.01 * rng.standard_normal(20 * sr)
    click = rng.standard_normal(300) * np.exp(-np.arange(300) / 40)
    for t in np.arange(0.25, 19.5, 0.5):
        i = int(t * sr)
        y[i : i + 300] += click * (1 + 0.1 * rng.standard_normal())
    return {"y": y.astype(np.float32), "sr": sr}


def test_beats_without_bars_get_the_usual_four_and_a_low_confidence() -> None:
    """Confidence means "how sure the bars are": where nothing marks a bar, it stays low, and the metre
    falls back on four beats to the bar rather than on whichever grouping chance favoured."""
    results = [analyze(**_clicks(seed)) for seed in range(10)]
    assert sum(r.beats_per_bar == 4 for r in results) >= 9
    assert np.mean([r.meter_confidence for r in results]) < 0.2
    assert all(r.meter_confidence < 0.5 for r in results if r.beats_per_bar != 4)
