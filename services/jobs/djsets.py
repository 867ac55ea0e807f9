"""Planned DJ sets for many users: a cue sheet per listener (JSON, no audio).

Each listener's candidates (the recommender, restricted to analysed tracks) are ordered by the DJ's planner
and their hand-overs designed on the analysis beat grids (``lay_out(..., refine_grids=False)``: no audio
is decoded), so the sheet says when each track starts and ends on the mix clock, how each transition is
made and why each track is there. A streaming app can show or pre-render it later. Written to
``<out>/<user>.json`` plus ``<out>/index.parquet`` (user, file, tracks, duration, error); checkpointed
and resumable like the playlists (:mod:`services.jobs.batches`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from core.errors import SelectaError, error_code
from dj.analysis import TrackAnalysis
from dj.mix.exit_cue import LengthMode
from dj.mix.pipeline import lay_out
from dj.planning.planner import SetPlan, TrackMeta, plan_set
from recommender import Constraints, Recommender
from services.jobs.batches import (
    BATCH,
    BatchPlan,
    BatchRunner,
    Histories,
    finish,
    read_parts,
    run_batches,
    write_atomic,
)
from services.jobs.playlists import job_users, unseen_histories
from services.personal_mix import candidates_for, mixable_catalog, track_meta
from services.recommending import RecommendationService, bundle_id, bundle_path
from services.settings import Settings
from services.store import Store
from services.track_analysis import analyse_catalog

PART_SCHEMA: dict[str, pl.DataType] = {
    "user_id": pl.String(),
    "tracks": pl.Int32(),
    "duration_s": pl.Float64(),
    "error": pl.String(),
    "sheet": pl.String(),
}


def file_name(user_id: str) -> str:
    """A file name for any user id: its safe characters, then a short hash so two ids never collide."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in user_id)[:80].lstrip(".")
    return f"{safe}-{hashlib.sha1(user_id.encode()).hexdigest()[:8]}.json"


def planned_sheet(
    user_id: str,
    plan: SetPlan,
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    *,
    length: LengthMode = "dj",
) -> dict[str, Any]:
    """The cue sheet of a planned set: the mix clock from the laid-out timeline (each track leaving as
    the ``length`` mode has it, :mod:`dj.mix.exit_cue`), the plan's reasons."""
    timeline = lay_out(plan.track_ids, analyses, refine_grids=False, length=length).timeline
    tracks = []
    for p in timeline.placements:
        a, m = analyses[p.track_id], meta.get(p.track_id)
        tracks.append(
            {
                "position": p.index + 1,
                "track_id": p.track_id,
                "title": m.title if m else p.track_id,
                "artist": m.artist if m else None,
                "start_s": round(p.mix_start_s, 3),
                "end_s": round(p.mix_end_s, 3),
                "source_from_s": round(p.src_start_s, 3),
                "source_to_s": round(p.src_end_s, 3),
                "share_played": round((p.src_end_s - p.src_start_s) / max(a.duration_s, 1e-9), 3),
                "bpm": round(a.bpm, 2),
                "key": a.key,
                "camelot": a.camelot,
                "energy": round(a.energy, 3),
                "why_picked": plan.explanations.get(p.track_id, ""),
            }
        )
    transitions = [
        {
            "index": k,
            "from_id": planned.from_id,
            "to_id": planned.to_id,
            "kind": spec.kind,
            "bars": spec.bars,
            "start_s": round(timeline.overlap(k)[0], 3),
            "end_s": round(timeline.overlap(k)[1], 3),
            "tempo_multiplier": spec.multiplier,
            "stretch_pct": round(planned.stretch_pct, 2),
            "camelot_distance": planned.camelot_distance,
            "reason": spec.reason,
            "plan_reason": planned.reason,
        }
        for k, (spec, planned) in enumerate(zip(timeline.transitions, plan.transitions, strict=True))
    ]
    return {
        "user_id": user_id,
        "arc": plan.arc.value,
        "length": length,
        "duration_s": round(timeline.duration_s, 3),
        "tracks": tracks,
        "transitions": transitions,
        "plan": [asdict(t) for t in plan.transitions],
        "audio": None,
    }


class DJSetRunner(BatchRunner):
    """Plans a batch of sets: the bundle loaded once, the catalogue's analyses passed in once."""

    def __init__(
        self,
        bundle: str,
        analyses: Mapping[str, TrackAnalysis],
        meta: Mapping[str, TrackMeta],
        n_tracks: int,
        arc: str,
        length: LengthMode,
        retired: frozenset[str] = frozenset(),
    ) -> None:
        self.model = Recommender.load(bundle)
        self.analyses, self.meta, self.n_tracks, self.arc = analyses, meta, n_tracks, arc
        self.length = length
        self.constraints = Constraints(exclude=retired) if retired else None

    def one(self, user: str, history: pl.DataFrame | None) -> tuple[str, int, float, str | None, str]:
        try:
            candidates = candidates_for(
                self.model,
                user,
                n_tracks=self.n_tracks,
                pool=set(self.analyses),
                history=history,
                constraints=self.constraints,
            )
            plan = plan_set(
                candidates,
                analyses=self.analyses,
                n_tracks=min(self.n_tracks, len(candidates)),
                arc=self.arc,
                meta=self.meta,
            )
            sheet = planned_sheet(user, plan, self.analyses, self.meta, length=self.length)
        except SelectaError as exc:  # one listener the planner cannot serve does not stop the job
            return user, 0, 0.0, f"{error_code(exc)}: {exc}", "null"
        return user, len(sheet["tracks"]), sheet["duration_s"], None, json.dumps(sheet, sort_keys=True)

    def run(self, users: list[str], histories: Histories) -> pl.DataFrame:
        rows = [self.one(user, histories.get(user)) for user in users]
        return pl.DataFrame(rows, schema=PART_SCHEMA, orient="row")


def _write_text(path: Path, *, text: str) -> None:
    path.write_text(text)


def generate_djsets(
    settings: Settings,
    store: Store,
    *,
    out: Path,
    users: list[str] | None = None,
    n_tracks: int = 8,
    arc: str = "steady",
    length: LengthMode = "dj",
    backend: str = "local",
    batch_size: int = BATCH,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, object]:
    """Write a planned set for every requested user into the folder ``out``; all known users by default.
    ``length`` is the listeners' track-length mode (full, radio or dj), as in ``selecta mix``."""
    catalog = mixable_catalog(settings)
    analyses = analyse_catalog(settings, catalog)
    service = RecommendationService(settings, store)
    model = service.model()
    everyone = job_users(model, store, users)
    plan = BatchPlan.for_output(
        out,
        everyone,
        batch_size=batch_size,
        kind="djset",
        n_tracks=n_tracks,
        arc=arc,
        length=length,
        bundle=bundle_id(model),
        catalog=store.catalog_version(),
    )
    factory = functools.partial(
        DJSetRunner,
        str(bundle_path(settings)),
        analyses,
        track_meta(catalog),
        n_tracks,
        arc,
        length,
        store.retired_tracks(),
    )
    parts, skipped = run_batches(
        plan, factory, unseen_histories(service, model), backend=backend, on_progress=on_progress
    )
    frame = read_parts(parts, PART_SCHEMA)
    out.mkdir(parents=True, exist_ok=True)
    names = [file_name(u) for u in frame["user_id"]]
    for name, sheet in zip(names, frame["sheet"], strict=True):
        write_atomic(out / name, functools.partial(_write_text, text=sheet + "\n"))
    index = frame.drop("sheet").with_columns(pl.Series("file", names, dtype=pl.String))
    write_atomic(out / "index.parquet", index.write_parquet)
    finish(plan.parts_dir)
    return {
        "users": len(everyone),
        "planned": int(frame["error"].is_null().sum()),
        "path": str(out),
        "backend": backend,
        "resumed_batches": skipped,
        "batches": len(plan.batches),
    }
