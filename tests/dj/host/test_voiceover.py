"""Host voice: lines from metadata and reasons, placed only where one track plays alone (the intro after
the blend, before the drop, else the outgoing track's outro), music ducked under it."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from dj.analysis.result import TrackAnalysis
from dj.host.ducking import ATTACK_S, DUCK_DB, RELEASE_S
from dj.host.placement import blends, drop_time, place_voice, seconds_inside
from dj.host.voiceover import VoiceLine, voice_lines
from dj.mix.render import MixStream, RenderOptions
from dj.mix.timeline import build_timeline
from dj.planning.planner import TrackMeta

SR = 22050


def _with_drop(a: TrackAnalysis, at_s: float) -> TrackAnalysis:
    curve = np.where(a.energy_times < at_s, 0.3, 0.9).astype(np.float32)
    return replace(a, energy_curve=curve)


def test_voice_is_placed_after_the_blend_and_before_the_drop(drum_tracks: dict[str, TrackAnalysis]) -> None:
    analyses = {**drum_tracks, "b": _with_drop(drum_tracks["b"], 12.0)}
    timeline = build_timeline(["a", "b"], analyses)
    b = timeline.placements[1]
    blend_end = timeline.overlap(0)[1]
    assert drop_time(analyses["b"], after_s=b.src_start_s) == pytest.approx(12.0, abs=0.6)
    slot = place_voice(timeline=timeline, analyses=analyses, index=1, duration_s=2.0)
    assert slot.start_s is not None and slot.end_s is not None
    assert slot.start_s >= blend_end + ATTACK_S and slot.end_s <= b.mix_time(12.0) + 1e-6
    assert slot.reason.startswith("over the intro")
    too_long = place_voice(timeline=timeline, analyses=analyses, index=1, duration_s=20.0)
    assert too_long.start_s is None and too_long.reason.startswith("left out")


def test_a_line_that_misses_the_intro_goes_over_the_outgoing_outro(
    drum_tracks: dict[str, TrackAnalysis],
) -> None:
    timeline = build_timeline(["a", "b"], drum_tracks)
    blend_start = timeline.overlap(0)[0]
    # B's energy rises right after the blend: no room in its intro, so the line leads into the blend.
    drop = timeline.transitions[0].b_overlap_end_s + 1.0
    analyses = {**drum_tracks, "b": _with_drop(drum_tracks["b"], drop)}
    slot = place_voice(timeline=timeline, analyses=analyses, index=1, duration_s=3.0)
    assert slot.end_s is not None and slot.reason.startswith("over the outgoing track's outro")
    assert slot.end_s == pytest.approx(blend_start - RELEASE_S)
    assert slot.start_s is not None and slot.start_s >= timeline.placements[0].mix_start_s
    # A line never starts before the one before it has ended.
    later = place_voice(
        timeline=timeline, analyses=analyses, index=1, duration_s=3.0, not_before_s=blend_start - 2.0
    )
    assert later.start_s is None


def test_no_line_ever_sits_inside_a_blend(drum_tracks: dict[str, TrackAnalysis]) -> None:
    timeline = build_timeline(["a", "b", "c"], drum_tracks)
    spans = blends(timeline)
    for index in range(3):
        for duration in (0.5, 1.5, 3.0, 6.0, 12.0):
            slot = place_voice(timeline=timeline, analyses=drum_tracks, index=index, duration_s=duration)
            if slot.start_s is None or slot.end_s is None:
                assert slot.reason.startswith("left out")
                continue
            # Outside every blend, with the duck's attack and release outside too.
            ducked = (slot.start_s - ATTACK_S, slot.end_s + RELEASE_S)
            assert seconds_inside(ducked, spans) == pytest.approx(0.0, abs=1e-9), (index, duration)


def test_music_is_ducked_while_the_voice_speaks(drum_tracks: dict[str, TrackAnalysis]) -> None:
    timeline = build_timeline(["a", "b"], drum_tracks)
    slot = place_voice(timeline=timeline, analyses=drum_tracks, index=1, duration_s=3.0)
    silent = VoiceLine(
        index=1,
        track_id="b",
        text="-",
        y=np.zeros(3 * SR, dtype=np.float32),
        slot=slot,
        backend="test",
        voice="silence",
    )
    options = RenderOptions(sr=SR, high_quality=False)

    def music(voices: list[VoiceLine]) -> np.ndarray:
        return np.concatenate(
            list(
                MixStream(
                    timeline=timeline, analyses=drum_tracks, voices=voices, options=options, limit=False
                )
            ),
            axis=1,
        )

    plain, ducked = music([]), music([silent])
    inside = slice(round((slot.start_s + 0.2) * SR), round(slot.end_s * SR))
    after = slice(round((slot.end_s + RELEASE_S + 0.1) * SR), round((slot.end_s + RELEASE_S + 2.0) * SR))

    def gain_db(part: slice) -> float:
        return 20 * np.log10(np.sqrt(np.mean(ducked[:, part] ** 2)) / np.sqrt(np.mean(plain[:, part] ** 2)))

    assert gain_db(inside) == pytest.approx(DUCK_DB, abs=0.3)
    assert gain_db(after) == pytest.approx(0.0, abs=0.05)


@pytest.mark.slow
def test_hibari_lines_are_spoken_into_the_mix(drum_tracks: dict[str, TrackAnalysis], tmp_path) -> None:
    from dj.speech.tts import HibariSynthesizer

    timeline = build_timeline(["a", "b", "c"], drum_tracks)
    meta = {
        t: TrackMeta(track_id=t, title=f"Song {t.upper()}", artist="Test Band", tags=("happy",))
        for t in "abc"
    }
    lines = voice_lines(
        timeline=timeline,
        analyses=drum_tracks,
        meta=meta,
        explanations={"b": "because you liked Q"},
        synthesizer=HibariSynthesizer(cache_dir=tmp_path),
        sr=SR,
    )
    assert [line.index for line in lines] == [0, 1, 2]
    assert all(f"Song {t.upper()}" in line.text for t, line in zip("abc", lines, strict=True))
    assert lines[0].backend == "hibari" and lines[0].voice == "af_heart"
    # Every track is introduced (in full or in its short form) or the sheet says why not, and no
    # second of voice falls inside a blend.
    assert all(line.placed or line.slot.reason.startswith("left out") for line in lines)
    assert sum(line.placed for line in lines) >= 2
    assert all(line.seconds_in_blends(timeline) == 0.0 for line in lines)
    assert all(line.variant in ("full", "short") for line in lines)
    spans = [line.span for line in lines if line.span is not None]
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))  # no two overlap


@pytest.mark.slow
def test_real_recordings_are_introduced_outside_the_blends(
    debian_music: dict[str, TrackAnalysis], tmp_path
) -> None:
    from dj.speech.tts import HibariSynthesizer

    ids = list(debian_music)
    timeline = build_timeline(ids, debian_music, length="radio")
    meta = {
        t: TrackMeta(track_id=t, title=t.rsplit("/", 1)[-1][:-4].replace("_", " "), artist="Wesnoth")
        for t in ids
    }
    lines = voice_lines(
        timeline=timeline,
        analyses=debian_music,
        meta=meta,
        explanations={},
        synthesizer=HibariSynthesizer(cache_dir=tmp_path),
        sr=SR,
    )
    assert [line.index for line in lines] == list(range(len(ids)))
    assert all(line.placed for line in lines), [line.slot.reason for line in lines]
    assert sum(line.seconds_in_blends(timeline) for line in lines) == 0.0


@pytest.mark.slow
def test_a_line_too_long_for_its_window_is_said_in_its_short_form(
    drum_tracks: dict[str, TrackAnalysis], tmp_path
) -> None:
    from dj.host.lines import HostLine
    from dj.host.voiceover import fit_line
    from dj.speech.tts import HibariSynthesizer

    timeline = build_timeline(["a", "b"], drum_tracks)
    blend_start = timeline.overlap(0)[0]
    # B's intro has no room (its energy rises right after the blend) and the line before ends 3 s before
    # the blend: 2.5 s left over A's outro, too little for the full line, enough for the short one.
    analyses = {
        **drum_tracks,
        "b": _with_drop(drum_tracks["b"], timeline.transitions[0].b_overlap_end_s + 1.0),
    }
    line = HostLine(
        index=1,
        track_id="b",
        text="Turning it up a notch with Track B by Test Band. Because you played Song Q last week.",
        family="energy_up",
        template="",
    )
    variants = [("full", line.text), ("short", "Next: Track B.")]
    kwargs = {
        "synthesizer": HibariSynthesizer(cache_dir=tmp_path),
        "sr": SR,
        "timeline": timeline,
        "analyses": analyses,
        "not_before_s": blend_start - RELEASE_S - 2.8,
    }
    fitted = fit_line(line, variants, **kwargs)
    assert fitted.placed and fitted.variant == "short" and fitted.text == "Next: Track B."
    assert fitted.seconds_in_blends(timeline) == 0.0
    # Nothing fits at all: the line is left out, and the reason says the short form was tried too.
    dropped = fit_line(line, variants, **{**kwargs, "not_before_s": blend_start - RELEASE_S - 0.3})
    assert not dropped.placed and dropped.slot.reason.startswith("left out (its short form too)")
