"""DJ mixes of real recordings beside the demo clips: beat offsets measured independently, the host
against the blends, how much of each track played, where the cuts fall, loudness and speed.

    apt-get install hyperrogue-music wesnoth-1.16-music   # freely licensed game soundtracks (Debian)
    nice .venv/bin/python benchmarks/mix_real.py [--tracks 6] [--no-voice] [--sets HyperRogue demo]

Sets: six HyperRogue pieces (CC BY-SA, 48-126 s), the Brahms Hungarian Dance from
``../shared/datasets/real-audio`` with five Wesnoth pieces (GPL-2+ music, orchestral and folk), six of
O'Neill's tunes rendered by FluidSynth on a tempo map drifting by +-3 % (played-like music with known
drift; needs ``pip install music21`` and ``apt-get install fluidsynth fluid-soundfont-gm``), and six of
the 30 s demo clips. Each set is ordered by the beam planner and rendered twice in the same run: with
two straight beat grids per overlap (before) and piecewise (the default: the beats followed one by
one under the overlaps where either track's onsets drift, straight grids under the others). Offsets
come from :mod:`dj.mix.tracked_offsets` (librosa's tracker on each placed stem, not the planner's
grid): pooled over every paired beat of the measurable beat-matched overlaps; a
transition whose trackers disagree is counted as unmeasured. End-to-end time covers design, voice,
render and measurement (analysis is cached and timed apart).

The measurement floor beside them: each beat-matched overlap's window of each track measured against
itself (true offset 0), cut as the measurer cuts the stems (12 s of lead-in for the outgoing role, 12 s
of continuation for the incoming one), at the same tempo prior. It is how far the tracker's beats move
with the context alone, and how often it disagrees with itself on the very same audio (a window whose
tracked tempo or phase flips with the context), so a share of the unmeasured blends is the measurer's,
not the mix's. It cannot see the error that comes from two different pieces (which onset of each the
tracker calls the beat), so it is a lower bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.analysis import TrackAnalysis, analyze_many  # noqa: E402
from dj.mix.mastering import integrated_lufs  # noqa: E402
from dj.mix.measure import TransitionMeasure, measure_mix  # noqa: E402
from dj.mix.pipeline import HostVoice, LaidOutMix, lay_out  # noqa: E402
from dj.mix.render import MEASURE_CONTEXT_S, MEASURE_SR, MixResult  # noqa: E402
from dj.mix.sources import load_source  # noqa: E402
from dj.mix.tracked_offsets import TrackedOffsets, tracked_offsets  # noqa: E402
from dj.planning.planner import TrackMeta, plan_set  # noqa: E402
from dj.planning.tempo_match import EQ_BLEND  # noqa: E402
from dj.speech.tts import Synthesizer, make_synthesizer  # noqa: E402

console = Console(width=230)
HYPERROGUE = Path("/usr/share/hyperrogue/music")
WESNOTH = Path("/usr/share/games/wesnoth/1.16/data/core/music")
REAL_AUDIO = ROOT.parent / "shared" / "datasets" / "real-audio"
SETS = {
    # Pieces whose analysis finds a reliable beat (so the planner can beat-match them), 48-126 s.
    "HyperRogue": [
        HYPERROGUE / f
        for f in (
            "hr3-crossroads.ogg",
            "hr3-graveyard.ogg",
            "hr-savino-palace.ogg",
            "hr3-desert.ogg",
            "hr3-jungle.ogg",
            "hr3-motion.ogg",
        )
    ],
    # The Brahms (rubato strings, no reliable beat) and five Wesnoth pieces, 27-179 s.
    "Brahms + Wesnoth": [
        REAL_AUDIO / "brahms_hungarian_dance_5.hq.ogg",
        *(
            WESNOTH / f
            for f in ("elf-land.ogg", "frantic-old.ogg", "frantic.ogg", "loyalists.ogg", "main_menu.ogg")
        ),
    ],
}
CUT_WINDOW_S = 5.0


@dataclass(frozen=True, kw_only=True)
class _Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


@dataclass(kw_only=True)
class _Row:
    name: str
    mode: str
    tracks: int
    matched: int
    measured: int
    offsets: np.ndarray
    floor: np.ndarray  # |offset| of each window against itself (pooled)
    floor_flips: int  # windows whose tracker disagrees with itself
    floor_windows: int
    notes: list[str]
    blend_s: float
    voice_in_blend_s: float
    introduced: int
    shares: list[float]
    cut_drops_lu: list[float]
    dropped_s: float
    lufs: float
    peak: float
    audio_s: float
    end_to_end_s: float
    render_s: float


def _folk_paths(n: int, root: Path) -> list[Path]:
    """O'Neill's common-time tunes rendered by FluidSynth on a drifting tempo map (benchmarks/folk_tunes.py):
    played-like music whose beats drift by +-3 %, written once to ``root``."""
    import soundfile as sf

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import folk_tunes

    missing = folk_tunes.available()
    if missing:
        console.print(f"folk tunes skipped: {missing}")
        return []
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for j, (title, abc) in enumerate(folk_tunes.oneills_tunes("C", n)):
        path = root / f"folk-{j}.wav"
        if not path.exists():
            tune = folk_tunes.render_tune(title, abc, "C", bpm=112.0 + 2 * j, drift=0.03, seed=j)
            sf.write(path, tune.y, tune.sr)
        paths.append(path)
    return paths


def _demo_paths(n: int) -> list[Path]:
    from services.data.demo import demo_catalog

    return [Path(p) for p in demo_catalog()["path"].to_list()[:n]]


def _overlap_s(span: tuple[float, float], blends: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(span[1], e) - max(span[0], s)) for s, e in blends)


def _cut_drops(laid: LaidOutMix, analyses: dict[str, TrackAnalysis]) -> tuple[list[float], float]:
    """Per outgoing track: source loudness over the 5 s before A leaves minus the 5 s after (what the
    cut dropped; positive means it left while getting quieter), and the seconds dropped in all."""
    drops, dropped = [], 0.0
    for p, spec in zip(laid.timeline.placements, laid.timeline.transitions, strict=False):
        a = analyses[p.track_id]
        dropped += max(0.0, a.duration_s - spec.a_end_s)
        if a.duration_s - spec.a_end_s < CUT_WINDOW_S:
            continue
        y = load_source(str(a.path), 44100)
        before = integrated_lufs(
            y[:, round((spec.a_end_s - CUT_WINDOW_S) * 44100) : round(spec.a_end_s * 44100)], sr=44100
        )
        after = integrated_lufs(
            y[:, round(spec.a_end_s * 44100) : round((spec.a_end_s + CUT_WINDOW_S) * 44100)], sr=44100
        )
        if np.isfinite(before) and np.isfinite(after):
            drops.append(before - after)
    return drops, dropped


def _self_offsets(path: str, start_s: float, end_s: float, *, bpm: float) -> TrackedOffsets:
    """One track's window ``start_s``..``end_s`` (its own seconds) against itself, true offset 0: the
    outgoing role with the measurer's lead-in, the incoming role with its continuation."""
    y = load_source(path, MEASURE_SR).mean(axis=0)
    lead = min(MEASURE_CONTEXT_S, start_s)
    a = y[round((start_s - lead) * MEASURE_SR) : round(end_s * MEASURE_SR)]
    b = y[round(start_s * MEASURE_SR) : round((end_s + MEASURE_CONTEXT_S) * MEASURE_SR)]
    return tracked_offsets(
        a, b, sr=MEASURE_SR, a_overlap_start_s=lead, overlap_s=end_s - start_s, start_bpm=bpm
    )


def _floor(laid: LaidOutMix, analyses: dict[str, TrackAnalysis]) -> list[TrackedOffsets]:
    """Both tracks' windows of every beat-matched overlap, each against itself, at the tempo prior the
    measurer uses there (the pulse A and B share, in each track's own time)."""
    out = []
    for k, spec in enumerate(laid.timeline.transitions):
        if spec.kind != EQ_BLEND:
            continue
        a = analyses[laid.timeline.placements[k].track_id]
        b = analyses[laid.timeline.placements[k + 1].track_id]
        out.append(
            _self_offsets(str(a.path), spec.a_out_s, spec.a_end_s, bpm=a.bpm / max(spec.multiplier, 1.0))
        )
        out.append(
            _self_offsets(
                str(b.path), spec.b_in_s, spec.b_overlap_end_s, bpm=b.bpm * min(spec.multiplier, 1.0)
            )
        )
    return out


def _row(
    name: str,
    mode: str,
    laid: LaidOutMix,
    result: MixResult,
    measures: list[TransitionMeasure],
    analyses: dict[str, TrackAnalysis],
    times: tuple[float, float],
) -> _Row:
    tl = laid.timeline
    blends = [tl.overlap(k) for k in range(len(tl.transitions))]
    matched = [m for m in measures if m.kind == EQ_BLEND and m.tracked is not None]
    measured = [m.tracked for m in matched if m.tracked is not None and m.tracked.measured]
    spans = [(v.index, v.span) for v in laid.voices if v.span is not None]
    drops, dropped = _cut_drops(laid, analyses)
    floor = _floor(laid, analyses)
    return _Row(
        name=name,
        mode=mode,
        tracks=len(tl.placements),
        matched=len(matched),
        measured=len(measured),
        offsets=np.abs(np.concatenate([t.offsets_ms for t in measured])) if measured else np.zeros(0),
        floor=np.abs(np.concatenate([f.offsets_ms for f in floor])) if floor else np.zeros(0),
        floor_flips=sum(not f.measured for f in floor),
        floor_windows=len(floor),
        notes=[m.tracked.reason for m in matched if m.tracked is not None and not m.tracked.measured],
        blend_s=sum(e - s for s, e in blends),
        voice_in_blend_s=sum(_overlap_s(span, blends) for _, span in spans),
        introduced=len({i for i, _ in spans}),
        shares=[(p.src_end_s - p.src_start_s) / analyses[p.track_id].duration_s for p in tl.placements],
        cut_drops_lu=drops,
        dropped_s=dropped,
        lufs=result.lufs,
        peak=result.true_peak_dbtp,
        audio_s=result.duration_s,
        end_to_end_s=times[0],
        render_s=times[1],
    )


def _mix(
    name: str, paths: list[Path], analyses: dict[str, TrackAnalysis], *, n: int, synth: Synthesizer | None
) -> list[_Row]:
    ids = [str(p) for p in paths]
    meta = {t: TrackMeta(track_id=t, title=Path(t).stem, artist=name) for t in ids}
    plan = plan_set([_Cand(track_id=t) for t in ids], analyses=analyses, n_tracks=min(n, len(ids)), meta=meta)
    rows = []
    for mode, piecewise in (("straight grids", False), ("piecewise", True)):
        host = None
        if synth is not None:
            host = HostVoice(synthesizer=synth, meta=meta, explanations=plan.explanations, seed=name)
        t0 = time.perf_counter()
        laid = lay_out(plan.track_ids, analyses, host=host, piecewise=piecewise)
        t1 = time.perf_counter()
        result = laid.render()
        t2 = time.perf_counter()
        measures = measure_mix(result, analyses=analyses)
        t3 = time.perf_counter()
        rows.append(_row(name, mode, laid, result, measures, analyses, (t3 - t0, t2 - t1)))
        for m in measures:
            tr = m.tracked
            console.print(
                f"  {name} / {mode} #{m.index + 1} {m.kind} {m.bars} bars, stretch {m.stretch_pct:+.1f}%: "
                + (
                    "crossfade"
                    if tr is None
                    else tr.reason
                    or f"median |offset| {tr.median_abs_ms:.1f} ms, p90 {tr.p90_abs_ms:.1f} ms over "
                    f"{len(tr.offsets_ms)} beats, xcorr {tr.xcorr_ms:+.1f} ms"
                    + (f" ({tr.note})" if tr.note else "")
                )
            )
    return rows


def _table(rows: list[_Row]) -> Table:
    table = Table(title="Real-music mixes: straight grids (before) vs beats followed one by one (after)")
    for column in (
        "set",
        "alignment",
        "blends measured",
        "|offset| median",
        "p90",
        "floor: self median / p90 (flips)",
        "voice in blends",
        "introduced",
        "share played (min/med)",
        "cut: LU before-after (max)",
        "dropped s",
        "LUFS",
        "dBTP",
        "x real time (end-to-end / render)",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.name,
            r.mode,
            f"{r.measured}/{r.matched}",
            f"{np.median(r.offsets):.1f} ms" if r.offsets.size else "-",
            f"{np.percentile(r.offsets, 90):.1f} ms" if r.offsets.size else "-",
            (f"{np.median(r.floor):.1f} / {np.percentile(r.floor, 90):.1f} ms" if r.floor.size else "-")
            + f" ({r.floor_flips}/{r.floor_windows})",
            f"{r.voice_in_blend_s:.1f} of {r.blend_s:.1f} s",
            f"{r.introduced}/{r.tracks}",
            f"{min(r.shares):.0%} / {np.median(r.shares):.0%}",
            f"{max(r.cut_drops_lu):+.1f}" if r.cut_drops_lu else "-",
            f"{r.dropped_s:.0f}",
            f"{r.lufs:.2f}",
            f"{r.peak:.2f}",
            f"{r.audio_s / r.end_to_end_s:.1f} / {r.audio_s / r.render_s:.1f}",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=6)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-mix-real")
    parser.add_argument("--no-voice", action="store_true")
    parser.add_argument("--sets", nargs="*", default=[*SETS, "folk", "demo"])
    args = parser.parse_args()
    missing = [str(p) for name in args.sets if name in SETS for p in SETS[name] if not p.exists()]
    if missing:
        raise SystemExit(
            "missing recordings; apt-get install hyperrogue-music wesnoth-1.16-music and check "
            f"../shared/datasets/real-audio ({len(missing)} files, e.g. {missing[0]})"
        )
    sets = {name: SETS[name] for name in args.sets if name in SETS}
    if "folk" in args.sets:
        sets["O'Neill tunes (rendered, drifting)"] = _folk_paths(args.tracks, args.cache_dir / "folk")
    if "demo" in args.sets:
        sets["demo clips"] = _demo_paths(args.tracks)
    synth = None
    if not args.no_voice:
        synth = make_synthesizer(cache_dir=args.cache_dir / "tts")
    rows: list[_Row] = []
    for name, paths in sets.items():
        t0 = time.perf_counter()
        found = analyze_many([str(p) for p in paths], cache_dir=args.cache_dir / "analysis")
        analyses = dict(zip([str(p) for p in paths], found, strict=True))
        console.print(
            f"{name}: analysed {len(paths)} tracks ({sum(a.duration_s for a in found):.0f}s of audio) in "
            f"{time.perf_counter() - t0:.1f}s (cached after the first run)"
        )
        rows += _mix(name, paths, analyses, n=args.tracks, synth=synth)
    console.print(_table(rows))
    for r in rows:
        for note in r.notes:
            console.print(f"unmeasured ({r.name}, {r.mode}): {note}")
    console.print("targets on beat-matched transitions of played music: median < 15 ms, p90 < 30 ms")
    console.print(
        "floor: each blend's window of each track measured against itself (true offset 0); flips: windows "
        "where the tracker disagrees with itself on the same audio (tempo or phase), so cannot measure there"
    )


if __name__ == "__main__":
    main()
