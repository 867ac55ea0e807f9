"""Making a personalised mix: catalogue + audio analysis + recommender candidates -> planner -> render.

Glue only: every decision lives in ``dj`` (planning, transitions, rendering) or ``recommender`` (ranking).
Used by ``selecta mix`` and, later, the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from dj.errors import DJError
from dj.mix.exit_cue import LengthMode
from dj.mix.measure import TransitionMeasure, measure_mix
from dj.mix.pipeline import HostVoice, lay_out
from dj.mix.render import MixResult, RenderOptions
from dj.output.cuesheet import CueSheet, Provenance, cue_sheet
from dj.output.export import audio_format, mix_tags, write_mix
from dj.planning.planner import SetPlan, TrackMeta, plan_set
from dj.speech.tts import Synthesizer, VoiceChoice, make_synthesizer
from recommender import Constraints, Recommendation, Recommender
from services.data.catalog import load_catalog
from services.recommending import bundle_id, bundle_path, train
from services.settings import Settings
from services.store import Store
from services.track_analysis import analyse_catalog

if TYPE_CHECKING:
    from dj.speech.tts import Synthesizer

Progress = Callable[[str, int, int], None]


class NoMixableTracksError(DJError):
    """The catalogue has too few tracks with audio to make the requested mix."""

    code = "no_mixable_tracks"
    status = 422


@dataclass(frozen=True, kw_only=True)
class MixRequest:
    user_id: str
    n_tracks: int = 8
    arc: str = "steady"
    voice: bool = True
    high_quality_stretch: bool = False
    tempo_ramp: bool = True
    length: LengthMode = "dj"  # full tracks, radio edits or DJ length (dj.mix.exit_cue)
    sr: int = 44100
    requests: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MixOutcome:
    audio_path: Path
    json_path: Path
    png_path: Path | None
    sheet: CueSheet
    measures: Sequence[TransitionMeasure]
    result: MixResult
    plan: SetPlan
    timings_s: Mapping[str, float]
    shortfall: str | None = None  # why the set has fewer tracks than asked for, when it does


def mixable_catalog(settings: Settings) -> pl.DataFrame:
    if not settings.catalog_path.is_file():
        raise NoMixableTracksError("no catalogue yet: run `selecta demo` (or import a folder of audio) first")
    catalog = load_catalog(settings.catalog_path).filter(pl.col("path").is_not_null())
    if catalog.height < 2:
        raise NoMixableTracksError("the catalogue has fewer than two tracks with audio files to mix")
    return catalog


def load_or_train_recommender(settings: Settings, store: Store) -> Recommender:
    """The saved bundle when there is one; otherwise the shipped default trained on the store's events
    and the whole catalogue with its analysis columns, saved where ``selecta train`` would put it."""
    path = bundle_path(settings)
    if (path / "manifest.json").is_file():
        return Recommender.load(path)
    if store.count_events() == 0:
        raise NoMixableTracksError(
            "no listening events to personalise with: run `selecta demo` or import some"
        )
    return train(settings, store)


def candidates_for(
    model: Recommender,
    user_id: str,
    *,
    n_tracks: int,
    pool: set[str],
    history: pl.DataFrame | None = None,
    constraints: Constraints | None = None,
    discovery: float = 0.0,
) -> list[Recommendation]:
    """Ranked candidates for the planner, restricted to tracks we can mix: unplayed tracks first, then the
    listener's played tracks at half their score, so a small catalogue (the demo has 28 tracks) still
    gives the planner room to find good transitions without leaning on what the listener already knows.
    ``history`` (events the bundle has not seen) and ``constraints`` (a DJ request's) pass to the ranking."""
    want = max(3 * n_tracks, 30)
    fresh = [
        r
        for r in model.recommend(user_id, want, discovery=discovery, history=history, constraints=constraints)
        if r.track_id in pool
    ]
    seen = {r.track_id for r in fresh}
    played = [
        Recommendation(
            track_id=r.track_id, score=0.5 * r.score, explanation=r.explanation, reason_code=r.reason_code
        )
        for r in model.recommend(user_id, want, include_played=True, history=history, constraints=constraints)
        if r.track_id in pool and r.track_id not in seen
    ]
    if discovery > 0 and fresh and played:
        # The fill is ranked without the discovery penalty: kept as it is, the listener's familiar tracks
        # would outscore the penalised discoveries. Below the last discovery, they only fill the set.
        shift = min(r.score for r in fresh) - max(r.score for r in played) - 1.0
        played = [replace(r, score=r.score + min(0.0, shift)) for r in played]
    return fresh + played


def track_meta(catalog: pl.DataFrame) -> dict[str, TrackMeta]:
    return {
        row["track_id"]: TrackMeta(
            track_id=row["track_id"], title=row["title"], artist=row["artist"], tags=tuple(row["tags"] or ())
        )
        for row in catalog.select("track_id", "title", "artist", "tags").iter_rows(named=True)
    }


def make_mix(
    settings: Settings,
    store: Store,
    request: MixRequest,
    *,
    out: Path,
    fmt: str | None = None,
    synthesizer: Synthesizer | None = None,
    on_step: Callable[[str], None] | None = None,
    plot: bool = True,
) -> MixOutcome:
    """Plan, render, measure and write a personalised mix to ``out`` (+ ``.json`` and ``.png`` beside it)."""
    audio_format(out, fmt)
    step = on_step or (lambda _: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    catalog = mixable_catalog(settings)
    step("analysing tracks")
    analyses = analyse_catalog(settings, catalog)
    timings["analysis"] = time.perf_counter() - t0
    t = time.perf_counter()
    step("ranking candidates")
    model = load_or_train_recommender(settings, store)
    candidates = candidates_for(model, request.user_id, n_tracks=request.n_tracks, pool=set(analyses))
    meta = track_meta(catalog)
    step("planning the set")
    plan = plan_set(
        candidates,
        analyses=analyses,
        n_tracks=min(request.n_tracks, len(candidates)),
        arc=request.arc,
        meta=meta,
    )
    shortfall = None
    if len(plan.track_ids) < request.n_tracks:
        shortfall = (
            f"asked for {request.n_tracks} tracks but only {len(candidates)} can be offered: the catalogue "
            f"has {catalog.height} tracks with audio, {len(analyses)} of them analysed"
        )
    timings["recommend+plan"] = time.perf_counter() - t
    t = time.perf_counter()
    tts = None
    if request.voice:
        tts = synthesizer or synthesizer_for(settings)
    laid_out = lay_out(
        plan.track_ids,
        analyses,
        options=RenderOptions(sr=request.sr, high_quality=request.high_quality_stretch),
        host=HostVoice(synthesizer=tts, meta=meta, explanations=plan.explanations, seed=request.user_id)
        if tts is not None
        else None,
        ramp=request.tempo_ramp,
        length=request.length,
        on_step=step,
    )
    timings["transitions+voice"] = time.perf_counter() - t
    t = time.perf_counter()
    step("rendering")
    result = laid_out.render()
    timings["render"] = time.perf_counter() - t
    t = time.perf_counter()
    measures = measure_mix(result, analyses=analyses)
    timings["measure"] = time.perf_counter() - t
    first = next(iter(analyses.values()))
    provenance = Provenance(
        user_id=request.user_id,
        recommender_bundle=bundle_id(model),
        analysis_version=first.analysis_version,
        tts_backend=tts.backend if tts is not None else None,
        tts_voice=tts.voice if tts is not None else None,
        tts_model=tts.model_label if tts is not None else None,
        arc=plan.arc.value,
        requests=request.requests,
        options={
            "n_tracks": request.n_tracks,
            "voice": request.voice,
            "sr": request.sr,
            "high_quality_stretch": request.high_quality_stretch,
            "tempo_ramp": request.tempo_ramp,
            "length": request.length,
        },
    )
    sheet = cue_sheet(
        plan=plan,
        result=result,
        measures=measures,
        analyses=analyses,
        meta=meta,
        provenance=provenance,
        timings_s={k: round(v, 3) for k, v in timings.items()},
    )
    write_mix(out, y=result.y, sr=result.sr, fmt=fmt, tags=mix_tags(sheet))
    json_path = out.with_suffix(".json")
    json_path.write_text(sheet.to_json())
    png_path = None
    if plot:
        from dj.output.plot import plot_set

        png_path = plot_set(
            out.with_suffix(".png"),
            result=result,
            analyses=analyses,
            titles={k: m.title for k, m in meta.items()},
        )
    return MixOutcome(
        audio_path=out,
        json_path=json_path,
        png_path=png_path,
        sheet=sheet,
        measures=measures,
        result=result,
        plan=plan,
        timings_s=timings,
        shortfall=shortfall,
    )


def synthesizer_for(
    settings: Settings,
    *,
    backend: str = "hibari",
    model_path: Path | None = None,
    config_path: Path | None = None,
    voice: VoiceChoice | None = None,
) -> Synthesizer:
    """The host voice (hibari's bundled voice by default, or a session's ``voice``; see
    ``dj.speech.tts.make_synthesizer``), cached under the settings' cache."""
    cache_dir = settings.cache_dir / "tts"
    if voice is not None:
        return make_synthesizer(voice, cache_dir=cache_dir)
    return make_synthesizer(backend, model_path=model_path, config_path=config_path, cache_dir=cache_dir)
