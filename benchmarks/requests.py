"""Spoken and typed requests: WER, intent accuracy, slot F1 and end-to-end latency on the gold set.

    nice .venv/bin/python benchmarks/requests.py [--limit N] [--cache-dir .selecta/bench-requests]

The gold set (``data/requests/gold.jsonl``, written for the project) is parsed as typed text, then
rendered with the Piper voice at two speaking rates (length_scale 0.9 and 1.25) and with white noise at
15 dB SNR, each rendering transcribed by faster-whisper tiny.en and parsed. The catalogue is the
hetrec2011 artists (17,632 real names, read from ../shared) plus ``data/requests/catalog.jsonl`` (tracks
and albums of the artists the gold set names). Latency is upload bytes -> transcript -> intent ->
constraints -> re-planned set for ~5 s of audio, with the process limited to 2 CPU threads.
Rendered audio is cached under --cache-dir, so reruns skip synthesis.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import polars as pl
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.requests.effects import NowPlaying, apply_intent  # noqa: E402
from dj.requests.entities import CatalogIndex, normalize_name  # noqa: E402
from dj.requests.intents import Intent, IntentParser  # noqa: E402

GOLD = ROOT / "data" / "requests" / "gold.jsonl"
HELDOUT = ROOT / "data" / "requests" / "heldout.jsonl"
TRACKS = ROOT / "data" / "requests" / "catalog.jsonl"
HETREC = Path(
    os.environ.get("SELECTA_HETREC_DIR", ROOT.parent / "shared" / "datasets" / "hetrec2011-lastfm-2k")
)
CONDITIONS = (("rate 0.9", 0.9, None), ("rate 1.25", 1.25, None), ("rate 1.0 + noise 15 dB", 1.0, 15.0))


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_catalog() -> pl.DataFrame:
    """hetrec artists (name as title) + the request catalogue's tracks; hetrec is read, never copied."""
    tracks = pl.read_ndjson(TRACKS, schema_overrides={"year": pl.Int32})
    if not (HETREC / "artists.dat").is_file():
        print(f"note: {HETREC} not found; using the request catalogue only", file=sys.stderr)
        return tracks
    artists = pl.read_csv(HETREC / "artists.dat", separator="\t", quote_char=None, columns=["id", "name"])
    hetrec = artists.select(
        ("lastfm:artist:" + pl.col("id").cast(pl.String)).alias("track_id"),
        pl.col("name").alias("title"),
        pl.col("name").alias("artist"),
        pl.lit(None, dtype=pl.String).alias("album"),
        pl.lit(None, dtype=pl.Int32).alias("year"),
        pl.lit([], dtype=pl.List(pl.String)).alias("tags"),
    )
    return pl.concat([tracks.select(hetrec.columns), hetrec])


def slot_set(intent: Intent) -> set[tuple[str, str]]:
    return {(s.name, normalize_name(s.value)) for s in intent.slots}


def gold_slots(item: dict) -> set[tuple[str, str]]:
    return {(s["name"], normalize_name(s["value"])) for s in item["slots"]}


def words(text: str) -> list[str]:
    text = text.lower().replace("'", "")
    return re.sub(r"[^a-z0-9 ]+", " ", text).split()


def wer_counts(ref: str, hyp: str) -> tuple[int, int]:
    """(edit distance in words, reference length): Levenshtein over words."""
    r, h = words(ref), words(hyp)
    row = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, row[0] = row[0], i
        for j, hw in enumerate(h, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (rw != hw))
    return row[len(h)], len(r)


class Scores:
    """Accumulates intent accuracy and micro slot F1 (a slot counts when name and value both match)."""

    def __init__(self) -> None:
        self.n = self.correct = self.tp = self.fp = self.fn = self.err = self.ref = 0
        self.confusions: Counter[tuple[str, str]] = Counter()

    def add(self, item: dict, intent: Intent | None) -> None:
        self.n += 1
        predicted = intent.kind if intent is not None else "error"
        if predicted == item["intent"]:
            self.correct += 1
        else:
            self.confusions[(item["intent"], predicted)] += 1
        got = slot_set(intent) if intent is not None else set()
        want = gold_slots(item)
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.n)

    @property
    def slot_f1(self) -> float:
        return 2 * self.tp / max(1, 2 * self.tp + self.fp + self.fn)


def render(synth, text: str, *, length_scale: float, snr_db: float | None, seed: int) -> bytes:
    """WAV bytes of the utterance with 0.3 s of lead-in and tail silence, plus noise at ``snr_db``."""
    speech = synth.synthesize(text, length_scale=length_scale)
    pad = np.zeros(int(0.3 * speech.sr), dtype=np.float32)
    y = np.concatenate([pad, speech.y, pad])
    if snr_db is not None:
        rng = np.random.default_rng(seed)
        power = float(np.mean(speech.y**2))
        y = y + rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), size=y.shape).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(y, -1, 1), speech.sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N utterances")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-requests")
    parser.add_argument("--text-only", action="store_true")
    parser.add_argument("--latency-only", action="store_true", help="skip the accuracy passes over audio")
    args = parser.parse_args()

    gold = load_gold()[: args.limit]
    t0 = time.perf_counter()
    index = CatalogIndex.from_catalog(load_catalog())
    intents = IntentParser(index)
    print(f"catalogue indexed in {time.perf_counter() - t0:.2f} s; {len(gold)} gold utterances")

    text = Scores()
    for item in gold:
        text.add(item, intents.parse(item["text"]))
    heldout = Scores()
    for item in load_gold(HELDOUT):
        heldout.add(item, intents.parse(item["text"]))
    rows = [("typed text", "-", text), ("typed text, held-out", "-", heldout)]
    if args.latency_only:
        from dj.speech.transcribe import FasterWhisperTranscriber
        from dj.speech.tts import PiperSynthesizer

        synth = PiperSynthesizer(cache_dir=args.cache_dir / "tts")
        latency(gold, synth, FasterWhisperTranscriber(cpu_threads=2), intents, index)
    elif not args.text_only:
        rows += speech_rows(gold, intents, index, args.cache_dir)
    print()
    print(f"{'condition':<26}{'n':>5}{'WER':>8}{'intent acc':>12}{'slot F1':>9}")
    for name, wer, scores in rows:
        print(f"{name:<26}{scores.n:>5}{wer:>8}{scores.accuracy:>12.3f}{scores.slot_f1:>9.3f}")
    print("\nintent confusions (gold -> predicted), typed text:", dict(text.confusions.most_common(8)))


def speech_rows(gold: list[dict], intents: IntentParser, index: CatalogIndex, cache_dir: Path) -> list:
    from dj.speech.transcribe import FasterWhisperTranscriber
    from dj.speech.tts import PiperSynthesizer

    synth = PiperSynthesizer(cache_dir=cache_dir / "tts")
    transcriber = FasterWhisperTranscriber(cpu_threads=2)
    rows = []
    confusions: Counter[tuple[str, str]] = Counter()
    for name, length_scale, snr in CONDITIONS:
        scores, errors, ref_words = Scores(), 0, 0
        for i, item in enumerate(gold):
            audio = render(synth, item["text"], length_scale=length_scale, snr_db=snr, seed=i)
            try:
                transcript = transcriber.transcribe(audio)
                heard = transcript.text
                intent = intents.parse(heard)
            except Exception:
                heard, intent = "", None
            e, r = wer_counts(item["text"], heard)
            errors, ref_words = errors + e, ref_words + r
            scores.add(item, intent)
            confusions.update(scores.confusions)
        rows.append((name, f"{errors / max(1, ref_words):.3f}", scores))
        print(f"{name}: intent {scores.accuracy:.3f}, confusions {dict(scores.confusions.most_common(6))}")
    latency(gold, synth, transcriber, intents, index)
    return rows


def latency(gold, synth, transcriber, intents: IntentParser, index: CatalogIndex) -> None:
    """Upload -> transcript -> intent -> constraints -> re-planned set, on ~5 s requests."""
    from benchmarks.requests_replan import replan_for_effect  # the DJ planner on a synthetic session

    long_texts = [g["text"] for g in gold if len(g["text"]) > 25][:30]
    timings = []
    for i, text in enumerate(long_texts):
        # a request padded with the small talk people add, to about 5 s of speech
        audio = render(
            synth, f"Hey DJ, sorry to interrupt. {text} Thanks a lot.", length_scale=1.1, snr_db=None, seed=i
        )
        t0 = time.perf_counter()
        transcript = transcriber.transcribe(audio)
        t1 = time.perf_counter()
        intent = intents.parse(transcript.text)
        effect = apply_intent(
            intent, playing=NowPlaying(track_id="req:001", energy=0.6, bpm=120.0), index=index
        )
        t2 = time.perf_counter()
        replan_for_effect(effect, index=index)
        t3 = time.perf_counter()
        timings.append((transcript.duration_s, t1 - t0, t2 - t1, t3 - t2, t3 - t0))
    durations = [t[0] for t in timings]
    total = sorted(t[4] for t in timings)
    print(
        f"\nlatency over {len(timings)} requests of {statistics.mean(durations):.1f} s audio "
        f"(range {min(durations):.1f}-{max(durations):.1f} s), 2 threads:"
    )
    print(f"  transcribe p50 {statistics.median(t[1] for t in timings):.3f} s")
    print(f"  parse+effect p50 {statistics.median(t[2] for t in timings) * 1000:.1f} ms")
    print(f"  replan p50 {statistics.median(t[3] for t in timings) * 1000:.1f} ms")
    print(
        f"  end-to-end p50 {statistics.median(total):.3f} s, p95 {total[int(0.95 * (len(total) - 1))]:.3f} s"
    )


if __name__ == "__main__":
    main()
