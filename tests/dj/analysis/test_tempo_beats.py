"""Tempo, beat grid, downbeats and phrases on rendered music whose answers are known exactly."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from dj.analysis import TrackAnalysis, analyze
from dj.analysis.onset import compute_frontend
from dj.analysis.tempo import estimate_tempo
from dj.testing.music import RenderedTrack, render_track


@pytest.mark.parametrize(
    ("bpm", "pattern", "swing"),
    [
        (62.0, "backbeat", 0.0),  # slow: a 120-BPM prior would double it
        (87.0, "breakbeat", 0.0),
        (100.0, "backbeat", 1.0),  # swung 8ths
        (124.0, "four_on_floor", 0.0),
        (140.0, "triplet", 0.0),  # triplet hats: a 3:2 trap
        (174.0, "breakbeat", 0.0),  # fast: a 120-BPM prior would halve it
    ],
)
def test_tempo_and_beats_match_the_rendered_grid(bpm: float, pattern: str, swing: float) -> None:
    track = render_track(bpm=bpm, pattern=pattern, swing=swing, duration_s=10.0, seed=int(bpm))
    result = analyze(y=track.y, sr=track.sr)
    assert result.bpm == pytest.approx(bpm, rel=0.01)
    f_measure = mir_eval.beat.f_measure(track.beats, result.beats)
    assert f_measure > 0.95
    assert 0.0 <= result.bpm_confidence <= 1.0


def test_candidates_cover_metrical_levels_and_confidence_drops_without_rhythm() -> None:
    drums = render_track(bpm=120.0, pattern="four_on_floor", duration_s=8.0, seed=3)
    estimate = estimate_tempo(compute_frontend(y=drums.y, sr=drums.sr))
    assert estimate.bpm == pytest.approx(120.0, rel=0.04)
    rng = np.random.default_rng(0)
    noise = (0.1 * rng.standard_normal(8 * 22050)).astype(np.float32)
    flat = estimate_tempo(compute_frontend(y=noise, sr=22050))
    assert flat.confidence < estimate.confidence


def test_downbeats_are_every_fourth_beat_on_the_bar_starts(house_128: RenderedTrack) -> None:
    result = analyze(y=house_128.y, sr=house_128.sr)
    assert result.beats_per_bar == 4
    assert mir_eval.beat.f_measure(house_128.downbeats, result.downbeats) > 0.9
    assert np.all(np.isin(np.round(result.downbeats, 6), np.round(result.beats, 6)))


def test_downbeats_found_on_a_slow_backbeat(ballad_70: RenderedTrack) -> None:
    result = analyze(y=ballad_70.y, sr=ballad_70.sr)
    assert mir_eval.beat.f_measure(ballad_70.downbeats, result.downbeats) > 0.9


def test_phrases_start_on_downbeats_every_eight_bars() -> None:
    track = render_track(bpm=150.0, pattern="backbeat", duration_s=30.0, seed=5)
    result = analyze(y=track.y, sr=track.sr)
    assert len(result.phrase_starts) >= 2
    assert np.all(np.isin(np.round(result.phrase_starts, 6), np.round(result.downbeats, 6)))
    bar = 4 * 60.0 / 150.0
    np.testing.assert_allclose(np.diff(result.phrase_starts), 8 * bar, rtol=0.01)


def test_intro_and_outro_are_bar_aligned_regions_inside_the_track(house_128: RenderedTrack) -> None:
    result = analyze(y=house_128.y, sr=house_128.sr)
    (a, b), (c, d) = result.intro, result.outro
    assert 0.0 <= a < b <= c < d <= result.duration_s + 1e-6
    assert a == pytest.approx(result.downbeats[0])
    assert np.min(np.abs(result.downbeats - b)) < 1e-6
    assert np.min(np.abs(result.downbeats - c)) < 1e-6


def _tresillo_track(*, bpm: float, sr: int = 22050, duration_s: float = 12.0) -> np.ndarray:
    """Quiet kick on every beat, soft hats on every 16th, and loud plucks on a 3+3+2 sixteenth pattern:
    the plucks make 3/4 of a beat the strongest period (autocorrelation alone answers 4/3 of the tempo)."""
    rng = np.random.default_rng(0)
    y = np.zeros(int(duration_s * sr))
    t = np.arange(int(0.25 * sr)) / sr
    kick = np.sin(2 * np.pi * np.cumsum(50 + 100 * np.exp(-t / 0.03)) / sr) * np.exp(-t / 0.1)
    pluck = sum(np.sin(2 * np.pi * f * t) / (h + 1) for h, f in enumerate((392.0, 784.0, 1176.0)))
    pluck = pluck * np.exp(-t / 0.08)
    n_hat = int(0.04 * sr)
    hat = np.diff(rng.standard_normal(n_hat + 1)) * np.exp(-np.arange(n_hat) / (0.01 * sr))
    sixteenth = 60.0 / bpm / 4
    for step in range(int(duration_s / sixteenth)):
        start = int(step * sixteenth * sr)
        for sound, gain, on in (
            (kick, 0.5, step % 4 == 0),
            (pluck, 1.0, step % 8 in (0, 3, 6)),
            (hat, 0.15, True),
        ):
            if on:
                n = min(len(sound), len(y) - start)
                y[start : start + n] += gain * sound[:n]
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


@pytest.mark.parametrize("bpm", [84.0, 99.0])
def test_a_three_three_two_pattern_does_not_pull_the_tempo_to_four_thirds(bpm: float) -> None:
    result = analyze(y=_tresillo_track(bpm=bpm), sr=22050)
    assert result.bpm == pytest.approx(bpm, rel=0.02)


def test_the_octave_rival_is_reported_as_half_or_double_time_with_its_margin() -> None:
    """The analysis names the tempo's own half/double-time rival and how clearly it lost: a four-on-the-
    floor groove leaves no doubt; the JSON carries both."""
    track = render_track(bpm=120.0, pattern="four_on_floor", duration_s=20.0, seed=3)
    result = analyze(y=track.y, sr=track.sr)
    ratio = result.bpm_octave_rival / result.bpm
    assert min(abs(ratio - 2.0), abs(ratio - 0.5)) < 0.04 * ratio
    assert result.bpm_octave_margin > 0.9
    again = TrackAnalysis.from_dict(result.to_dict())
    assert (again.bpm_octave_rival, again.bpm_octave_margin) == (
        result.bpm_octave_rival,
        result.bpm_octave_margin,
    )
