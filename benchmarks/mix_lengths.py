"""Where tracks leave and where the host speaks, on real recordings, in each track-length mode.

    nice .venv/bin/python benchmarks/mix_lengths.py [--quick] [--longest-last] [--render radio]
        [--cache-dir DIR]

Six full-length game soundtracks Debian ships (``apt-get install wesnoth-1.16-music hyperrogue-music``,
25 s to 5 min each; skipped with a note when absent) are mixed in the given order in the three length
modes (full, radio, dj), with host lines in the bundled hibari voice (cached under --cache-dir). For each
track: the share of it played, why it leaves there, and the loudness either side of the cut measured on
the decoded audio (BS.1770 over 3 s), beside the loudest 3 s of the track: an independent check of the
exit rule, which works from the analysis energy curve. For the host: seconds of voice inside blends and
tracks introduced. Reference in the same run: the previous placement rule (each line 0.5 s after its
track starts, which is inside the blend into it), its seconds inside blends for the same lines.
``--longest-last`` closes the set with the longest recording, so that the last track's own exit (a fade
on a phrase in radio and dj length) is exercised.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.analysis import analyze_many  # noqa: E402
from dj.analysis.loudness import integrated_loudness  # noqa: E402
from dj.host.placement import blends, seconds_inside  # noqa: E402
from dj.mix.exit_cue import LENGTH_MODES, cut_lufs  # noqa: E402
from dj.mix.pipeline import HostVoice, lay_out  # noqa: E402
from dj.mix.render import RenderOptions  # noqa: E402
from dj.mix.sources import load_source  # noqa: E402
from dj.planning.planner import TrackMeta  # noqa: E402

WESNOTH = Path("/usr/share/games/wesnoth/1.16/data/core/music")
HYPERROGUE = Path("/usr/share/hyperrogue/music")
TRACKS = (
    WESNOTH / "loyalists.ogg",
    HYPERROGUE / "hr3-jungle.ogg",
    WESNOTH / "battle.ogg",
    HYPERROGUE / "hr3-motion.ogg",
    WESNOTH / "frantic.ogg",
    HYPERROGUE / "hr-domina-mountain.ogg",
)
SR = 22050
console = Console(width=170)


def _f(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def loudest_3s(y: np.ndarray, sr: int) -> float:
    """The track's loudest 3 s (BS.1770, 1 s hop): the level a mid-climax cut would sit at."""
    n = y.shape[1] / sr
    return max(
        integrated_loudness(y=y[:, round(t * sr) : round((t + 3) * sr)], sr=sr)
        for t in np.arange(0, n - 3, 1.0)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="first three tracks only")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-lengths")
    parser.add_argument(
        "--longest-last", action="store_true", help="close the set with the longest recording"
    )
    parser.add_argument(
        "--render",
        choices=LENGTH_MODES,
        help="also render this mode's mix (22.05 kHz): loudness, true peak, speed",
    )
    args = parser.parse_args()
    paths = [str(p) for p in TRACKS if p.is_file()]
    if len(paths) < 3:
        console.print("real recordings absent: apt-get install wesnoth-1.16-music hyperrogue-music")
        return
    paths = paths[:3] if args.quick else paths
    if args.longest_last:
        longest = max(paths, key=lambda p: load_source(p, SR).shape[1])
        paths = [p for p in paths if p != longest] + [longest]
    t0 = time.perf_counter()
    analyses = dict(
        zip(paths, analyze_many(paths, cache_dir=args.cache_dir / "analysis", workers=1), strict=True)
    )
    console.print(f"analysed {len(paths)} recordings in {time.perf_counter() - t0:.0f}s")
    from dj.speech.tts import HibariSynthesizer

    synth = HibariSynthesizer(cache_dir=args.cache_dir / "tts")
    meta = {
        p: TrackMeta(track_id=p, title=Path(p).stem.replace("_", " ").replace("-", " "), artist=None)
        for p in paths
    }
    loudest = {p: loudest_3s(load_source(p, SR), SR) for p in paths}
    summary = Table(title="Host and length modes (voice seconds inside blends: 0.0 required)")
    for column in (
        "length",
        "mix min",
        "voice in blends s",
        "previous rule s",
        "introduced",
        "short lines",
        "shares played",
    ):
        summary.add_column(column)
    for mode in LENGTH_MODES:
        host = HostVoice(synthesizer=synth, meta=meta, explanations={}, seed="bench")
        t = time.perf_counter()
        laid = lay_out(paths, analyses, host=host, length=mode, options=RenderOptions(sr=SR))
        if mode == args.render:
            result = laid.render()
            took = time.perf_counter() - t
            console.print(
                f"{mode}: rendered {result.duration_s / 60:.1f} min in {took:.0f}s "
                f"({result.duration_s / took:.0f}x real time, voice and layout included): "
                f"{result.lufs:.2f} LUFS, {result.true_peak_dbtp:.2f} dBTP"
            )
        tl, voices = laid.timeline, laid.voices
        spans = blends(tl)
        table = Table(title=f"{mode} length: exits (loudness on the decoded audio, LUFS over 3 s)")
        for column in (
            "#",
            "track",
            "played",
            "share",
            "exit",
            "before cut",
            "after cut",
            "loudest 3 s",
            "voice at",
            "where",
        ):
            table.add_column(column)
        for p, v in zip(tl.placements, voices, strict=True):
            a = analyses[p.track_id]
            before, after = cut_lufs(load_source(p.track_id, SR), sr=SR, cut_s=p.src_end_s)
            # The last track says how it ends (a fade on a phrase, or its own ending).
            exit_why = p.ending or f"out at {tl.transitions[p.index].a_out_s:.1f}s"
            table.add_row(
                str(p.index + 1),
                Path(p.track_id).stem,
                f"{p.src_end_s - p.src_start_s:.0f}s",
                f"{(p.src_end_s - p.src_start_s) / a.duration_s:.0%}",
                exit_why,
                _f(before, ".1f"),
                _f(after, ".1f"),
                f"{loudest[p.track_id]:.1f}",
                _f(v.slot.start_s, ".1f"),
                f"{v.variant}: {v.slot.reason}"[:60],
            )
        console.print(table)
        inside = sum(v.seconds_in_blends(tl) for v in voices)
        # The previous rule: every line 0.5 s after its track starts (over the blend into it).
        previous = sum(
            seconds_inside(
                (
                    tl.placements[v.index].mix_start_s + 0.5,
                    tl.placements[v.index].mix_start_s + 0.5 + len(v.y) / SR,
                ),
                spans,
            )
            for v in voices
        )
        summary.add_row(
            mode,
            f"{tl.duration_s / 60:.1f}",
            f"{inside:.1f}",
            f"{previous:.1f}",
            f"{sum(v.placed for v in voices)}/{len(voices)}",
            str(sum(v.variant == "short" for v in voices)),
            " ".join(
                f"{(p.src_end_s - p.src_start_s) / analyses[p.track_id].duration_s:.0%}"
                for p in tl.placements
            ),
        )
    console.print(summary)


if __name__ == "__main__":
    main()
