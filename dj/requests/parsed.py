"""What an understood request is: an intent kind, the slots the listener named, and confidences.

Kept apart from the parsers so the learned parser (:mod:`dj.requests.intents`), the hand grammar it
replaced (:mod:`dj.requests.grammar`, kept as the benchmark's reference) and the effects all speak one type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dj.errors import RequestTextError
from dj.requests.entities import Entity

__all__ = ["INTENT_KINDS", "SLOT_NAMES", "Intent", "IntentKind", "Slot", "SlotName", "checked_text"]

MAX_REQUEST_CHARS = 300

IntentKind = Literal[
    "play", "more_like_this", "energy_up", "energy_down", "tempo_up", "tempo_down",
    "skip", "like", "dislike", "why", "add_to_playlist", "out_of_scope",
]  # fmt: skip
SlotName = Literal[
    "artist", "track", "album", "genre", "mood", "era", "novelty", "recency",
    "sort", "service", "playlist", "music_item",
]  # fmt: skip
INTENT_KINDS: tuple[IntentKind, ...] = IntentKind.__args__  # type: ignore[attr-defined]
SLOT_NAMES: tuple[SlotName, ...] = SlotName.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One thing the listener named. ``raw`` is the span as said; ``value`` its normal form; ``entity``
    the catalogue entity it resolved to (None for eras, moods, or names the catalogue lacks); ``opinion``
    what a like/dislike request says of it, per slot because one request can say both ("i like jazz and
    hate disco"); None outside like/dislike requests."""

    name: SlotName
    raw: str
    value: str
    confidence: float = 1.0
    entity: Entity | None = None
    available: bool = True
    alternatives: tuple[Entity, ...] = ()
    opinion: Literal["like", "dislike"] | None = None

    def to_dict(self) -> dict[str, Any]:
        def ent(e: Entity | None) -> dict[str, Any] | None:
            return None if e is None else {"kind": e.kind, "name": e.name, "artist": e.artist, "year": e.year}

        return {
            "name": self.name,
            "raw": self.raw,
            "value": self.value,
            "confidence": self.confidence,
            "available": self.available,
            "entity": ent(self.entity),
            "alternatives": [ent(a) for a in self.alternatives],
            "opinion": self.opinion,
        }


@dataclass(frozen=True, kw_only=True)
class Intent:
    """What a request asks for. ``confidence`` is the parser's certainty times the weakest slot's."""

    kind: IntentKind
    text: str
    slots: tuple[Slot, ...] = ()
    confidence: float = 1.0

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "confidence": self.confidence,
            "slots": [s.to_dict() for s in self.slots],
        }


def checked_text(text: str) -> str:
    """The request with its whitespace collapsed; ``RequestTextError`` when empty or too long."""
    if not text or not text.strip():
        raise RequestTextError("the request is empty")
    if len(text) > MAX_REQUEST_CHARS:
        raise RequestTextError(f"the request is {len(text)} characters; at most {MAX_REQUEST_CHARS}")
    return " ".join(text.split())
