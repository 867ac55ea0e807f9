"""Planner and renderer on real recordings: six bundled demo tracks, analysed by the analysis package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dj.analysis import analyze_many
from dj.analysis.loudness import integrated_loudness, true_peak_dbtp
from dj.mix.beat_phase import envelopes_for
from dj.mix.measure import measure_mix
from dj.mix.render import RenderOptions, render_mix
from dj.mix.timeline import build_timeline
from dj.planning.planner import plan_set

NAMES = (
    "happy/happy_acoustic_1",
    "happy/happy_acoustic_2",
    "happy/happy_acoustic_s411",
    "tender/tender_electronic_1",
    "tender/tender_electronic_s411",
    "calm/calm_acoustic_1",
)


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


@pytest.mark.slow
def test_a_real_set_is_planned_within_constraints_and_beats_line_up(tmp_path: Path) -> None:
    import immich_memories_music

    root = Path(immich_memories_music.tracks_dir())
    paths = [str(root / f"{name}.opus") for name in NAMES]
    analyses = dict(zip(NAMES, analyze_many(paths, cache_dir=tmp_path / "analysis", workers=1), strict=True))
    plan = plan_set([Cand(track_id=n) for n in NAMES], analyses=analyses, n_tracks=3, arc="steady")
    # Two tempo families (110 and 100 BPM) in the pool: a 3-track set stays inside one of them.
    assert all(t.beatmatchable and abs(t.stretch_pct) <= 6.0 for t in plan.transitions)
    assert all(t.camelot_distance <= 1 for t in plan.transitions)
    timeline = build_timeline(
        plan.track_ids, analyses, envelopes=envelopes_for(analyses, plan.track_ids, sr=22050)
    )
    result = render_mix(timeline=timeline, analyses=analyses, options=RenderOptions(sr=22050))
    measures = measure_mix(result, analyses=analyses)
    offsets = [m.beat_offset_ms for m in measures if m.beat_offset_ms is not None]
    assert offsets, "no transition had a clear beat to measure"
    assert all(abs(o) < 10.0 for o in offsets)
    assert integrated_loudness(y=result.y, sr=22050) == pytest.approx(-14.0, abs=1.0)
    assert true_peak_dbtp(y=result.y, sr=22050) <= -1.0
