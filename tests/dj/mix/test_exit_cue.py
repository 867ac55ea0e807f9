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
from dj.mix.crossfade import fade_out_gain
from dj.mix.exit_cue import DJ_MAX_S, LENGTH_MODES, RADIO_MAX_S, cut_levels, parse_length
from dj.mix.measure import measure_mix
from dj.mix.pipeline import lay_out
from dj.mix.render import MixStream, RenderOptions, render_mix, render_stream
from dj.mix.sources import load_source
from dj.mix.timeline import Timeline, build_timeline
from dj.output.cuesheet import Provenance, cue_sheet
from dj.planning.arcs import EnergyArc
from dj.planning.planner import SetPlan

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


def _on_phrase_end(a: TrackAnalysis, t: float) -> bool:
    return _on_phrase_boundary(a, t) or bool(np.min(np.abs(a.phrase_starts - t)) < 0.05)


def test_the_last_track_leaves_where_its_length_mode_says_with_a_fade(
    long_tracks: dict[str, TrackAnalysis],
) -> None:
    """Known answer: 280 s tracks at 120 BPM (bars of 2 s, phrases of 16 s). The last track fades over
    4 bars (8 s) onto a phrase boundary within the mode's cap; in full length it plays to its end."""
    shares = {}
    for mode in LENGTH_MODES:
        last = build_timeline(["a", "b"], long_tracks, length=mode).placements[-1]
        b = long_tracks["b"]
        played = last.src_end_s - last.src_start_s
        shares[mode] = played / b.duration_s
        if mode == "full":
            assert last.src_end_s == b.duration_s and last.fade_out_s == 0.0
            assert "own ending" in last.ending
            continue
        cap = RADIO_MAX_S if mode == "radio" else DJ_MAX_S
        assert played <= cap + 0.5 and last.fade_out_s == pytest.approx(8.0)
        assert _on_phrase_end(b, last.src_end_s), (mode, last.src_end_s)
        assert "faded out over 4 bars" in last.ending and f"({mode} length)" in last.ending
    assert shares["full"] > shares["radio"] + 0.1 > shares["dj"] + 0.1


def test_the_last_track_does_not_fade_out_in_its_climax(long_tracks: dict[str, TrackAnalysis]) -> None:
    flat = build_timeline(["a", "b"], long_tracks, length="dj").placements[-1]
    b = long_tracks["b"]
    loud_from, loud_to = flat.src_end_s - 30.0, flat.src_end_s + 30.0
    inside = (b.energy_times >= loud_from) & (b.energy_times < loud_to)
    climax = replace(b, energy_curve=np.where(inside, 0.9, 0.5).astype(np.float32))
    assert cut_levels(climax, cut_s=flat.src_end_s).mid_climax
    moved = build_timeline(["a", "b"], {**long_tracks, "b": climax}, length="dj").placements[-1]
    assert moved.src_end_s <= loud_from + 1e-6 and moved.fade_out_s > 0
    assert not cut_levels(climax, cut_s=moved.src_end_s).mid_climax


def test_a_last_track_near_its_own_ending_ends_by_itself(drum_tracks: dict[str, TrackAnalysis]) -> None:
    """30 s tracks: the DJ-length exit (outro start plus the fade) is the track's end, so no fade."""
    for mode in LENGTH_MODES:
        last = build_timeline(["a", "b", "c"], drum_tracks, length=mode).placements[-1]
        assert last.src_end_s == drum_tracks["c"].duration_s and last.fade_out_s == 0.0


def test_render_and_stream_end_with_the_planned_fade(long_tracks: dict[str, TrackAnalysis]) -> None:
    """Known answer on rendered audio: the stream's last seconds are the last track's source (at its
    gain) under the equal-power fade, ending where the timeline says; the normalised render and the
    limited stream end at the same sample."""
    timeline = build_timeline(["a", "b"], long_tracks, length="dj")
    last = timeline.placements[-1]
    options = RenderOptions(sr=SR)
    raw = MixStream(timeline=timeline, analyses=long_tracks, options=options, limit=False)
    y = np.concatenate(list(raw), axis=1)
    assert y.shape[1] == pytest.approx(timeline.duration_s * SR, abs=2)
    n = round(last.fade_out_s * SR)
    source = load_source(str(long_tracks["b"].path), SR) * np.float32(10 ** (raw.track_gains_db["b"] / 20))
    end = round(last.src_end_s * SR)
    expected = source[:, end - n : end] * fade_out_gain(n)
    np.testing.assert_allclose(y[:, -n:], expected, atol=1e-5)
    # The fade is heard: the last bar is far quieter than the bar before the fade.
    bar = 2 * SR
    before, tail = y[:, -n - bar : -n], y[:, -bar // 4 :]
    assert 20 * np.log10(np.sqrt(np.mean(tail**2)) / np.sqrt(np.mean(before**2))) < -20.0
    streamed = np.concatenate(
        list(render_stream(timeline=timeline, analyses=long_tracks, options=options)), 1
    )
    rendered = render_mix(timeline=timeline, analyses=long_tracks, options=options)
    assert streamed.shape[1] == rendered.y.shape[1] == y.shape[1]


@pytest.mark.slow
def test_a_real_set_ends_on_a_phrase_below_its_loudest_passage_and_the_sheet_says_so(
    debian_music: dict[str, TrackAnalysis],
) -> None:
    """Real recordings, the 318 s battle.ogg last: in DJ and radio length it fades out on a phrase
    boundary within the cap and not at its loudest (BS.1770 on the decoded audio); the rendered mix ends
    where the timeline says and the cue sheet reports the last track like the others."""
    ids = list(debian_music)[::-1]
    a = debian_music[ids[-1]]
    y = load_source(str(a.path), SR)
    loudest = max(_short_term_lufs(y, SR, t, t + 3.0) for t in np.arange(0.0, a.duration_s - 3.0, 1.0))
    for mode in ("radio", "dj"):
        last = build_timeline(ids, debian_music, length=mode).placements[-1]
        cap = RADIO_MAX_S if mode == "radio" else DJ_MAX_S
        assert last.fade_out_s > 0 and last.src_end_s - last.src_start_s <= cap + 0.5
        assert _on_phrase_end(a, last.src_end_s), (mode, last.src_end_s)
        before = _short_term_lufs(y, SR, last.src_end_s - 3.0, last.src_end_s)
        after = _short_term_lufs(y, SR, last.src_end_s, last.src_end_s + 3.0)
        assert after < loudest - 1.0 or after < before - 1.0, (mode, before, after, loudest)
    laid = lay_out(ids, debian_music, options=RenderOptions(sr=SR), length="dj")
    result = laid.render()
    assert result.y.shape[1] == pytest.approx(laid.timeline.duration_s * SR, abs=2)
    plan = SetPlan(track_ids=tuple(ids), transitions=(), arc=EnergyArc.STEADY, total_score=0.0)
    sheet = cue_sheet(
        plan=plan,
        result=result,
        measures=measure_mix(result, analyses=debian_music),
        analyses=debian_music,
        meta={},
        provenance=Provenance(
            user_id="u",
            recommender_bundle=None,
            analysis_version="v",
            tts_backend=None,
            tts_voice=None,
            arc="steady",
        ),
    )
    end = sheet.tracks[-1]
    assert end.end_s == pytest.approx(sheet.duration_s, abs=0.01)
    assert end.played_share is not None and end.played_share < 0.6 and end.fade_out_s > 0
    assert end.lufs_before_cut is not None and end.lufs_after_cut is not None
    assert "faded out over" in end.exit and "(dj length)" in end.exit


def test_a_last_track_a_phrase_past_the_cap_plays_to_its_finale(make_track) -> None:
    """Known answer at 120 BPM (8 bars = 16 s): in DJ length (150 s cap) a 160 s closing track plays to
    its own ending rather than fading out 10 s before it; a 185 s one fades on a phrase within the cap."""
    near = make_track("close-160", bpm=120, duration_s=160.0, seed=21)
    last = build_timeline(["n"], {"n": near}, length="dj").placements[-1]
    assert last.src_end_s == near.duration_s and last.fade_out_s == 0.0
    far = make_track("close-185", bpm=120, duration_s=185.0, seed=22)
    last = build_timeline(["f"], {"f": far}, length="dj").placements[-1]
    assert last.fade_out_s > 0 and last.src_end_s - last.src_start_s <= DJ_MAX_S + 0.5
    assert _on_phrase_end(far, last.src_end_s)
