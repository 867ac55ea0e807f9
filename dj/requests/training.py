"""Train the request model (:mod:`dj.requests.model`) from SNIPS, the gold set and the templates.

The slot tagger learns from every request with placed spans; the intent classifier from every request,
with the tagger's own tags on it as features (trained tagger first), so it sees at training what it will
see when parsing. Three things make real requests tag well beyond the sentences seen:

- the gazetteer during training holds only half of the training split's names (seeded), so the tagger
  learns that a catalogue match is good evidence but not the only one, and tags unknown names from
  context; at parse time the gazetteer is the live catalogue's (:class:`dj.requests.gazetteer.Gazetteer`);
- a share of the requests is lower-cased (typed requests often are; the tagger must not need capitals);
- a share of SNIPS play requests is wrapped in wake words ("alexa", "hey google", "olly").
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pycrfsuite

from dj.requests.corpus import Example, iter_labelled, load_gold, load_snips
from dj.requests.featurize import intent_features, word_features
from dj.requests.gazetteer import Gazetteer
from dj.requests.lexicon import GENRE_PHRASES, GENRES
from dj.requests.model import CLASSIFIER_FILE, TAGGER_FILE, RequestModel
from dj.requests.templates import templated
from dj.requests.tokens import tokenize

__all__ = ["TrainingReport", "train", "training_gazetteer"]

SEED = 14
TAGGER_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
CLASSIFIER_PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 200}
LOWER_SHARE = 0.25
WAKE_SHARE = 0.15
OUT_OF_SCOPE_TAGGED = 800
"""Out-of-scope SNIPS requests (all words outside any slot) the tagger also learns from."""
NAMELESS_OUT_OF_SCOPE = ("GetWeather", "BookRestaurant", "RateBook")
"""The out-of-scope SNIPS intents the tagger learns "no slot here" from. Not SearchCreativeWork nor
SearchScreeningEvent: their requests name songs, albums and films ("find the song Let It Go", even "play
the song Red Lanta"), and all-O tags on them taught the tagger that a name after "find" or "the song" is
no name at all ("play the song let it go" came out with no slot and out of scope)."""
OUT_OF_SCOPE_CLASSIFIED = 3000
"""Out-of-scope SNIPS requests the classifier learns from (of about 8,000), spread evenly over the five
intents: enough to know them, not so many that "out of scope" becomes the safe guess."""
_WAKE_WORDS = ("alexa ", "hey google ", "ok google ", "olly ", "hey siri ", "siri ", "hey dj ")


@dataclass(frozen=True)
class TrainingReport:
    """What was trained on, how long it took, and the artefact's size."""

    tagged: int
    classified: int
    by_source: dict[str, int]
    seconds: float
    bytes: int


TaggedItem = tuple[list[list[str]], list[str]]


def _train_tagger(items: list[TaggedItem], path: Path) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(TAGGER_PARAMS)
    for features, labels in items:
        trainer.append(features, labels)
    trainer.train(str(path))


def _names(examples: Iterable[Example]) -> dict[str, list[str]]:
    """Slot values said in the examples, per slot (the templates' fillers)."""
    out: dict[str, set[str]] = {}
    for e in examples:
        for name, start, end in e.spans or ():
            out.setdefault(name, set()).add(e.text[start:end])
    return {k: sorted(v) for k, v in out.items()}


def training_gazetteer(examples: list[Example], *, seed: int = SEED) -> Gazetteer:
    """The vocabulary plus a seeded half of the training names (see the module docstring)."""
    rng = random.Random(seed)
    gazetteer = Gazetteer.vocabulary()
    names = _names(examples)
    for kind in ("artist", "track", "album"):
        kept = [n for n in names.get(kind, []) if rng.random() < 0.5]
        gazetteer = gazetteer.with_names(kind, kept)
    return gazetteer.with_names("tag", [*GENRES, *GENRE_PHRASES])


def _augment(examples: list[Example], rng: random.Random) -> list[Example]:
    out = []
    for e in examples:
        if e.source == "snips" and e.intent == "play" and e.spans is not None and rng.random() < WAKE_SHARE:
            wake = rng.choice(_WAKE_WORDS)
            spans = tuple((s, a + len(wake), b + len(wake)) for s, a, b in e.spans)
            e = replace(e, text=wake + e.text, spans=spans, id=e.id + ":wake")
        if rng.random() < LOWER_SHARE:
            e = replace(e, text=e.text.lower())
        out.append(e)
    return out


def corpus(snips_dir: Path, gold_path: Path, *, seed: int = SEED) -> list[Example]:
    """Every training request: the SNIPS training split, the gold set, the templates (augmented)."""
    rng = random.Random(seed)
    snips = load_snips(snips_dir, validation=False)
    gold = load_gold(gold_path)
    music = [e for e in snips if e.intent != "out_of_scope"]
    # Gold names too: real titles made of everyday words ("Let It Be", "One More Time") that SNIPS's
    # rarer names do not teach.
    names = _names([*music, *(e for e in gold if e.intent == "play")])
    names["genre"] = sorted({*names.get("genre", []), *GENRES, *GENRE_PHRASES})
    examples = [*snips, *gold, *templated(names, per_template=12, seed=seed)]
    return _augment(examples, rng)


def train(snips_dir: Path, gold_path: Path, out_dir: Path, *, seed: int = SEED) -> TrainingReport:
    """Train both models into ``out_dir`` (``tagger.crfsuite``, ``intent.crfsuite``)."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    examples = corpus(snips_dir, gold_path, seed=seed)
    gazetteer = training_gazetteer([e for e in examples if e.source == "snips"], seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    outside = [e for e in examples if e.intent == "out_of_scope" and e.source == "snips"]
    nameless = [e for e in outside if e.id.split(":")[1] in NAMELESS_OUT_OF_SCOPE]
    keep_outside = {e.id for e in rng.sample(nameless, min(OUT_OF_SCOPE_TAGGED, len(nameless)))}
    taggable = [
        (e, (word_features(tokens, gazetteer.marks(tokens)), labels))
        for e, tokens, labels in iter_labelled(examples)
        if tokens and (e.intent != "out_of_scope" or e.source != "snips" or e.id in keep_outside)
    ]
    _train_tagger([x for _, x in taggable], out_dir / TAGGER_FILE)
    # The classifier reads slot tags; tags on its own training requests must be as imperfect as on new
    # ones, so each half of the requests is tagged by a tagger trained on the other half (cross-fitting).
    fold = {e.id: rng.random() < 0.5 for e in examples}
    halves = []
    for half in (True, False):
        path = out_dir / f"fold{int(half)}.crfsuite"
        _train_tagger([x for e, x in taggable if fold[e.id] != half], path)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        halves.append(tagger)
        path.unlink()
    classifier = pycrfsuite.Trainer(verbose=False)
    classifier.set_params(CLASSIFIER_PARAMS)
    per_outside = Counter(e.id.split(":")[1] for e in outside)
    kept = {
        e.id
        for e in outside
        if rng.random() < OUT_OF_SCOPE_CLASSIFIED / len(per_outside) / per_outside[e.id.split(":")[1]]
    }
    for e in examples:
        if e.intent == "out_of_scope" and e.source == "snips" and e.id not in kept:
            continue
        tokens = tokenize(e.text)
        tagger = halves[0] if fold[e.id] else halves[1]
        labels = tagger.tag(word_features(tokens, gazetteer.marks(tokens))) if tokens else []
        classifier.append([intent_features(e.text, tokens, labels)], [e.intent])
    classifier.train(str(out_dir / CLASSIFIER_FILE))
    RequestModel.load(out_dir)  # fails here, not at parse time, if either file is unreadable
    size = sum((out_dir / f).stat().st_size for f in (TAGGER_FILE, CLASSIFIER_FILE))
    return TrainingReport(
        tagged=len(taggable),
        classified=len(examples),
        by_source=dict(Counter(e.source for e in examples)),
        seconds=round(time.perf_counter() - t0, 1),
        bytes=size,
    )
