"""Planning and transition design share one beat-reliability rule and one wording of half/double time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dj.analysis.result import TrackAnalysis
from dj.mix.transitions import plan_transition
from dj.planning.planner import plan_set
from dj.planning.tempo_match import (
    CROSSFADE,
    EQ_BLEND,
    match_tempo,
    reliable_beats,
    tempo_relation,
)


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


def track(*, bpm: float = 120.0, beats: np.ndarray | None = None) -> TrackAnalysis:
    grid = np.arange(0.5, 30.0, 60.0 / bpm) if beats is None else beats
    return TrackAnalysis(
        path=None,
        content_hash=None,
        duration_s=30.0,
        bpm=bpm,
        bpm_confidence=0.9,
        beats=grid,
        downbeats=grid[::4],
        beats_per_bar=4,
        phrase_starts=grid[::32],
        key="",
        camelot="8A",
        key_confidence=0.9,
        energy=0.5,
        energy_times=np.arange(0, 30, 0.5),
        energy_curve=np.full(60, 0.5, dtype=np.float32),
        lufs=-14.0,
        true_peak_dbtp=-1.0,
        intro=(0.5, 8.0),
        outro=(22.0, 30.0),
        embedding=np.zeros(4, dtype=np.float32),
    )


def test_a_grid_of_two_downbeats_but_five_beats_is_judged_alike_by_plan_and_design() -> None:
    short = track(beats=0.5 + 0.5 * np.arange(5))  # 5 beats, downbeats at 0.5 s and 2.5 s
    assert len(short.downbeats) == 2 and not reliable_beats(short)
    analyses = {"a": track(), "short": short}
    plan = plan_set(
        [Cand(track_id="a"), Cand(track_id="short")], analyses=analyses, n_tracks=2, prefix=("a",)
    )
    planned = plan.transitions[0]
    designed = plan_transition(analyses["a"], short)
    assert planned.kind == designed.kind == CROSSFADE and not planned.beatmatchable
    assert "no reliable beat grid" in planned.reason and "no reliable beat grid in B" in designed.reason


def test_b_at_half_a_tempo_is_called_half_time_by_plan_and_design() -> None:
    match = match_tempo(bpm_a=140.0, bpm_b=70.0)
    assert match.multiplier == 2.0 and tempo_relation(match) == " (B in half time: 140 BPM effective)"
    assert tempo_relation(match_tempo(bpm_a=70.0, bpm_b=140.0)) == " (B in double time: 70 BPM effective)"
    assert tempo_relation(match_tempo(bpm_a=120.0, bpm_b=122.0)) == ""
    analyses = {"fast": track(bpm=140.0), "slow": track(bpm=70.0)}
    plan = plan_set(
        [Cand(track_id="fast"), Cand(track_id="slow")], analyses=analyses, n_tracks=2, prefix=("fast",)
    )
    planned = plan.transitions[0]
    designed = plan_transition(analyses["fast"], analyses["slow"])
    assert planned.kind == designed.kind == EQ_BLEND and designed.multiplier == 2.0
    assert "140->70 BPM (B in half time: 140 BPM effective)" in planned.reason
    assert (
        "(B in half time: 140 BPM effective)" in designed.reason
        and "double time" not in planned.reason + designed.reason
    )
