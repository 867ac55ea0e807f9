"""Requests as people say them: the learned parser beside the old hand grammar, typed and spoken.

    nice .venv/bin/python benchmarks/requests.py [--text-only] [--speech-limit N] [--cache-dir DIR]

Typed text, both parsers in the same run on the same inputs:

- the SNIPS validation split (``dj.requests.corpus.is_validation``: a fixed fifth of the seven SNIPS
  training files, read from ../shared, never trained on): intent accuracy over all of it (PlayMusic is
  ``play``, AddToPlaylist ``add_to_playlist``, the five others ``out_of_scope``) and per SNIPS intent, and
  micro slot F1 on PlayMusic and AddToPlaylist, a slot counting when its name and its span match the
  annotation (spans compared in ``core.names`` normal form, eras by decade or year). Selecta's ``era``
  is SNIPS's ``year``, ``recency`` its ``sort``, a ``mood`` its ``genre``;
- the project's gold set (trained on) and held-out set (not), scored by slot values as before;
- ``data/requests/phrasings.jsonl``: 75 requests as people say them to assistants, none in the training
  data (wake words, carrier phrases, bare titles, preferences, span boundaries, and six SNIPS validation
  sentences of other intents), scored by slot values.

Spoken (skipped with --text-only): requests rendered with the default voice (hibari's af_heart, through
``dj.speech.tts.make_synthesizer``; the GPL-carrying Piper extra is not needed) at two rates, with white noise
at 15 dB SNR, and over a real orchestra recording at 10 dB (../shared/datasets/real-audio), transcribed by
faster-whisper tiny.en; plus the three real LibriSpeech clips, which are not requests and should be out of
scope. Latency: parse p50/p95 per request for each parser, and (spoken) upload bytes -> transcript ->
intent -> constraints -> re-planned set for ~5 s of audio, the process limited to 2 CPU threads.
The catalogue is the hetrec2011 artists (17,632 real names) plus ``data/requests/catalog.jsonl``.
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
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import polars as pl
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.requests.corpus import Example, load_snips  # noqa: E402
from dj.requests.effects import NowPlaying, apply_intent  # noqa: E402
from dj.requests.entities import CatalogIndex, normalize_name  # noqa: E402
from dj.requests.grammar import GrammarParser  # noqa: E402
from dj.requests.intents import Intent, IntentParser  # noqa: E402

GOLD = ROOT / "data" / "requests" / "gold.jsonl"
HELDOUT = ROOT / "data" / "requests" / "heldout.jsonl"
PHRASINGS = ROOT / "data" / "requests" / "phrasings.jsonl"
TRACKS = ROOT / "data" / "requests" / "catalog.jsonl"
SHARED = Path(os.environ.get("SELECTA_SHARED_DIR", ROOT.parent / "shared"))
HETREC = Path(os.environ.get("SELECTA_HETREC_DIR", SHARED / "datasets" / "hetrec2011-lastfm-2k"))
SNIPS = Path(os.environ.get("SELECTA_SNIPS_DIR", SHARED / "datasets" / "snips-nlu-benchmark"))
REAL_AUDIO = SHARED / "datasets" / "real-audio"
CONDITIONS = (
    ("rate 0.9", 0.9, None, None),
    ("rate 1.25", 1.25, None, None),
    ("noise 15 dB", 1.0, 15.0, None),
    ("orchestra 10 dB", 1.0, 10.0, "brahms_hungarian_dance_5.hq.ogg"),
)
TO_SNIPS = {"recency": "sort", "mood": "genre"}
"""Selecta slot -> the SNIPS slot it is scored as."""
Parse = Callable[[str], Intent]


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


# --- scoring ---------------------------------------------------------------------------------------

_DECADE_WORDS = {
    "twenties": "20", "thirties": "30", "forties": "40", "fourties": "40", "fifties": "50",
    "sixties": "60", "seventies": "70", "eighties": "80", "nineties": "90",
}  # fmt: skip


def _era_key(text: str) -> str:
    """The benchmark's own reading of an era, independent of the parsers: "the 80's" = "1980s" =
    "eighties" -> "80"; a year stays a year."""
    t = text.lower().replace("'", "")
    for word, decade in _DECADE_WORDS.items():
        if word in t:
            return decade
    year = re.search(r"\b(?:19|20)\d\d\b", t)
    if year:
        return year.group(0)
    decade = re.search(r"\b(?:19|20)?(\d0)s\b", t)
    return decade.group(1) if decade else normalize_name(t)


def _key(name: str, text: str) -> tuple[str, str]:
    return (name, _era_key(text) if name == "era" else normalize_name(text))


def predicted_spans(intent: Intent) -> set[tuple[str, str]]:
    """A parse's slots as SNIPS-scored (name, span) keys; a slot matches on its raw span or its value."""
    out = set()
    for s in intent.slots:
        name = TO_SNIPS.get(s.name, s.name)
        out.add(_key(name, s.raw))
    return out


class Scores:
    """Intent accuracy and micro slot F1; ``per`` keeps accuracy per source intent."""

    def __init__(self) -> None:
        self.n = self.correct = self.tp = self.fp = self.fn = 0
        self.confusions: Counter[tuple[str, str]] = Counter()
        self.per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.slots: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # per slot: tp, fp, fn

    def add(self, want_kind: str, got_kind: str, want: set, got: set, *, group: str = "") -> None:
        self.n += 1
        ok = want_kind == got_kind
        self.correct += ok
        self.per[group][0] += ok
        self.per[group][1] += 1
        if not ok:
            self.confusions[(want_kind, got_kind)] += 1
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)
        for k, keys in enumerate((got & want, got - want, want - got)):
            for name, _ in keys:
                self.slots[name][k] += 1

    def slot_f1_of(self, name: str) -> float:
        tp, fp, fn = self.slots[name]
        return 2 * tp / max(1, 2 * tp + fp + fn)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.n)

    @property
    def slot_f1(self) -> float:
        return 2 * self.tp / max(1, 2 * self.tp + self.fp + self.fn)


def snips_scores(examples: list[Example], parse: Parse, texts: list[str] | None = None) -> Scores:
    """Intent accuracy over all; slot F1 over the music intents (the others' slots are not ours)."""
    scores = Scores()
    for i, e in enumerate(examples):
        text = texts[i] if texts is not None else e.text
        intent = _safe(parse, text)
        music = e.intent != "out_of_scope"
        want = {_key(TO_SNIPS.get(n, n), e.text[a:b]) for n, a, b in e.spans or ()} if music else set()
        got = predicted_spans(intent) if music and intent is not None else set()
        scores.add(e.intent, intent.kind if intent else "error", want, got, group=e.id.split(":")[1])
    return scores


def gold_scores(items: list[dict], parse: Parse, texts: list[str] | None = None) -> Scores:
    scores = Scores()
    for i, item in enumerate(items):
        intent = _safe(parse, texts[i] if texts is not None else item["text"])
        want = {(s["name"], normalize_name(s["value"])) for s in item["slots"]}
        got = {(s.name, normalize_name(s.value)) for s in intent.slots} if intent is not None else set()
        scores.add(item["intent"], intent.kind if intent else "error", want, got)
    return scores


def _safe(parse: Parse, text: str) -> Intent | None:
    try:
        return parse(text)
    except Exception:
        return None


def parse_latency(parse: Parse, texts: list[str]) -> tuple[float, float]:
    """p50 and p95 milliseconds of one parse."""
    times = []
    for text in texts:
        t0 = time.perf_counter()
        _safe(parse, text)
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))]


# --- speech ----------------------------------------------------------------------------------------


def _background(name: str, sr: int, n: int) -> np.ndarray:
    """``n`` samples of a real recording at ``sr``, looped, for noise that is music rather than hiss."""
    import librosa

    y, _ = librosa.load(REAL_AUDIO / name, sr=sr, mono=True, duration=30.0)
    return np.resize(y.astype(np.float32), n)


def render(
    synth, text: str, *, length_scale: float, snr_db: float | None, seed: int, over: str | None = None
):
    """WAV bytes of the utterance with 0.3 s of lead-in and tail silence, plus noise at ``snr_db``
    (white, or the real recording ``over``)."""
    speech = synth.synthesize(text, length_scale=length_scale)
    pad = np.zeros(int(0.3 * speech.sr), dtype=np.float32)
    y = np.concatenate([pad, speech.y, pad])
    if snr_db is not None:
        power = float(np.mean(speech.y**2))
        if over is None:
            noise = np.random.default_rng(seed).normal(0.0, 1.0, size=y.shape).astype(np.float32)
        else:
            noise = _background(over, speech.sr, len(y))
        noise *= np.sqrt(power / 10 ** (snr_db / 10) / max(float(np.mean(noise**2)), 1e-12))
        y = y + noise
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(y, -1, 1), speech.sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


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


def transcribe_all(synth, transcriber, texts: list[str], condition: tuple) -> tuple[list[str], float]:
    """Transcripts of ``texts`` rendered under ``condition``, and the word error rate."""
    _, length_scale, snr, over = condition
    heard, errors, ref = [], 0, 0
    for i, text in enumerate(texts):
        audio = render(synth, text, length_scale=length_scale, snr_db=snr, seed=i, over=over)
        try:
            said = transcriber.transcribe(audio).text
        except Exception:
            said = ""
        heard.append(said)
        e, r = wer_counts(text, said)
        errors, ref = errors + e, ref + r
    return heard, errors / max(1, ref)


def real_clips(transcriber, parsers: dict[str, Parse]) -> None:
    """The LibriSpeech clips are read books, not requests: each parser should call them out of scope."""
    clips = sorted(REAL_AUDIO.glob("librispeech_*.ogg"))
    if not clips:
        return
    print("\nreal speech that is not a request (LibriSpeech, CC BY 4.0), expected out_of_scope:")
    for clip in clips:
        text = transcriber.transcribe(clip.read_bytes()).text
        kinds = {
            name: (_safe(p, text[:300]) or Intent(kind="out_of_scope", text="")).kind
            for name, p in parsers.items()
        }
        print(f"  {clip.name}: {kinds}  ({text[:60]!r}...)")


def latency(gold, synth, transcriber, parse: Parse, index: CatalogIndex) -> None:
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
        intent = parse(transcript.text)
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
        f"(range {min(durations):.1f}-{max(durations):.1f} s), 2 threads, learned parser:"
    )
    print(f"  transcribe p50 {statistics.median(t[1] for t in timings):.3f} s")
    print(f"  parse+effect p50 {statistics.median(t[2] for t in timings) * 1000:.1f} ms")
    print(f"  replan p50 {statistics.median(t[3] for t in timings) * 1000:.1f} ms")
    print(
        f"  end-to-end p50 {statistics.median(total):.3f} s, p95 {total[int(0.95 * (len(total) - 1))]:.3f} s"
    )


# --- the run ---------------------------------------------------------------------------------------

Row = tuple[str, str, int, str, Scores, Scores]


def print_table(rows: list[Row]) -> None:
    print(f"\n{'set':<22}{'condition':<18}{'n':>6}{'WER':>7}  {'intent acc':>20}  {'slot F1':>20}")
    print(f"{'':<22}{'':<18}{'':>6}{'':>7}  {'model / grammar':>20}  {'model / grammar':>20}")
    for name, condition, n, wer, model, grammar in rows:
        acc = f"{model.accuracy:.3f} / {grammar.accuracy:.3f}"
        annotated = model.tp + model.fn  # no slot in the reference: F1 is undefined, not 0
        f1 = f"{model.slot_f1:.3f} / {grammar.slot_f1:.3f}" if annotated else "-"
        print(f"{name:<22}{condition:<18}{n:>6}{wer:>7}  {acc:>20}  {f1:>20}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".selecta" / "bench-requests")
    parser.add_argument("--text-only", action="store_true", help="typed text only, no speech")
    parser.add_argument("--speech-limit", type=int, default=100, help="requests per set spoken (default 100)")
    parser.add_argument("--conditions", type=int, default=len(CONDITIONS), help="first N speech conditions")
    args = parser.parse_args()

    t0 = time.perf_counter()
    index = CatalogIndex.from_catalog(load_catalog())
    model, grammar = IntentParser(index), GrammarParser(index)
    parsers: dict[str, Parse] = {"model": model.parse, "grammar": grammar.parse}
    validation = load_snips(SNIPS, validation=True)
    gold, heldout = load_gold(GOLD), load_gold(HELDOUT)
    print(f"catalogue indexed in {time.perf_counter() - t0:.2f} s; SNIPS validation {len(validation)}, ")
    print(f"gold {len(gold)} (trained on), held-out {len(heldout)} (not trained on)")

    rows: list[Row] = []
    snips = {name: snips_scores(validation, p) for name, p in parsers.items()}
    rows.append(("SNIPS validation", "typed", len(validation), "-", snips["model"], snips["grammar"]))
    g = {name: gold_scores(gold, p) for name, p in parsers.items()}
    rows.append(("gold (trained on)", "typed", len(gold), "-", g["model"], g["grammar"]))
    h = {name: gold_scores(heldout, p) for name, p in parsers.items()}
    rows.append(("held-out", "typed", len(heldout), "-", h["model"], h["grammar"]))
    said = load_gold(PHRASINGS)
    ph = {name: gold_scores(said, p) for name, p in parsers.items()}
    rows.append(("as people say them", "typed", len(said), "-", ph["model"], ph["grammar"]))
    print("\nSNIPS validation, intent accuracy per SNIPS intent (model / grammar):")
    for group, (ok, n) in sorted(snips["model"].per.items()):
        print(f"  {group:<22}{n:>5}  {ok / n:.3f} / {snips['grammar'].per[group][0] / n:.3f}")
    print("\nSNIPS validation, slot F1 per slot (model / grammar; n = annotated spans):")
    for name in sorted(snips["model"].slots):
        tp, _, fn = snips["model"].slots[name]
        if tp + fn:
            model_f1, grammar_f1 = snips["model"].slot_f1_of(name), snips["grammar"].slot_f1_of(name)
            print(f"  {name:<12}{tp + fn:>5}  {model_f1:.3f} / {grammar_f1:.3f}")
    texts = [e.text for e in validation] + [x["text"] for x in gold]
    for name, p in parsers.items():
        p50, p95 = parse_latency(p, texts)
        print(f"parse latency, {name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms over {len(texts)} requests")
    print("model confusions on SNIPS (gold -> predicted):", dict(snips["model"].confusions.most_common(6)))
    print("model confusions on gold:", dict(g["model"].confusions.most_common(6)))
    print("model confusions on phrasings:", dict(ph["model"].confusions.most_common(6)))
    if not args.text_only:
        rows += speech_rows(args, validation, gold, parsers, index)
    print_table(rows)


def speech_rows(
    args, validation: list[Example], gold: list[dict], parsers: dict[str, Parse], index
) -> list[Row]:
    from dj.speech.transcribe import FasterWhisperTranscriber
    from dj.speech.tts import make_synthesizer

    synth = make_synthesizer(cache_dir=args.cache_dir / "tts")
    transcriber = FasterWhisperTranscriber(cpu_threads=2)
    spoken_snips = [e for e in validation if e.intent != "out_of_scope"][: args.speech_limit]
    spoken_gold = gold[: args.speech_limit]
    rows: list[Row] = []
    for condition in CONDITIONS[: args.conditions]:
        heard, wer = transcribe_all(synth, transcriber, [e.text for e in spoken_snips], condition)
        s = {name: snips_scores(spoken_snips, p, heard) for name, p in parsers.items()}
        rows.append(("SNIPS val, music", condition[0], len(heard), f"{wer:.3f}", s["model"], s["grammar"]))
        heard, wer = transcribe_all(synth, transcriber, [x["text"] for x in spoken_gold], condition)
        s = {name: gold_scores(spoken_gold, p, heard) for name, p in parsers.items()}
        rows.append(("gold", condition[0], len(heard), f"{wer:.3f}", s["model"], s["grammar"]))
        print(f"spoken, {condition[0]}: done")
    real_clips(transcriber, parsers)
    latency(gold, synth, transcriber, parsers["model"], index)
    return rows


if __name__ == "__main__":
    main()
