"""The Camelot key wheel: key names to codes, wheel distances and graded mix compatibility.

DJs read harmonic compatibility off the Camelot wheel: the same code, one step round the wheel, or the
relative major/minor blend; two steps (the "energy boost") is usable, anything further clashes. A graded
score (not a yes/no) lets the planner trade a slightly worse key move against a much better tempo match.

This module is the one home of the wheel: the audio analysis names its keys with ``key_name`` and
``camelot_code``, and the API and CLI validate codes with ``is_camelot``, so they cannot disagree on a key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import SelectaError


class InvalidKeyError(SelectaError):
    """A key name or Camelot code we cannot read."""

    code = "invalid_key"
    status = 422


PITCHES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""How a key's tonic is written, by pitch class (C = 0): sharps or flats as DJs read them."""

# Camelot numbers of the major keys by tonic pitch class (C major = 8B). A minor key shares its number with
# its relative major three semitones up (A minor = 8A, like C major).
_CAMELOT_MAJOR = (8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1)
# Every spelling of a tonic we read, to its pitch class (enharmonics such as Cb and E# included).
_TONICS = {
    **{name: pc for pc, name in enumerate(("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"))},
    **{name: pc for pc, name in enumerate(PITCHES)},
    "Db": 1,
    "Gb": 6,
    "Cb": 11,
    "Fb": 4,
    "E#": 5,
    "B#": 0,
}
CAMELOT_PATTERN = r"(1[0-2]|[1-9])([ABab])"
"""A Camelot code: number 1..12 and the letter A (minor) or B (major), either case."""
_CODE = re.compile(rf"^\s*{CAMELOT_PATTERN}\s*$")


@dataclass(frozen=True, kw_only=True)
class Compatibility:
    """How well two keys mix: a score in 0..1, the wheel distance in steps and a short label."""

    score: float
    distance: int
    label: str


def parse_camelot(code: str) -> tuple[int, str]:
    """``"8A"`` -> ``(8, "A")``; raises :class:`InvalidKeyError` for anything else."""
    match = _CODE.match(code or "")
    if not match:
        raise InvalidKeyError(f"not a Camelot code: {code!r} (expected 1A..12B)")
    return int(match.group(1)), match.group(2).upper()


def is_camelot(code: str) -> bool:
    """Whether ``code`` reads as a Camelot code (``"8A"``, ``"12b"``); the API validates with this."""
    return _CODE.match(code or "") is not None


def canonical_camelot(code: str) -> str:
    """``" 8a "`` -> ``"8A"``: the one spelling stored and compared; raises :class:`InvalidKeyError`."""
    number, letter = parse_camelot(code)
    return f"{number}{letter}"


def key_name(tonic: int, mode: str) -> str:
    """``(9, "minor")`` -> ``"A minor"``: tonic pitch class (C = 0) and mode as a key name."""
    return f"{PITCHES[tonic % 12]} {mode}"


def camelot_code(tonic: int, mode: str) -> str:
    """``(0, "major")`` -> ``"8B"``, ``(9, "minor")`` -> ``"8A"``: the wheel position of a key."""
    if mode == "major":
        return f"{_CAMELOT_MAJOR[tonic % 12]}B"
    return f"{_CAMELOT_MAJOR[(tonic + 3) % 12]}A"


def key_to_camelot(key: str) -> str:
    """``"A minor"`` -> ``"8A"``, ``"Db major"`` -> ``"3B"``; already-Camelot codes pass through."""
    if is_camelot(key):
        return canonical_camelot(key)
    parts = (key or "").replace("min", " minor").replace("maj", " major").split()
    if len(parts) < 2:
        raise InvalidKeyError(f"not a key name: {key!r} (expected e.g. 'A minor')")
    tonic = _TONICS.get(parts[0][0].upper() + parts[0][1:])
    if tonic is None:
        raise InvalidKeyError(f"not a key name: {key!r}")
    return camelot_code(tonic, "minor" if parts[1].lower().startswith("minor") else "major")


def camelot_distance(a: str, b: str) -> int:
    """Steps on the wheel: the shorter way round the numbers, plus one if the letter changes."""
    (na, la), (nb, lb) = parse_camelot(a), parse_camelot(b)
    steps = abs(na - nb) % 12
    return min(steps, 12 - steps) + (la != lb)


def compatibility(a: str, b: str) -> Compatibility:
    """Graded harmonic compatibility of mixing from key ``a`` into key ``b``."""
    (na, la), (nb, lb) = parse_camelot(a), parse_camelot(b)
    up = (nb - na) % 12
    around = min(up, 12 - up)
    distance = around + (la != lb)
    if distance == 0:
        return Compatibility(score=1.0, distance=0, label="same key")
    if la == lb and around == 1:
        return Compatibility(score=0.9, distance=1, label="adjacent on the wheel")
    if around == 0:
        return Compatibility(score=0.85, distance=1, label="relative major/minor")
    if la != lb and around == 1:
        return Compatibility(score=0.6, distance=2, label="diagonal move")
    if la == lb and up == 2:
        return Compatibility(score=0.55, distance=2, label="energy boost (+2)")
    if la == lb and up == 7:
        return Compatibility(score=0.5, distance=distance, label="semitone lift (+7)")
    return Compatibility(score=max(0.0, 0.35 - 0.08 * (distance - 2)), distance=distance, label="key clash")
