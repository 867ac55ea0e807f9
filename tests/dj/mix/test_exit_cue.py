"""Where tracks leave the mix: on phrase boundaries, never mid-climax, as long as the length mode says.

Generated tracks give known answers (their phrases and a loud passage put where the test wants it); the
Debian game soundtracks are real recordings, checked against loudness measured on the decoded audio
(BS.1770 over 3 s windows), which does not reuse the analysis energy curve the exits are chosen from.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dj.analysis.loudness import integrated_loudness
from dj.analysis.result import TrackAnalysis
from dj.mix.exit_cue import DJ_MAX_S, LENGTH_MODES, RADIO_MAX_S, cut_levels, parse_length
from dj.mix.sources import load_source
from dj.mix.timeline import Timeline, build_timeline

SR = 22050


def _on_phrase_boundary(a: TrackAnalysis, t: float) -> bool:
    """``t`` is an 8-bar phrase start or a 4-bar boundary of A's phrase grid."""
    first = float(a.phrase_starts[0])
    bar = int(np.argmin(np.abs(a.downbeats - t))) - int(np.argmin(np.abs(a.downbeats - first)))
    return bool(np.min(np.abs(a.downbeats - t)) < 0.05 and bar % 4 == 0)


def _share(timeline: Timeline, index: int, analyses: dict[str, TrackAnalysis]) -> float:
    p = timeline.placements[index]
    return (p.src_end_s - p.src_start_s) / analyses[p.track_id].duration_s


@pytest.fixture(scope="module")
def long_tracks(make_track) -> dict[str, TrackAnalysis]:
    """Three 280 s generated tracks (bars of 2 s, phrases of 16 s): longer than both length caps."""
    return {
        name: make_track(f"long-{name}", bpm=120, duration_s=280.0, seed=seed, pattern="four_on_floor")
        for name, seed in (("a", 11), ("b", 12), ("c", 13))
    }


def test_length_modes_play_different_shares_and_leave_on_phrases(
    long_tracks: dict[str, TrackAnalysis],
) -> None:
    ids = ["a", "b", "c"]
    shares = {}
    for mode in LENGTH_MODES:
        timeline = build_timeline(ids, long_tracks, length=mode)
        for k, spec in enumerate(timeline.transitions):
            a = long_tracks[timeline.placements[k].track_id]
            assert _on_phrase_boundary(a, spec.a_out_s), (mode, k, spec.a_out_s)
        played = timeline.placements[0].src_end_s - timeline.placements[0].src_start_s
        cap = {"full": None, "radio": RADIO_MAX_S, "dj": DJ_MAX_S}[mode]
        assert cap is None or played <= cap + 0.5
        shares[mode] = _share(timeline, 0, long_tracks)
    assert shares["full"] > 0.9
    assert shares["full"] > shares["radio"] + 0.1 > shares["dj"] + 0.2


def test_a_track_does_not_leave_in_the_middle_of_its_climax(long_tracks: dict[str, TrackAnalysis]) -> None:
    flat = build_timeline(["a", "b"], long_tracks, length="dj").transitions[0]
    # Known answer: the DJ-length exit of a track at one level lands near the 150 s cap. Put the track's
    # loudest passage across that cut: the exit must move before it, not cut into it.
    a = long_tracks["a"]
    loud_from, loud_to = flat.a_end_s - 30.0, flat.a_end_s + 30.0
    inside = (a.energy_times >= loud_from) & (a.energy_times < loud_to)
    climax = replace(a, energy_curve=np.where(inside, 0.9, 0.5).astype(np.float32))
    assert cut_levels(climax, cut_s=flat.a_end_s).mid_climax
    moved = build_timeline(["a", "b"], {**long_tracks, "a": climax}, length="dj").transitions[0]
    assert moved.a_end_s <= loud_from + 1e-6
    assert not cut_levels(climax, cut_s=moved.a_end_s).mid_climax
    assert _on_phrase_boundary(climax, moved.a_out_s)


def test_an_unknown_length_names_the_choices() -> None:
    assert parse_length("radio") == "radio"
    with pytest.raises(ValueError, match="full, radio, dj"):
        parse_length("extended")


def _short_term_lufs(y: np.ndarray, sr: int, t0: float, t1: float) -> float:
    return integrated_loudness(y=y[:, max(0, round(t0 * sr)) : round(t1 * sr)], sr=sr)


@pytest.mark.slow
def test_real_recordings_leave_on_phrases_below_their_loudest_passage(
    debian_music: dict[str, TrackAnalysis],
) -> None:
    ids = list(debian_music)
    shares = {}
    for mode in LENGTH_MODES:
        timeline = build_timeline(ids, debian_music, length=mode)
        shares[mode] = _share(timeline, 0, debian_music)
        for k, spec in enumerate(timeline.transitions):
            a = debian_music[ids[k]]
            assert _on_phrase_boundary(a, spec.a_out_s), (mode, ids[k], spec.a_out_s)
            y = load_source(str(a.path), SR)
            loudest = max(
                _short_term_lufs(y, SR, t, t + 3.0) for t in np.arange(0.0, a.duration_s - 3.0, 1.0)
            )
            cut = spec.a_end_s
            after = _short_term_lufs(y, SR, cut, cut + 3.0)
            before = _short_term_lufs(y, SR, cut - 3.0, cut)
            # Not at the loudest passage: clearly under it, or the music falling away at the cut.
            assert after < loudest - 1.0 or after < before - 1.0, (mode, ids[k], cut, before, after, loudest)
    # battle.ogg (318 s) is longer than both caps: the three modes play clearly different shares of it.
    assert shares["full"] > 0.9 and shares["full"] > shares["radio"] + 0.1 > shares["dj"] + 0.1
