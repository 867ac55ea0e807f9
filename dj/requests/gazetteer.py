"""Which words of a request name something the catalogue or the vocabulary knows: the tagger's gazetteer.

A learned tagger has seen a few thousand artist names; the live catalogue has tens of thousands. Marking
the words that spell a catalogue name (an artist, a title, an album, a tag) or a vocabulary word (a genre,
a mood, a decade, a streaming service) lets it tag "play seven years" as a title when the catalogue has
"Seven Years", and lets the same trained model follow the catalogue it runs against. Names are compared in
:func:`core.names.normalize_name` form; the longest match starting at a word wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.moods import MOOD_WORDS
from core.names import normalize_name
from dj.requests.lexicon import DECADE_WORDS, GENRE_PHRASES, GENRES, SERVICES
from dj.requests.tokens import Token

__all__ = ["GAZETTEER_KINDS", "Gazetteer"]

GAZETTEER_KINDS = ("artist", "track", "album", "tag", "genre", "mood", "decade", "service")
MAX_WORDS = 6
"""Longest name looked up, in words (longer titles are rare and still tagged from context)."""


@dataclass
class Gazetteer:
    """Normalised names per kind: ``vocabulary()`` has the fixed words, ``with_names`` adds a catalogue's."""

    names: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def vocabulary(cls) -> Gazetteer:
        """Genres, moods, decades and services: the words every catalogue shares."""
        decades = {*DECADE_WORDS, *(f"{d}0s" for d in range(1, 10)), *(f"19{d}0s" for d in range(10))}
        return cls(
            names={
                "genre": frozenset(normalize_name(g) for g in (*GENRES, *GENRE_PHRASES)),
                "mood": frozenset(normalize_name(w) for w in MOOD_WORDS),
                "decade": frozenset(normalize_name(d) for d in decades),
                "service": frozenset(normalize_name(s) for s in SERVICES),
            }
        )

    def with_names(self, kind: str, names: Iterable[str]) -> Gazetteer:
        """A copy with ``names`` added to ``kind`` (names of more than MAX_WORDS words are left out)."""
        norms = {n for n in (normalize_name(x) for x in names) if n and n.count(" ") < MAX_WORDS}
        return Gazetteer(names={**self.names, kind: self.names.get(kind, frozenset()) | norms})

    def marks(self, tokens: list[Token]) -> list[list[str]]:
        """Per word, the kinds whose names cover it, as "B-kind" (a name starts here) or "I-kind"."""
        words = [normalize_name(t.text) for t in tokens]
        out: list[list[str]] = [[] for _ in tokens]
        for kind, names in self.names.items():
            if not names:
                continue
            i = 0
            while i < len(words):
                length = self._longest(words, i, names)
                if length:
                    out[i].append(f"B-{kind}")
                    for j in range(i + 1, i + length):
                        out[j].append(f"I-{kind}")
                i += max(length, 1)
        return out

    @staticmethod
    def _longest(words: list[str], i: int, names: frozenset[str]) -> int:
        """How many words from ``i`` spell a name (0 for none); the longest wins."""
        for length in range(min(MAX_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(w for w in words[i : i + length] if w)
            if phrase and phrase in names:
                return length
        return 0
