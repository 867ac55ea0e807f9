"""Every installed voice on the same host lines and answers: speed, time to first audio, and whether
Whisper hears the names.

    nice .venv/bin/python benchmarks/voices.py [--repeats 3]

Voices: hibari's bundled af_heart (Selecta's default) and, when the ``piper`` extra is installed, Piper's
en_US joe (medium). The process is pinned to one CPU core. After one warm-up line, each line is rendered
--repeats times without the disk cache:

- real-time factor: seconds of speech per second of synthesis (median over lines and repeats),
- time to first audio: until the first sentence is ready (``Synthesizer.stream``), which is when an
  answer can start playing,
- round-trip WER: the speech is transcribed by the bundled faster-whisper tiny.en (``dj.speech.transcribe``,
  the recognizer Selecta uses for requests) and compared word by word with the text (lower case, no
  punctuation), plus the share of the names in the lines that come back intact.

Reference in the same run: Piper, the voice Selecta shipped before hibari, on the same lines and the same
recognizer (whose own errors are a floor every voice shares: compare voices with each other, not with 0).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import soundfile as sf
from rich.console import Console
from rich.markup import escape
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.speech.transcribe import FasterWhisperTranscriber, Transcriber  # noqa: E402
from dj.speech.tts import HibariSynthesizer, PiperSynthesizer, Synthesizer  # noqa: E402

console = Console(width=120)

# Host lines and answers in the register Selecta speaks, with the names (artists, titles) it must say.
LINES: list[tuple[str, tuple[str, ...]]] = [
    ("Up next, Norah Jones with Don't Know Why.", ("Norah Jones",)),
    ("That was Daft Punk, Digital Love. Here is Vibe Ace by Kevin MacLeod.", ("Daft Punk", "Kevin MacLeod")),
    ("Because you played a lot of Bonobo this week, here is Kerala.", ("Bonobo", "Kerala")),
    ("Sure, something calmer coming up: Nils Frahm, Says.", ("Nils Frahm",)),
    ("Let's lift the energy with Khruangbin and Maria Tambien.", ("Khruangbin",)),
    (
        "I couldn't find Radiohead in your library, so here is Portishead instead.",
        ("Radiohead", "Portishead"),
    ),
    ("Skipping that one. Next up, Miles Davis, So What.", ("Miles Davis", "So What")),
    ("You asked why this song: it shares a slow groove with Massive Attack.", ("Massive Attack",)),
]


def voices() -> dict[str, Synthesizer]:
    found: dict[str, Synthesizer] = {"hibari af_heart (default)": HibariSynthesizer()}
    try:
        found["Piper en_US joe medium (selecta[piper])"] = PiperSynthesizer()
    except Exception as exc:  # the extra is optional: report and go on
        console.print(f"[yellow]Piper skipped: {exc}")
    return found


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """Word edit distance and reference length."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def wav_bytes(y: np.ndarray, sr: int) -> bytes:
    buffer = io.BytesIO()
    pad = np.zeros(int(0.3 * sr), dtype=np.float32)
    sf.write(buffer, np.concatenate([pad, y, pad]), sr, format="WAV")
    return buffer.getvalue()


def measure(synth: Synthesizer, transcriber: Transcriber, repeats: int) -> dict[str, float]:
    synth.synthesize("Warm up.")
    rtf, first = [], []
    errors = total = names_ok = names = 0
    for text, line_names in LINES:
        for _ in range(repeats):
            t0 = time.perf_counter()
            stream = synth.stream(text)
            piece = next(stream)
            first.append(time.perf_counter() - t0)
            audio = [piece.y, *(p.y for p in stream)]
            elapsed = time.perf_counter() - t0
            y = np.concatenate(audio)
            rtf.append(len(y) / piece.sr / elapsed)
        heard = transcriber.transcribe(wav_bytes(y, piece.sr)).text
        e, n = wer(text, heard)
        errors, total = errors + e, total + n
        hit = [name for name in line_names if " ".join(words(name)) in " ".join(words(heard))]
        names_ok, names = names_ok + len(hit), names + len(line_names)
        console.print(f"  {synth.backend}: {escape(heard)}")
    return {
        "rtf": statistics.median(rtf),
        "first_ms": 1000 * statistics.median(first),
        "first_p90_ms": 1000 * float(np.percentile(first, 90)),
        "wer": errors / total,
        "names": names_ok / names,
        "names_n": names,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="renders of each line for the timings")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    transcriber = FasterWhisperTranscriber()
    table = Table(title=f"Voices on {len(LINES)} host lines and answers, one CPU core, after warm-up")
    for column in (
        "voice",
        "x real time",
        "first audio ms (median / p90)",
        "Whisper tiny.en WER",
        "names heard",
    ):
        table.add_column(column)
    for name, synth in voices().items():
        m = measure(synth, transcriber, args.repeats)
        table.add_row(
            escape(name),
            f"{m['rtf']:.0f}",
            f"{m['first_ms']:.0f} / {m['first_p90_ms']:.0f}",
            f"{m['wer']:.3f}",
            f"{m['names']:.0%} of {m['names_n']:.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
