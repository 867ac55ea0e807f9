"""Time-stretchers on real recordings: speed, and whether onsets land where the stretch puts them.

    nice .venv/bin/python benchmarks/stretch.py [--clip-s 8] [--ratios 1.03 0.96] [--dir DIR]

Every recording in --dir (default ../shared/datasets/real-audio: a string orchestra with rubato, a jazz
trumpet loop, read speech) is cut into clips of --clip-s seconds at 44.1 kHz stereo, and each clip is
stretched by each speed ratio (1.03 plays 3 % faster, as when B is pulled up to A's tempo) with:

- Signalsmith Stretch through python-stretch (MIT; Selecta's default, ``dj.mix.stretch``),
- Rubber Band R2 and R3 through pedalboard (GPL; the ``rubberband`` extra, ``--hq-stretch`` = R3),
  when installed,
- librosa's phase vocoder (ISC; a common baseline),
- varispeed resampling with soxr (reference: it changes pitch, but its timing is exact by construction,
  so its onset error is the onset detector's own noise floor).

Speed is clip seconds per wall-clock second, on one core (the process is pinned to one CPU). Onsets are
detected with librosa on the clip and on each stretched clip; each onset expected at t / ratio is
matched to the nearest detected onset within 50 ms, and the table gives the median and 90th percentile
of those distances and the share of expected onsets found at all.

A second table renders --mixes short sets of the demo catalogue (tracks in tempo order, so most hand-overs
are beat-matched) once with each engine the renderer offers (Signalsmith; Rubber Band R3 with the extra)
and gives, per beat-matched overlap whose beat phase is unambiguous, the beat offset that
``dj.mix.measure`` measures independently on the rendered audio: the same overlap side by side, so a
difference between columns is the stretcher's, not the pair's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.mix.sources import load_source  # noqa: E402
from dj.mix.stretch import signalsmith_stretch  # noqa: E402

SR = 44100
MATCH_S = 0.05
HOP = 128  # onset detection frames of 2.9 ms, finer than librosa's default 11.6 ms
console = Console(width=120)

Engine = Callable[[np.ndarray, float], np.ndarray]


def engines() -> dict[str, Engine]:
    """Every stretcher installed here, by the name the table shows."""
    import librosa
    import soxr

    found: dict[str, Engine] = {
        "Signalsmith (python-stretch, default)": lambda y, r: signalsmith_stretch(
            y, SR, np.full(y.shape[1], r)
        ),
    }
    try:
        import pedalboard
    except ImportError:
        console.print(
            "[yellow]pedalboard not installed: Rubber Band rows skipped (pip install 'selecta[rubberband]')"
        )
    else:
        found["Rubber Band R2 (pedalboard)"] = lambda y, r: pedalboard.time_stretch(
            y, SR, r, high_quality=False
        )
        found["Rubber Band R3 (pedalboard, --hq-stretch)"] = lambda y, r: pedalboard.time_stretch(
            y, SR, r, high_quality=True
        )
    found["librosa phase vocoder"] = lambda y, r: np.stack(
        [librosa.effects.time_stretch(c, rate=r) for c in y]
    )
    # Varispeed: the same samples played at r times the rate, i.e. resampled from SR to SR / r.
    found["varispeed (soxr; exact timing, reference)"] = lambda y, r: (
        soxr.resample(y.T, SR, SR / r, quality="HQ").T
    )
    return found


def clips(folder: Path, clip_s: float) -> list[tuple[str, np.ndarray]]:
    out = []
    n = round(clip_s * SR)
    for path in sorted(folder.glob("*.ogg")) + sorted(folder.glob("*.flac")) + sorted(folder.glob("*.wav")):
        y = load_source(str(path), SR)
        if y.shape[0] == 1:
            y = np.repeat(y, 2, axis=0)
        starts = range(0, max(1, y.shape[1] - n + 1), n)
        for k, start in enumerate(starts):
            clip = np.ascontiguousarray(y[:, start : start + n], dtype=np.float32)
            if clip.shape[1] >= SR:
                out.append((f"{path.name}#{k}", clip))
    return out


def onsets(y: np.ndarray) -> np.ndarray:
    import librosa

    return np.asarray(
        librosa.onset.onset_detect(y=y.mean(axis=0), sr=SR, hop_length=HOP, units="time", backtrack=False)
    )


def onset_errors_ms(before: np.ndarray, after: np.ndarray, ratio: float) -> tuple[list[float], int]:
    """Distances from each expected onset (before / ratio) to the nearest detected one, and the count
    expected; onsets with no detection within MATCH_S are misses, not errors."""
    expected = before / ratio
    errors = []
    for t in expected:
        if after.size:
            d = float(np.min(np.abs(after - t)))
            if d <= MATCH_S:
                errors.append(1000.0 * d)
    return errors, len(expected)


def transition_table(n_mixes: int, n_tracks: int, cache_dir: Path) -> Table:
    """Demo sets rendered with each stretcher, and their overlaps' beat offsets measured on the audio."""
    import importlib.util

    from dj.analysis import analyze_many
    from dj.mix.beat_phase import envelopes_for
    from dj.mix.measure import measure_mix
    from dj.mix.render import RenderOptions, render_mix
    from dj.mix.timeline import build_timeline
    from services.data.demo import demo_catalog

    catalog = demo_catalog()
    ids, paths = catalog["track_id"].to_list(), catalog["path"].to_list()
    analyses = dict(zip(ids, analyze_many(paths, cache_dir=cache_dir / "analysis", workers=1), strict=True))
    by_tempo = sorted(ids, key=lambda t: analyses[t].bpm)
    sets = [by_tempo[k * n_tracks : (k + 1) * n_tracks] for k in range(n_mixes)]
    sets = [s for s in sets if len(s) >= 2]
    engines_here = {"Signalsmith (default)": False}
    if importlib.util.find_spec("pedalboard") is not None:
        engines_here["Rubber Band R3 (--hq-stretch)"] = True
    table = Table(
        title=f"Beat offsets measured on the rendered overlaps of {len(sets)} demo sets of {n_tracks} tracks"
    )
    for column in ("set", "overlap", "stretch %", *(f"{e} offset ms" for e in engines_here)):
        table.add_column(column)
    measured: dict[str, list[float | None]] = {}
    speed: dict[str, float] = {}
    labels: list[tuple[str, str, str]] = []
    for engine, high_quality in engines_here.items():
        audio_s = wall_s = 0.0
        measured[engine] = []
        for k, track_ids in enumerate(sets):
            timeline = build_timeline(track_ids, analyses, envelopes=envelopes_for(analyses, track_ids))
            t0 = time.perf_counter()
            options = RenderOptions(high_quality=high_quality)
            result = render_mix(timeline=timeline, analyses=analyses, options=options)
            wall_s += time.perf_counter() - t0
            audio_s += result.duration_s
            for m in measure_mix(result, analyses=analyses):
                measured[engine].append(m.beat_offset_ms)
                if len(measured) == 1:
                    labels.append((str(k + 1), f"{m.index + 1}->{m.index + 2}", f"{m.stretch_pct:+.1f}"))
        speed[engine] = audio_s / wall_s
    for row, label in enumerate(labels):
        values = [measured[e][row] for e in engines_here]
        if any(v is not None for v in values):
            table.add_row(*label, *("-" if v is None else f"{v:+.1f}" for v in values))
    table.add_row("all", "render x real time", "", *(f"{speed[e]:.0f}" for e in engines_here))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "datasets" / "real-audio")
    parser.add_argument("--clip-s", type=float, default=8.0)
    parser.add_argument("--ratios", type=float, nargs="+", default=[1.03, 0.96])
    parser.add_argument("--mixes", type=int, default=3, help="demo sets to render per engine (0: none)")
    parser.add_argument("--tracks", type=int, default=6, help="tracks per demo set")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-stretch")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    found = engines()
    material = clips(args.dir, args.clip_s)
    if not material:
        raise SystemExit(f"no recordings in {args.dir}")
    total_s = sum(c.shape[1] for _, c in material) / SR
    console.print(f"{len(material)} clips, {total_s:.0f} s of audio from {args.dir}")
    reference = {name: onsets(clip) for name, clip in material}
    for run in found.values():  # warm-up: imports, FFT plans
        run(material[0][1][:, :SR], 1.03)

    for ratio in args.ratios:
        table = Table(
            title=f"Stretching by {100 * (ratio - 1):+.0f} % (speed ratio {ratio}), 44.1 kHz stereo"
        )
        for column in ("engine", "x real time", "onset error median ms", "p90 ms", "onsets found"):
            table.add_column(column)
        for engine, run in found.items():
            elapsed, errors, expected = 0.0, [], 0
            for name, clip in material:
                t0 = time.perf_counter()
                out = np.asarray(run(clip, ratio), dtype=np.float32)
                elapsed += time.perf_counter() - t0
                errs, n = onset_errors_ms(reference[name], onsets(out), ratio)
                errors += errs
                expected += n
            table.add_row(
                engine,
                f"{total_s / elapsed:.0f}",
                f"{np.median(errors):.1f}" if errors else "-",
                f"{np.percentile(errors, 90):.1f}" if errors else "-",
                f"{len(errors) / max(expected, 1):.0%} of {expected}",
            )
        console.print(table)
    if args.mixes > 0:
        console.print(transition_table(args.mixes, args.tracks, args.cache_dir))


if __name__ == "__main__":
    main()
