"""Understand a request to the DJ, typed or transcribed: what the listener wants and the names they said.

A trained model, not a grammar (issue 14): the hand grammar read the project's own phrasings perfectly
and real people's requests poorly ("hey google play some jazz for me", "seven years", "can you put on Like
A Hurricane by Neil Young"). A CRF tags the words that name things (artist, track, album, genre, mood,
era, sort, service, playlist, music item, novelty), a classifier reads the intent with those tags, and
the names are resolved against the catalogue (:mod:`dj.requests.entities`: fuzzy and sound-alike, so
"Norajones" still finds Norah Jones). The catalogue's own names mark the words as the tagger reads them
(:mod:`dj.requests.gazetteer`), so a bare title the catalogue has is a title, and one it lacks is not.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Literal

from core.moods import MOOD_WORDS
from core.names import normalize_name
from dj.requests.entities import CatalogIndex, EntityKind, Resolution
from dj.requests.gazetteer import MAX_WORDS, Gazetteer
from dj.requests.grammar import clean
from dj.requests.lexicon import LATEST_WORDS, era_value
from dj.requests.model import RequestModel, shipped_model
from dj.requests.parsed import INTENT_KINDS, Intent, IntentKind, Slot, SlotName, checked_text
from dj.requests.tokens import Token, tokenize

__all__ = ["INTENT_KINDS", "Intent", "IntentKind", "IntentParser", "Slot", "SlotName", "bio_spans"]

WITH_SLOTS: frozenset[str] = frozenset({"play", "more_like_this", "like", "dislike", "add_to_playlist"})
"""Intents whose slots mean something; "skip this song" names no song."""
BARE_NAME_AT = 0.95
"""A request the classifier calls out of scope is still "play X" when the whole of it (wake words and
courtesy removed) is a catalogue name at least this close: "seven years", "Daft Punk!"."""
SWITCH_KIND_AT = 0.95
"""A lone name tagged as one kind that the catalogue lacks but has, this close, as another kind is that
other kind ("play Visions" tagged as an artist, the catalogue's album). Not when the request names more
("I Believe by Chico Buarque" stays a title, whatever artist is called I Believe)."""
_NAMED: frozenset[str] = frozenset({"artist", "track", "album"})
_GAZETTEER_KINDS: dict[str, tuple[str, ...]] = {
    "artist": ("artist",), "track": ("track",), "album": ("album",), "genre": ("genre", "tag"),
}  # fmt: skip
"""The gazetteer kinds whose names a tagged slot may be widened to (:func:`complete_span`)."""
_LIKE_WORDS = frozenset({"like", "love", "dig", "enjoy", "adore", "fan", "prefer", "more"})
_DISLIKE_WORDS = frozenset({"hate", "dislike", "detest", "stand", "loathe", "no", "less", "without"})
_NEGATIONS = frozenset({"don't", "dont", "not", "never", "doesn't", "didn't", "no"})
"""Words that say, left of a subject, what a like/dislike request thinks of it ("don't really like")."""

_GAZETTEERS: weakref.WeakKeyDictionary[CatalogIndex, Gazetteer] = weakref.WeakKeyDictionary()


def _gazetteer(index: CatalogIndex | None) -> Gazetteer:
    """The vocabulary plus the catalogue's names, built once per catalogue index."""
    if index is None:
        return _VOCABULARY
    found = _GAZETTEERS.get(index)
    if found is None:
        found = _VOCABULARY
        kinds: tuple[EntityKind, ...] = ("artist", "track", "album", "tag")
        for kind in kinds:
            found = found.with_names(kind, index.names(kind))
        _GAZETTEERS[index] = found
    return found


_VOCABULARY = Gazetteer.vocabulary()


def bio_spans(labels: list[str]) -> list[tuple[str, int, int]]:
    """(slot, first word, last word) runs of BIO ``labels``; an I- without its B- starts a run too."""
    spans: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        name = label[2:]
        if label.startswith("I-") and spans and spans[-1][0] == name and spans[-1][2] == i - 1:
            spans[-1] = (name, spans[-1][1], i)
        else:
            spans.append((name, i, i))
    return spans


def complete_span(
    span: tuple[str, int, int], labels: list[str], marks: list[list[str]]
) -> tuple[str, int, int]:
    """A tagged span widened to the whole gazetteer name it is part of, over untagged words only: the
    tagger reads "go" in "play the song let it go" as a word of "let's go", but the catalogue has "Let It
    Go", and "smooth" in "find some smooth jazz" as a mood, but "smooth jazz" is one genre."""
    name, first, last = span
    for kind in _GAZETTEER_KINDS.get(name, ()):
        start = first
        while f"B-{kind}" not in marks[start] and f"I-{kind}" in marks[start] and start > 0:
            if labels[start - 1] != "O":
                break
            start -= 1
        if f"B-{kind}" not in marks[start]:
            continue
        end = last
        while end + 1 < len(labels) and f"I-{kind}" in marks[end + 1] and labels[end + 1] == "O":
            end += 1
        return (name, start, end)
    return span


def opinion_of(words: list[str], first: int, kind: Literal["like", "dislike"]) -> Literal["like", "dislike"]:
    """What the request thinks of the subject starting at word ``first``: the nearest like or dislike word
    to its left says ("i like jazz and hate disco": jazz liked, disco disliked), a negation before a like
    word turns it ("i don't like disco"); with none, the request's own kind."""
    for i in range(first - 1, -1, -1):
        word = words[i]
        if word in _DISLIKE_WORDS:
            return "dislike"
        if word in _LIKE_WORDS:
            turned = any(w in _NEGATIONS for w in words[max(0, i - 2) : i])
            return "dislike" if turned else "like"
    return kind


class IntentParser:
    """Parse requests. With a ``CatalogIndex`` names are resolved; without, they are extracted only."""

    def __init__(self, index: CatalogIndex | None = None, *, model: RequestModel | None = None) -> None:
        self.index = index
        self.model = model or shipped_model()
        self.gazetteer = _gazetteer(index)

    def parse(self, text: str) -> Intent:
        """The request's intent and slots; anything that is not a request to the DJ is ``out_of_scope``."""
        said = checked_text(text)
        tokens = tokenize(said)
        marks = self.gazetteer.marks(tokens)
        labels, sure = self.model.tag(tokens, marks)
        scores = self.model.classify(said, tokens, labels)
        best = max(scores, key=lambda k: scores[k])
        kind: IntentKind = best if best in INTENT_KINDS else "out_of_scope"
        confidence = scores.get(kind, 0.0)
        slots: list[Slot] = []
        if kind in WITH_SLOTS:
            slots = self._slots(said, tokens, labels, sure, kind, marks)
        elif kind == "out_of_scope":
            bare = self._bare_name(said)
            if bare is not None:
                kind, slots, confidence = "play", [bare], bare.confidence
        confidence = min([confidence, *(s.confidence for s in slots)])
        return Intent(kind=kind, text=said, slots=tuple(slots), confidence=round(confidence, 4))

    def _bare_name(self, said: str) -> Slot | None:
        """The whole request as a catalogue name, when the catalogue has it almost exactly."""
        if self.index is None:
            return None
        phrase = clean(said)
        if not phrase or len(phrase.split()) > MAX_WORDS:
            return None
        res = self.index.resolve_any(phrase)
        if not res.available or res.confidence < BARE_NAME_AT:
            return None
        return self._named(res.kind, phrase, res)

    def _slots(
        self,
        said: str,
        tokens: list[Token],
        labels: list[str],
        sure: list[float],
        kind: IntentKind,
        marks: list[list[str]],
    ) -> list[Slot]:
        spans = [complete_span(span, labels, marks) for span in bio_spans(labels)]
        words = [t.lower for t in tokens]
        artist = next((said[tokens[a].start : tokens[b].end] for n, a, b in spans if n == "artist"), None)
        lone = sum(n in _NAMED or n == "playlist" for n, _, _ in spans) == 1
        slots: list[Slot] = []
        for name, first, last in spans:
            raw = said[tokens[first].start : tokens[last].end]
            tagged = min(sure[first : last + 1])
            slot = self._slot(name, raw, artist=artist, tagged=tagged, lone=lone)
            if slot is not None and kind in ("like", "dislike"):
                slot = replace(slot, opinion=opinion_of(words, first, kind))
            if slot is not None and not any((s.name, s.value) == (slot.name, slot.value) for s in slots):
                slots.append(slot)
        return slots

    def _slot(self, name: str, raw: str, *, artist: str | None, tagged: float, lone: bool) -> Slot | None:
        """One tagged span as a slot: names resolved, vocabulary words in their normal form; ``lone``: the
        only name in the request, which may change kind to the one the catalogue has."""
        norm = normalize_name(raw)
        if name in _NAMED:
            return self._entity(name, raw, artist=artist if name != "artist" else None, lone=lone)
        if name in ("genre", "mood"):
            return self._genre_or_mood(raw, norm, tagged)
        if name == "era":
            value = era_value(raw)
            return None if value is None else Slot(name="era", raw=raw, value=value, confidence=tagged)
        if name in ("sort", "recency"):
            if norm in LATEST_WORDS:
                return Slot(name="recency", raw=raw, value="latest", confidence=tagged)
            return Slot(name="sort", raw=raw, value=norm, confidence=tagged)
        if name == "novelty":
            return Slot(name="novelty", raw=raw, value="unheard", confidence=tagged)
        if name == "playlist" and lone and self.index is not None:
            named = self.index.resolve_any(raw)  # "play DAF Punk" tagged as a playlist name
            if named.available and named.confidence >= SWITCH_KIND_AT:
                return self._named(named.kind, raw, named)
        return Slot(name=name, raw=raw, value=norm, confidence=tagged)  # type: ignore[arg-type]

    def _genre_or_mood(self, raw: str, norm: str, tagged: float) -> Slot:
        """A mood word is a mood whatever it was tagged; a genre is the catalogue's tag where it has one."""
        mood = MOOD_WORDS.get(norm) or MOOD_WORDS.get(raw.lower())
        if mood is not None:
            return Slot(name="mood", raw=raw, value=mood, confidence=tagged)
        tag = self.index.tag(raw) if self.index is not None else None
        if tag is None and self.index is not None:
            named = self.index.resolve_any(raw)
            if named.available and named.confidence >= BARE_NAME_AT:
                return self._named(named.kind, raw, named)
        return Slot(
            name="genre",
            raw=raw,
            value=norm,
            confidence=tagged,
            entity=tag,
            available=tag is not None or self.index is None,
        )

    def _entity(self, name: str, raw: str, *, artist: str | None, lone: bool) -> Slot:
        if self.index is None:
            return Slot(name=name, raw=raw, value=raw, confidence=0.5, available=False)  # type: ignore[arg-type]
        kind: EntityKind = name  # type: ignore[assignment]
        res = self.index.resolve(raw, kind=kind, artist=artist)
        if not res.available and lone:
            other = self.index.resolve_any(raw)
            if other.available and other.confidence >= SWITCH_KIND_AT:
                res = other
        return self._named(res.kind if res.available else kind, raw, res)

    @staticmethod
    def _named(kind: EntityKind, raw: str, res: Resolution) -> Slot:
        return Slot(
            name=kind,  # type: ignore[arg-type]
            raw=raw,
            value=res.entity.name if res.entity is not None else raw,
            confidence=round(res.confidence, 4),
            entity=res.entity,
            available=res.available,
            alternatives=res.alternatives,
        )
