"""The re-plan step of the request benchmark: the DJ planner on the 28 bundled demo tracks.

The request catalogue has no audio, so the set being re-planned is a session over the demo tracks (real
analyses, cached under .selecta/bench-requests/analysis). Candidates are the demo tracks that satisfy
the effect's energy and tempo bands (all of them when none does), ranked by closeness to the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dj.planning.planner import replan
from dj.planning.session import DJSession
from dj.requests.effects import Effect

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    track_id: str
    score: float
    explanation: str


@cache
def _demo() -> tuple[DJSession, dict]:
    from dj.analysis import analyze_many
    from services.data.demo import demo_catalog

    catalog = demo_catalog()
    ids, paths = catalog["track_id"].to_list(), catalog["path"].to_list()
    analyses = dict(
        zip(
            ids, analyze_many(paths, cache_dir=ROOT / ".selecta" / "bench-requests" / "analysis"), strict=True
        )
    )
    session = DJSession(session_id="bench", user_id="bench", track_ids=tuple(ids[:8]), position=2)
    return session, analyses


def replan_for_effect(effect: Effect, **_: object) -> tuple[str, ...]:
    """Re-plan the demo session's upcoming tracks under ``effect``; returns the new set's ids."""
    session, analyses = _demo()
    c = effect.constraints
    ranked = []
    for track_id, a in analyses.items():
        distance = 0.0
        if c.energy_range is not None:
            distance += max(0.0, c.energy_range[0] - a.energy, a.energy - c.energy_range[1])
        if c.tempo_range is not None:
            distance += max(0.0, c.tempo_range[0] - a.bpm, a.bpm - c.tempo_range[1]) / 100
        if track_id not in c.exclude:
            ranked.append(_Candidate(track_id=track_id, score=1.0 - distance, explanation="fits the request"))
    if not effect.replan:
        return session.track_ids
    return replan(session, ranked, analyses).track_ids
