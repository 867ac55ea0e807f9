"""DJ mixes on the demo catalogue: beat offset, stretch, key distance, loudness and render speed.

    nice .venv/bin/python benchmarks/mix.py [--users 3] [--tracks 8] [--cache-dir .selecta/bench-mix]

For each of the first --users synthetic demo listeners and each energy arc in turn, the shipped
recommender (trained on the synthetic demo events, analysis columns joined) ranks candidates, the beam
planner orders --tracks of them, and the set is rendered at 44.1 kHz stereo with host lines (Piper joe
voice, cached under --cache-dir so the timing is of mixing, not of speech synthesis) and re-measured.
Reference points in the same run: the greedy planner's score against the beam's; the analysis beat
grid alone (no refinement) against the refined grid; Rubber Band R2 (default), R3 (--hq-stretch) and
librosa's phase vocoder stretching the same 8 s head.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.analysis import analyze_many  # noqa: E402
from dj.mix.measure import measure_mix  # noqa: E402
from dj.mix.pipeline import HostVoice, lay_out  # noqa: E402
from dj.mix.sources import load_source  # noqa: E402
from dj.output.cuesheet import summary  # noqa: E402
from dj.planning.planner import greedy_order, plan_set  # noqa: E402
from dj.planning.tempo_match import CROSSFADE, PREFERRED_STRETCH  # noqa: E402
from recommender import Recommender  # noqa: E402
from services.data.demo import demo_catalog, demo_events  # noqa: E402
from services.personal_mix import candidates_for, track_meta  # noqa: E402
from services.track_analysis import with_analysis_columns  # noqa: E402

ARCS = ("warm-up", "peak-time", "cool-down", "steady")
console = Console()


def _f(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def stretch_engines(path: str) -> Table:
    import librosa
    import pedalboard

    from dj.mix.sources import load_source

    y = np.ascontiguousarray(load_source(path, 44100)[:, : 8 * 44100])
    table = Table(title="Stretching an 8 s stereo head by 3 % (44.1 kHz)")
    for column in ("engine", "seconds", "x real time"):
        table.add_column(column)
    runs = [
        (
            "Rubber Band R2 (pedalboard, default)",
            lambda: pedalboard.time_stretch(y, 44100, 1.03, high_quality=False),
        ),
        (
            "Rubber Band R3 finer (--hq-stretch)",
            lambda: pedalboard.time_stretch(y, 44100, 1.03, high_quality=True),
        ),
        (
            "librosa phase vocoder (reference)",
            lambda: np.stack([librosa.effects.time_stretch(c, rate=1.03) for c in y]),
        ),
    ]
    for name, run in runs:
        t0 = time.perf_counter()
        run()
        dt = time.perf_counter() - t0
        table.add_row(name, f"{dt:.2f}", f"{8.0 / dt:.1f}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=8)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-mix")
    parser.add_argument("--no-voice", action="store_true")
    args = parser.parse_args()

    catalog = demo_catalog()
    ids, paths = catalog["track_id"].to_list(), catalog["path"].to_list()
    t0 = time.perf_counter()
    analyses = dict(zip(ids, analyze_many(paths, cache_dir=args.cache_dir / "analysis"), strict=True))
    console.print(
        f"analysed {len(ids)} demo tracks in {time.perf_counter() - t0:.1f}s (cached after the first run)"
    )
    events = demo_events(catalog=catalog)
    model = Recommender.fit(events=events, items=with_analysis_columns(catalog, analyses))
    meta = track_meta(catalog)
    synth = None
    if not args.no_voice:
        from dj.speech.tts import PiperSynthesizer

        synth = PiperSynthesizer(cache_dir=args.cache_dir / "tts")

    users = sorted(events["user_id"].unique().to_list())[: args.users]
    rows, all_measures, render_s, audio_s, greedy_gaps, cpu_s = [], [], 0.0, 0.0, [], 0.0
    raw_offsets: list[float] = []
    lufs, peaks = [], []
    for k, user in enumerate(users):
        arc = ARCS[k % len(ARCS)]
        cands = candidates_for(model, user, n_tracks=args.tracks, pool=set(analyses))
        plan = plan_set(cands, analyses=analyses, n_tracks=args.tracks, arc=arc, meta=meta)
        greedy = greedy_order(cands, analyses=analyses, n_tracks=args.tracks, arc=arc, meta=meta)
        greedy_gaps.append(plan.total_score - greedy.total_score)
        # Reference: the analysis grid alone, no refinement, no voice.
        plain = lay_out(plan.track_ids, analyses, refine_grids=False).render()
        raw_offsets += [
            abs(m.beat_offset_ms)
            for m in measure_mix(plain, analyses=analyses)
            if m.beat_offset_ms is not None
        ]
        host = (
            HostVoice(synthesizer=synth, meta=meta, explanations=plan.explanations, seed=user)
            if synth is not None
            else None
        )
        lay_out(plan.track_ids, analyses, host=host, refine_grids=False)  # warm the speech cache
        load_source.cache_clear()  # decode counts: every render decodes its tracks afresh
        t, c = time.perf_counter(), time.process_time()
        laid_out = lay_out(plan.track_ids, analyses, host=host)
        result = laid_out.render()
        render_s += time.perf_counter() - t
        cpu_s += time.process_time() - c
        audio_s += result.duration_s
        measures = measure_mix(result, analyses=analyses)
        all_measures += measures
        lufs.append(result.lufs)
        peaks.append(result.true_peak_dbtp)
        timeline, voices = laid_out.timeline, laid_out.voices
        for m in measures:
            a, b = timeline.placements[m.index].track_id, timeline.placements[m.index + 1].track_id
            rows.append((user, arc, m, a.split("/")[-1], b.split("/")[-1]))
        s = summary(measures, result)
        placed = sum(v.placed for v in voices)
        console.print(
            f"{user} {arc}: {result.duration_s:.0f}s, {s.beatmatched}/{s.transitions} beat-matched, "
            f"median |offset| {_f(s.median_abs_beat_offset_ms, '.1f')} ms, {result.lufs:.2f} LUFS, "
            f"{result.true_peak_dbtp:.2f} dBTP, voice lines placed {placed}/{len(voices)}"
        )

    table = Table(title="Transitions (measured on the rendered audio)")
    for column in (
        "user",
        "arc",
        "from",
        "to",
        "type",
        "bars",
        "stretch %",
        "offset ms",
        "Camelot",
        "dist",
        "jump LU",
    ):
        table.add_column(column)
    for user, arc, m, a, b in rows:
        table.add_row(
            user[-2:],
            arc,
            a,
            b,
            m.kind,
            str(m.bars or "-"),
            f"{m.stretch_pct:+.2f}",
            _f(m.beat_offset_ms, "+.1f"),
            f"{m.camelot_from}->{m.camelot_to}",
            str(m.camelot_distance),
            _f(m.loudness_jump_lu, "+.2f"),
        )
    console.print(table)

    matched = [m for m in all_measures if m.kind != CROSSFADE]
    offsets = [abs(m.beat_offset_ms) for m in matched if m.beat_offset_ms is not None]
    within = sum(abs(m.stretch_pct) / 100 <= PREFERRED_STRETCH for m in matched)
    jumps = [abs(m.loudness_jump_lu) for m in all_measures if m.loudness_jump_lu is not None]
    dists = [m.camelot_distance for m in all_measures]
    out = Table(title=f"Summary: {len(users)} mixes x {args.tracks} tracks, 44.1 kHz stereo, 2 cores")
    for column in ("figure", "value", "target"):
        out.add_column(column)
    out.add_row(
        "transitions (beat-matched / crossfade)", f"{len(matched)} / {len(all_measures) - len(matched)}", ""
    )
    out.add_row(
        "median |beat offset|, refined grid",
        f"{statistics.median(offsets):.1f} ms (n={len(offsets)})" if offsets else "-",
        "< 10 ms",
    )
    tracked = [m.tracked for m in matched if m.tracked is not None and m.tracked.measured]
    pooled = np.abs(np.concatenate([t.offsets_ms for t in tracked])) if tracked else np.zeros(0)
    out.add_row(
        "independent |beat offset| median / p90 (each stem beat-tracked, per beat)",
        f"{np.median(pooled):.1f} / {np.percentile(pooled, 90):.1f} ms "
        f"({len(tracked)}/{len(matched)} measurable)"
        if pooled.size
        else "-",
        "< 15 / < 30 ms",
    )
    out.add_row(
        "median |beat offset|, analysis grid only (reference)",
        f"{statistics.median(raw_offsets):.1f} ms (n={len(raw_offsets)})" if raw_offsets else "-",
        "",
    )
    out.add_row("beat-matched with a clear beat to measure", f"{len(offsets)}/{len(matched)}", "")
    out.add_row("stretch within 6 %", f"{within / len(matched):.0%}" if matched else "-", ">= 90 %")
    out.add_row(
        "Camelot distance <= 1", f"{sum(d <= 1 for d in dists) / len(dists):.0%}", "where the pool allows"
    )
    out.add_row("median |loudness jump|", f"{statistics.median(jumps):.2f} LU", "")
    out.add_row("output loudness", f"{min(lufs):.2f} .. {max(lufs):.2f} LUFS", "-14 +- 1")
    out.add_row("true peak", f"max {max(peaks):.2f} dBTP", "<= -1")
    out.add_row(
        "render speed (grid refinement + voice placement + render)",
        f"{audio_s / render_s:.1f}x real time ({audio_s:.0f}s audio in {render_s:.1f}s)",
        ">= 20x",
    )
    out.add_row(
        "render speed by CPU time, all threads summed",
        f"{audio_s / cpu_s:.1f}x real time ({cpu_s:.1f} CPU-s)",
        ">= 20x",
    )
    out.add_row("beam score - greedy score (mean)", f"{statistics.mean(greedy_gaps):+.3f}", ">= 0")
    console.print(out)
    console.print(stretch_engines(str(analyses[ids[0]].path)))


if __name__ == "__main__":
    pl.Config.set_tbl_rows(50)
    main()
