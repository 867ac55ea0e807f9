"""Accuracy and speed of Selecta's audio analysis against librosa (and essentia when installed).

Two sets, same audio for every system in the same run:

* synthetic: drums, bass and chords rendered by ``dj.testing.music`` at known tempo (60..180 BPM), beats
  and key, across six drum patterns (incl. swing, half-time, triplet hats and drum-less tracks);
* real: the 28 demo tracks of immich-memories-music against two references:
  - ``hand``: ``benchmarks/data/demo_annotations.json``, tempi set by inspecting onset plots with grids from
    an early Selecta analyser overlaid (so biased towards Selecta; see that file for how sure each one is);
  - ``prompt``: the tempo and key ACE-Step was prompted with, parsed from the package's LICENSE-MUSIC
    (fallback copy: ``benchmarks/data/demo_prompts.json``). Independent of every analyser, but a
    generative model does not always follow its prompt, so it is a reference, not ground truth.

Metrics: tempo Acc1 (within 4%) and Acc2 (also at x2, x1/2, x3, x1/3), beat F-measure (+-70 ms, mir_eval,
first 5 s trimmed as mir_eval does), key MIREX weighted score (1 same key, 0.5 fifth, 0.3 relative,
0.2 parallel; synthetic keys and prompt keys; librosa has no key estimator). Speed: seconds of audio
analysed per second of one core, decode excluded and included, after warm-up, plus the first-call cost.

Run:  OPENBLAS_NUM_THREADS=1 nice .venv/bin/python benchmarks/analysis.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

_t0 = time.perf_counter()
from dj.analysis import analyze  # noqa: E402
from dj.audio import load_audio  # noqa: E402
from dj.testing.music import PATTERNS, render_track  # noqa: E402

IMPORT_S = time.perf_counter() - _t0
ANNOTATIONS = Path(__file__).parent / "data" / "demo_annotations.json"
PROMPTS_COPY = Path(__file__).parent / "data" / "demo_prompts.json"
SR = 22050


def acc1(est: float, ref: float) -> bool:
    return abs(est - ref) <= 0.04 * ref


def acc2(est: float, ref: float) -> bool:
    return any(acc1(est, ref * f) for f in (1.0, 2.0, 0.5, 3.0, 1 / 3))


def beat_f(ref: np.ndarray, est: np.ndarray) -> float:
    import mir_eval

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(ref), mir_eval.beat.trim_beats(est)))


def key_score(ref: str, est: str) -> float:
    import mir_eval

    return float(mir_eval.key.weighted_score(ref, est))


def librosa_system(y: np.ndarray, sr: int) -> dict:
    import librosa

    tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    return {"bpm": float(np.atleast_1d(tempo)[0]), "beats": np.asarray(beats)}


def essentia_system():
    try:
        import essentia.standard as es
    except ImportError:
        return None
    rhythm = es.RhythmExtractor2013(method="multifeature")
    key = es.KeyExtractor()

    def run(y: np.ndarray, sr: int) -> dict:
        y44 = load_resampled(y, sr, 44100)
        bpm, beats, *_ = rhythm(y44)
        k, scale, _strength = key(y44)
        return {"bpm": float(bpm), "beats": np.asarray(beats), "key": f"{k} {scale}"}

    return run


def load_resampled(y: np.ndarray, sr: int, target: int) -> np.ndarray:
    import soxr

    return soxr.resample(y, sr, target).astype(np.float32) if sr != target else y


def ours_system(y: np.ndarray, sr: int) -> dict:
    a = analyze(y=y, sr=sr)
    return {"bpm": a.bpm, "beats": a.beats, "key": a.key}


def synthetic_set(quick: bool) -> list[dict]:
    tempi = [60, 66, 72, 78, 85, 92, 100, 108, 116, 124, 132, 140, 150, 160, 170, 180]
    items = []
    for i, bpm in enumerate(tempi[:: 2 if quick else 1]):
        for j in range(3):
            pattern = PATTERNS[(i + 2 * j) % len(PATTERNS)]
            tonic, mode = (i * 5 + j * 7) % 12, ("minor" if (i + j) % 2 else "major")
            swing = 1.0 if (pattern == "backbeat" and j == 1) else 0.0
            t = render_track(
                bpm=bpm,
                tonic=tonic,
                mode=mode,
                pattern=pattern,
                swing=swing,
                duration_s=20.0,
                sr=SR,
                seed=100 * i + j,
            )
            items.append(
                {
                    "name": f"{bpm}-{pattern}{'-swing' if swing else ''}",
                    "y": t.y,
                    "sr": SR,
                    "bpm": float(bpm),
                    "beats": t.beats,
                    "key": t.key,
                    "pattern": pattern,
                }
            )
    return items


def parse_prompts(text: str) -> dict[str, dict]:
    """Track id -> {bpm, key} from LICENSE-MUSIC: ``mood/`` headers, then ``x.opus  68 bpm  C major ...``."""
    prompts: dict[str, dict] = {}
    folder = None
    for line in text.splitlines():
        if header := re.fullmatch(r"(\w+)/\s*", line):
            folder = header[1]
        elif folder and (
            m := re.match(r"\s+(\S+)\.opus\s+(\d+(?:\.\d+)?)\s+bpm\s+([A-G][b#]?)\s+(major|minor)\b", line)
        ):
            prompts[f"{folder}/{m[1]}"] = {"bpm": float(m[2]), "key": f"{m[3]} {m[4]}"}
    return prompts


def load_prompts(track_ids: list[str]) -> tuple[dict[str, dict], str]:
    """The prompts from the installed package's LICENSE-MUSIC, else the copy in benchmarks/data."""
    copy = json.loads(PROMPTS_COPY.read_text())["tracks"]
    try:
        files = importlib.metadata.distribution("immich-memories-music").files or []
        licence = next(f for f in files if f.name == "LICENSE-MUSIC")
        parsed = parse_prompts(Path(licence.locate()).read_text())
    except (importlib.metadata.PackageNotFoundError, StopIteration, OSError):
        parsed = {}
    if not all(t in parsed for t in track_ids):
        return copy, f"{PROMPTS_COPY.name} (LICENSE-MUSIC not found or not parsed)"
    changed = [
        t for t in track_ids if parsed[t]["bpm"] != copy[t]["bpm"] or parsed[t]["key"] != copy[t]["key"]
    ]
    if changed:
        print(f"warning: LICENSE-MUSIC differs from {PROMPTS_COPY.name} for {changed}; using LICENSE-MUSIC")
    return parsed, "LICENSE-MUSIC of the installed package"


def real_set() -> list[dict]:
    import immich_memories_music

    notes = json.loads(ANNOTATIONS.read_text())["tracks"]
    prompts, source = load_prompts(sorted(notes))
    print(f"\nReal-set prompt reference read from {source}")
    root = Path(immich_memories_music.tracks_dir())
    items = []
    for track_id, ref in sorted(notes.items()):
        audio = load_audio(root / f"{track_id}.opus", sr=SR)
        items.append(
            {
                "name": track_id,
                "y": audio.y,
                "sr": SR,
                "bpm": ref["bpm"],
                "status": ref["status"],
                "prompt_bpm": prompts[track_id]["bpm"],
                "key": prompts[track_id]["key"],
            }
        )
    return items


def evaluate(items: list[dict], systems: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, fn in systems.items():
        rows = []
        seconds = 0.0
        for item in items:
            t = time.perf_counter()
            est = fn(item["y"], item["sr"])
            seconds += time.perf_counter() - t
            row = {
                "a1": acc1(est["bpm"], item["bpm"]),
                "a2": acc2(est["bpm"], item["bpm"]),
                "bpm": est["bpm"],
            }
            if "prompt_bpm" in item:
                row["pa1"] = acc1(est["bpm"], item["prompt_bpm"])
                row["pa2"] = acc2(est["bpm"], item["prompt_bpm"])
            if "beats" in item:
                row["f"] = beat_f(item["beats"], est["beats"])
            if "key" in item and est.get("key"):
                row["key"] = key_score(item["key"], est["key"])
                row["key_name"] = est["key"]
            rows.append(row)
        out[name] = {"rows": rows, "seconds": seconds}
    return out


def table(title: str, items: list[dict], results: dict[str, dict], subset=None) -> None:
    idx = [i for i, it in enumerate(items) if subset is None or subset(it)]
    audio_s = sum(len(items[i]["y"]) / items[i]["sr"] for i in idx)
    print(f"\n{title} (n={len(idx)}, {audio_s:.0f} s of audio)")
    print("| system | tempo Acc1 | tempo Acc2 | beat F (±70 ms) | key MIREX | x real time |")
    print("|---|---|---|---|---|---|")
    for name, res in results.items():
        rows = [res["rows"][i] for i in idx]
        f = [r["f"] for r in rows if "f" in r]
        k = [r["key"] for r in rows if "key" in r]
        speed = sum(len(it["y"]) / it["sr"] for it in items) / res["seconds"]
        a1, a2 = np.mean([r["a1"] for r in rows]), np.mean([r["a2"] for r in rows])
        f_text = f"{np.mean(f):.3f}" if f else "n/a"
        k_text = f"{np.mean(k):.3f}" if k else "n/a"
        print(f"| {name} | {a1:.3f} | {a2:.3f} | {f_text} | {k_text} | {speed:.0f}x |")


def real_table(title: str, items: list[dict], results: dict[str, dict], subset=None) -> None:
    """Tempo against both references, key against the prompt (MIREX score and how the errors split)."""
    idx = [i for i, it in enumerate(items) if subset is None or subset(it)]
    print(f"\n{title} (n={len(idx)})")
    print(
        "| system | Acc1 hand | Acc2 hand | Acc1 prompt | Acc2 prompt | key MIREX prompt "
        "| key same/fifth/rel/par/other |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, res in results.items():
        rows = [res["rows"][i] for i in idx]
        cols = [np.mean([r[c] for r in rows]) for c in ("a1", "a2", "pa1", "pa2")]
        keys = [r["key"] for r in rows if "key" in r]
        k_text, split = "n/a", "n/a"
        if keys:
            k_text = f"{np.mean(keys):.3f}"
            split = "/".join(str(sum(np.isclose(keys, v))) for v in (1.0, 0.5, 0.3, 0.2, 0.0))
        print(f"| {name} | " + " | ".join(f"{c:.3f}" for c in cols) + f" | {k_text} | {split} |")


def disagreements(items: list[dict]) -> None:
    """Tracks whose hand-annotated tempo and prompt tempo disagree (Acc1, and whether even Acc2 does)."""
    print("\nHand annotation vs prompt tempo: tracks that disagree (Acc1)")
    for it in items:
        if not acc1(it["bpm"], it["prompt_bpm"]):
            ratio = it["bpm"] / it["prompt_bpm"]
            kind = "octave" if acc2(it["bpm"], it["prompt_bpm"]) else "NOT an octave"
            print(
                f"  {it['name']:<38} hand={it['bpm']:<6} ({it['status']}) prompt={it['prompt_bpm']:<5} "
                f"ratio {ratio:.3f}  {kind}"
            )


def speed_report(real: list[dict]) -> None:
    import immich_memories_music

    root = Path(immich_memories_music.tracks_dir())
    files = sorted(root.rglob("*.opus"))
    t = time.perf_counter()
    total_audio = 0.0
    for f in files:
        audio = load_audio(f, sr=None, mono=False)
        total_audio += audio.duration_s
        analyze(y=audio.y, sr=audio.sr)
    with_decode = time.perf_counter() - t
    t = time.perf_counter()
    for item in real:
        analyze(y=item["y"], sr=item["sr"])
    without = time.perf_counter() - t
    real_audio = sum(len(it["y"]) / it["sr"] for it in real)
    print("\nSpeed on one core (OPENBLAS_NUM_THREADS=1), 28 demo tracks")
    print("| measure | value |")
    print("|---|---|")
    print(f"| import of dj.analysis (cold) | {IMPORT_S:.2f} s |")
    print(f"| first analyze() call (warm-up: imports, filter design) | {FIRST_CALL_S:.2f} s |")
    print(
        f"| analysis, decoded 22.05 kHz mono input | {real_audio / without:.0f}x real time "
        f"({1000 * without / len(real):.0f} ms per track) |"
    )
    print(
        f"| decode (48 kHz stereo Opus) + analysis, loudness at 48 kHz | "
        f"{total_audio / with_decode:.0f}x real time ({1000 * with_decode / len(files):.0f} ms per track) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="half the synthetic set")
    args = parser.parse_args()
    global FIRST_CALL_S
    warm = render_track(bpm=120, duration_s=20.0, sr=SR)
    t = time.perf_counter()
    analyze(y=warm.y, sr=warm.sr)
    FIRST_CALL_S = time.perf_counter() - t

    systems = {"selecta": ours_system, "librosa beat_track": librosa_system}
    ess = essentia_system()
    if ess is not None:
        systems["essentia (RhythmExtractor2013, KeyExtractor)"] = ess
    else:
        print("essentia: not installed (pip install essentia failed or skipped); compared with librosa only")
    librosa_system(warm.y, warm.sr)  # warm librosa's numba JIT too, so speeds compare fairly

    synth = synthetic_set(args.quick)
    res = evaluate(synth, systems)
    table("Synthetic set: all patterns", synth, res)
    table(
        "Synthetic set: without half_time and sparse (tempo-ambiguous by construction)",
        synth,
        res,
        subset=lambda it: it["pattern"] not in ("half_time", "sparse"),
    )
    real = real_set()
    res_real = evaluate(real, {k: v for k, v in systems.items()})
    real_table(
        "Real demo tracks: all 28 (hand: demo_annotations.json; prompt: LICENSE-MUSIC)", real, res_real
    )
    real_table(
        "Real demo tracks: hand status 'clear' only",
        real,
        res_real,
        subset=lambda it: it["status"] == "clear",
    )
    disagreements(real)
    print("\nPer-track real estimates (hand tempo and status, prompt tempo/key, each system's tempo/key)")
    for i, it in enumerate(real):
        est = "  ".join(
            f"{n.split()[0]}={r['bpm']:.1f}" + (f"/{r['key_name']}" if "key_name" in r else "")
            for n, res in res_real.items()
            for r in [res["rows"][i]]
        )
        print(
            f"  {it['name']:<38} hand={it['bpm']:<6} {it['status']:<17} "
            f"prompt={it['prompt_bpm']:.0f}/{it['key']:<9} {est}"
        )
    speed_report(real)


FIRST_CALL_S = 0.0

if __name__ == "__main__":
    main()
