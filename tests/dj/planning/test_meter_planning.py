"""The planner never beat-blends two metres: a waltz into a reel is a crossfade, and the plan says why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dj.analysis import analyze
from dj.planning.planner import plan_set
from dj.planning.tempo_match import CROSSFADE, EQ_BLEND, beatmatchable, match_tempo, meter_clash
from dj.testing.music import RenderedTrack, render_track


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


def test_a_waltz_and_a_reel_are_crossfaded_with_the_metres_as_the_reason() -> None:
    waltz = analyze(**_audio(render_track(bpm=120.0, meter="3/4", duration_s=24.0, seed=1)))
    reel = analyze(**_audio(render_track(bpm=120.0, meter="4/4", duration_s=24.0, seed=2)))
    other_reel = analyze(**_audio(render_track(bpm=121.0, meter="4/4", duration_s=24.0, seed=3)))
    assert (waltz.meter, reel.meter) == ("3/4", "4/4")
    assert not beatmatchable(waltz, reel, match_tempo(bpm_a=waltz.bpm, bpm_b=reel.bpm))
    assert meter_clash(reel, other_reel) is None
    assert beatmatchable(reel, other_reel, match_tempo(bpm_a=reel.bpm, bpm_b=other_reel.bpm))
    plan = plan_set(
        [Cand(track_id="waltz"), Cand(track_id="reel")],
        analyses={"waltz": waltz, "reel": reel},
        n_tracks=2,
        prefix=("waltz",),
    )
    transition = plan.transitions[0]
    assert transition.kind == CROSSFADE and not transition.beatmatchable
    assert "metres 3/4 and 4/4 differ, so a plain crossfade" in transition.reason
    same = plan_set(
        [Cand(track_id="a"), Cand(track_id="b")], analyses={"a": reel, "b": other_reel}, n_tracks=2
    )
    assert same.transitions[0].kind == EQ_BLEND


def _audio(track: RenderedTrack) -> dict[str, Any]:
    """The keyword arguments of :func:`analyze` for a rendered track."""
    return {"y": track.y, "sr": track.sr}


def test_a_shuffle_in_twelve_eight_beat_blends_with_four_four_and_a_jig_does_not() -> None:
    reel = analyze(**_audio(render_track(bpm=120.0, meter="4/4", duration_s=24.0, seed=2)))
    shuffle = analyze(**_audio(render_track(bpm=120.0, pattern="triplet", duration_s=24.0, seed=2)))
    jig = analyze(**_audio(render_track(bpm=120.0, meter="6/8", duration_s=24.0, seed=2)))
    assert (shuffle.meter, jig.meter) == ("12/8", "6/8")
    assert meter_clash(reel, shuffle) is None  # four beats to the bar in both: bars and phrases coincide
    assert meter_clash(reel, jig) == "metres 4/4 and 6/8 differ"
