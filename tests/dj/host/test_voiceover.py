"""Host voice: lines from metadata and reasons, placed in the intro before the drop, music ducked under it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dj.analysis.result import TrackAnalysis
from dj.host.ducking import DUCK_DB, RELEASE_S
from dj.host.placement import drop_time, place_voice
from dj.host.voiceover import VoiceLine, voice_lines
from dj.mix.render import MixStream, RenderOptions
from dj.mix.timeline import build_timeline
from dj.planning.planner import TrackMeta

SR = 22050


def _with_drop(a: TrackAnalysis, at_s: float) -> TrackAnalysis:
    curve = np.where(a.energy_times < at_s, 0.3, 0.9).astype(np.float32)
    return replace(a, energy_curve=curve)


def test_voice_is_placed_in_the_intro_before_the_drop(drum_tracks: dict[str, TrackAnalysis]) -> None:
    analyses = {**drum_tracks, "b": _with_drop(drum_tracks["b"], 12.0)}
    timeline = build_timeline(["a", "b"], analyses)
    b = timeline.placements[1]
    assert drop_time(analyses["b"], after_s=b.src_start_s) == pytest.approx(12.0, abs=0.6)
    slot = place_voice(timeline=timeline, analyses=analyses, index=1, duration_s=3.0)
    assert slot.start_s is not None and slot.start_s >= b.mix_start_s
    assert slot.end_s <= b.mix_time(12.0) + 1e-6
    too_long = place_voice(timeline=timeline, analyses=analyses, index=1, duration_s=20.0)
    assert too_long.start_s is None and too_long.reason.startswith("left out")


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
    placed = [line for line in lines if line.placed]
    assert placed
    for line in placed:
        p = timeline.placements[line.index]
        assert p.mix_start_s <= line.slot.start_s and line.slot.end_s <= p.mix_end_s
