"""The planner's constraints: key, tempo, energy arc, variety, reasons; beam search beats greedy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from dj.analysis.result import TrackAnalysis
from dj.planning.arcs import InvalidArcError
from dj.planning.planner import PlanningError, TrackMeta, greedy_order, plan_set, replan
from dj.planning.session import DJSession


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


def fake(
    bpm: float = 120.0, camelot: str = "8A", energy: float = 0.5, confidence: float = 0.9
) -> TrackAnalysis:
    beats = np.arange(0.5, 30.0, 60.0 / bpm)
    return TrackAnalysis(
        path=None,
        content_hash=None,
        duration_s=30.0,
        bpm=bpm,
        bpm_confidence=confidence,
        beats=beats,
        downbeats=beats[::4],
        beats_per_bar=4,
        phrase_starts=beats[::32],
        key="",
        camelot=camelot,
        key_confidence=0.9,
        energy=energy,
        energy_times=np.arange(0, 30, 0.5),
        energy_curve=np.full(60, energy, dtype=np.float32),
        lufs=-14.0,
        true_peak_dbtp=-1.0,
        intro=(0.5, 8.0),
        outro=(22.0, 30.0),
        embedding=np.zeros(4, dtype=np.float32),
    )


def test_warm_up_and_cool_down_follow_the_arc() -> None:
    energies = np.linspace(0.1, 0.9, 10)
    analyses = {f"t{i}": fake(energy=float(e)) for i, e in enumerate(energies)}
    cands = [Cand(track_id=t) for t in analyses]
    up = plan_set(cands, analyses=analyses, n_tracks=6, arc="warm-up")
    down = plan_set(cands, analyses=analyses, n_tracks=6, arc="cool-down")
    e_up = [analyses[t].energy for t in up.track_ids]
    e_down = [analyses[t].energy for t in down.track_ids]
    assert np.corrcoef(np.arange(6), e_up)[0, 1] > 0.9
    assert np.corrcoef(np.arange(6), e_down)[0, 1] < -0.9


def test_keys_chain_round_the_wheel_when_the_pool_allows() -> None:
    rng = np.random.default_rng(3)
    analyses = {f"k{n}": fake(camelot=f"{n}A") for n in rng.permutation(np.arange(1, 13))}
    plan = plan_set([Cand(track_id=t) for t in analyses], analyses=analyses, n_tracks=6)
    assert all(t.camelot_distance <= 1 for t in plan.transitions)
    assert all(t.camelot_from in t.reason and t.camelot_to in t.reason for t in plan.transitions)


def test_tempo_stays_within_six_percent_and_allows_double_time() -> None:
    bpms = [100, 101, 103, 131, 133, 136, 70, 140]
    analyses = {f"b{b}": fake(bpm=b) for b in bpms}
    plan = plan_set([Cand(track_id=t) for t in analyses], analyses=analyses, n_tracks=5)
    assert all(abs(t.stretch_pct) <= 6.0 for t in plan.transitions)
    pair = plan_set([Cand(track_id="b70"), Cand(track_id="b140")], analyses=analyses, n_tracks=2)
    assert pair.transitions[0].tempo_multiplier in (0.5, 2.0) and pair.transitions[0].stretch_pct == 0.0


def test_unreliable_beats_are_planned_as_crossfades_with_the_reason() -> None:
    analyses = {"x": fake(), "y": fake(confidence=0.0)}
    plan = plan_set([Cand(track_id="x"), Cand(track_id="y")], analyses=analyses, n_tracks=2)
    assert not plan.transitions[0].beatmatchable
    assert "plain crossfade" in plan.transitions[0].reason


def test_artists_alternate_when_they_can() -> None:
    analyses = {f"t{i}": fake() for i in range(6)}
    meta = {t: TrackMeta(track_id=t, title=t, artist="A" if i < 3 else "B") for i, t in enumerate(analyses)}
    plan = plan_set([Cand(track_id=t) for t in analyses], analyses=analyses, n_tracks=6, meta=meta)
    artists = [meta[t].artist for t in plan.track_ids]
    assert all(x != y for x, y in itertools.pairwise(artists))


def test_recommender_score_breaks_ties() -> None:
    analyses = {f"t{i}": fake() for i in range(5)}
    cands = [Cand(track_id=t, score=float(i)) for i, t in enumerate(analyses)]
    plan = plan_set(cands, analyses=analyses, n_tracks=2)
    assert set(plan.track_ids) == {"t4", "t3"}


def test_beam_search_never_loses_to_greedy_and_sometimes_wins() -> None:
    rng = np.random.default_rng(11)
    wins = 0
    for _ in range(15):
        analyses = {
            f"t{i}": fake(
                bpm=float(rng.uniform(95, 135)),
                camelot=f"{rng.integers(1, 13)}{'AB'[rng.integers(2)]}",
                energy=float(rng.uniform(0, 1)),
            )
            for i in range(14)
        }
        cands = [Cand(track_id=t, score=float(rng.uniform())) for t in analyses]
        beam = plan_set(cands, analyses=analyses, n_tracks=7, arc="peak-time")
        greedy = greedy_order(cands, analyses=analyses, n_tracks=7, arc="peak-time")
        assert beam.total_score >= greedy.total_score - 1e-9
        wins += beam.total_score > greedy.total_score + 1e-6
    assert wins >= 1


def test_replan_keeps_what_was_played_and_what_is_playing() -> None:
    analyses = {f"t{i}": fake(bpm=120 + i) for i in range(10)}
    session = DJSession(session_id="s", user_id="u", track_ids=("t0", "t1", "t2", "t3", "t4"), position=2)
    cands = [Cand(track_id=t) for t in ("t5", "t6", "t7", "t8", "t9")]
    plan = replan(session, cands, analyses)
    assert plan.track_ids[:3] == ("t0", "t1", "t2")
    assert len(plan.track_ids) == 5 and set(plan.track_ids[3:]) <= {"t5", "t6", "t7", "t8", "t9"}
    assert session.with_plan(plan.track_ids).playing == "t2"


def test_bad_requests_have_stable_codes() -> None:
    analyses = {"a": fake(), "b": fake()}
    with pytest.raises(PlanningError) as err:
        plan_set([Cand(track_id="a"), Cand(track_id="b")], analyses=analyses, n_tracks=3)
    assert err.value.code == "planning_failed"
    with pytest.raises(InvalidArcError):
        plan_set([Cand(track_id="a")], analyses=analyses, n_tracks=1, arc="sideways")


def test_target_length_picks_a_track_count() -> None:
    analyses = {f"t{i}": fake() for i in range(12)}
    plan = plan_set([Cand(track_id=t) for t in analyses], analyses=analyses, target_s=120.0)
    assert 4 <= len(plan.track_ids) <= 7
