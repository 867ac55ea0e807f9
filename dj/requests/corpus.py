"""Labelled requests to learn from and to measure on: SNIPS, the project's gold set, and templates.

Three sources (issue 14):

- the SNIPS NLU benchmark's seven training files (CC0; ``shared/datasets/snips-nlu-benchmark``): about
  2,000 real PlayMusic requests with slot spans, AddToPlaylist, and five intents outside a DJ's booth.
  A fixed fifth of every file is the validation split, never trained on: utterance ``i`` of intent ``I``
  is validation when ``sha256("I:i")`` is divisible by 5 (:func:`is_validation`), a rule rather than a
  saved list so that anyone can recompute it from the files alone;
- the project's gold set (``data/requests/gold.jsonl``): slot values, not spans, so each value is found
  in the text (:func:`locate`); a request whose values cannot all be found teaches the intent only;
- templated requests for what SNIPS lacks (calmer, faster, skip, why, like, more like this, moods,
  "something new"), from :mod:`dj.requests.templates`.

SNIPS slots map onto Selecta's: ``year`` is an ``era``, AddToPlaylist's ``entity_name`` a ``track``;
``playlist_owner`` ("my") is part of no slot. RateBook, SearchCreativeWork, GetWeather, BookRestaurant and
SearchScreeningEvent are ``out_of_scope``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.moods import MOODS
from core.names import normalize_name
from dj.requests.lexicon import LATEST_WORDS, era_value
from dj.requests.tokens import Token, tokenize

__all__ = [
    "SNIPS_INTENTS",
    "Example",
    "bio_labels",
    "is_validation",
    "load_gold",
    "load_snips",
    "locate",
]

SNIPS_INTENTS: dict[str, str] = {
    "PlayMusic": "play",
    "AddToPlaylist": "add_to_playlist",
    "RateBook": "out_of_scope",
    "SearchCreativeWork": "out_of_scope",
    "GetWeather": "out_of_scope",
    "BookRestaurant": "out_of_scope",
    "SearchScreeningEvent": "out_of_scope",
}
SNIPS_SLOTS: dict[str, str | None] = {
    "artist": "artist",
    "track": "track",
    "album": "album",
    "genre": "genre",
    "year": "era",
    "sort": "sort",
    "service": "service",
    "playlist": "playlist",
    "music_item": "music_item",
    "entity_name": "track",
    "playlist_owner": None,
}
"""SNIPS slot -> Selecta slot, for the two music intents (other intents' slots are not ours: None)."""

Span = tuple[str, int, int]


@dataclass(frozen=True)
class Example:
    """One labelled request: ``spans`` are (slot, start, end) character offsets; None when the slots
    are known by value only and could not be placed (such an example teaches the intent alone)."""

    id: str
    text: str
    intent: str
    spans: tuple[Span, ...] | None
    source: str


def is_validation(intent: str, index: int) -> bool:
    """The fixed validation split: one utterance in five of every SNIPS file, by hash, never trained on."""
    return int(hashlib.sha256(f"{intent}:{index}".encode()).hexdigest(), 16) % 5 == 0


def _unmangle(text: str) -> str:
    """The SNIPS files are UTF-8 with a few stray Latin-1 bytes: read as Latin-1, re-decode where UTF-8."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def load_snips(directory: Path, *, validation: bool) -> list[Example]:
    """The SNIPS utterances of one split (``validation`` True: the held-out fifth)."""
    out: list[Example] = []
    for name, kind in SNIPS_INTENTS.items():
        path = directory / f"train_{name}_full.json"
        rows = json.loads(path.read_text(encoding="latin-1"))[name]
        music = kind != "out_of_scope"
        for i, row in enumerate(rows):
            if is_validation(name, i) != validation:
                continue
            text, spans = "", []
            for chunk in row["data"]:
                piece = _unmangle(chunk["text"])
                slot = SNIPS_SLOTS.get(chunk.get("entity", "")) if music else None
                if slot is not None:
                    lead = len(piece) - len(piece.lstrip())
                    spans.append((slot, len(text) + lead, len(text) + len(piece.rstrip())))
                text += piece
            out.append(Example(f"snips:{name}:{i}", text, kind, tuple(spans), "snips"))
    return out


def load_gold(path: Path) -> list[Example]:
    """The project's gold requests, slot values placed in the text where they can be."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        found = [locate(item["text"], s["name"], s["value"]) for s in item["slots"]]
        spans = None if None in found else tuple(f for f in found if f is not None)
        out.append(Example(item["id"], item["text"], item["intent"], spans, "gold"))
    return out


_NOVELTY = re.compile(
    r"\b(?:something|music) (?:i|we) (?:haven't|have never|never|'ve never) heard(?: before)?\b"
    r"|\b(?:i|i've|we) (?:haven't|have not|have never|never) heard(?: before)?\b"
    r"|\bsomething (?:new|fresh|different)\b|\bsurprise me\b|\bnew (?:music|stuff|songs|artists)\b",
    re.IGNORECASE,
)


def locate(text: str, name: str, value: str) -> Span | None:
    """Where in ``text`` the slot ``name`` with normal form ``value`` was said, or None."""
    tokens = tokenize(text)
    if name == "novelty":
        match = _NOVELTY.search(text)
        return (name, match.start(), match.end()) if match else None
    for length in range(1, min(len(tokens), 8) + 1):  # shortest first: "80s", not "some 80s"
        for first in range(len(tokens) - length + 1):
            last = first + length - 1
            phrase = text[tokens[first].start : tokens[last].end]
            if _says(name, value, phrase):
                return (name, tokens[first].start, tokens[last].end)
    return None


def _says(name: str, value: str, phrase: str) -> bool:
    """Whether ``phrase`` (a run of words) says slot ``name`` with normal form ``value``."""
    norm = normalize_name(phrase)
    if name == "era":
        return era_value(phrase) == value and len(norm.split()) <= 2 and not norm.startswith(("from", "in"))
    if name == "mood":
        return norm in {normalize_name(w) for w in MOODS.get(value, ())}
    if name == "recency":
        return norm in LATEST_WORDS
    return norm == normalize_name(value) or norm.replace(" ", "") == normalize_name(value).replace(" ", "")


def bio_labels(tokens: list[Token], spans: tuple[Span, ...]) -> list[str]:
    """BIO tags of ``tokens`` for character ``spans``: a word belongs to the span its start lies in."""
    labels = ["O"] * len(tokens)
    for name, start, end in spans:
        inside = [i for i, t in enumerate(tokens) if start <= t.start < end]
        for k, i in enumerate(inside):
            labels[i] = ("B-" if k == 0 else "I-") + name
    return labels


def iter_labelled(examples: list[Example]) -> Iterator[tuple[Example, list[Token], list[str]]]:
    """Each example with placed spans, tokenised and BIO-tagged."""
    for example in examples:
        if example.spans is not None:
            tokens = tokenize(example.text)
            yield example, tokens, bio_labels(tokens, example.spans)
