"""The Camelot key wheel: key names to codes, wheel distances and graded mix compatibility.

DJs read harmonic compatibility off the Camelot wheel: the same code, one step round the wheel, or the
relative major/minor blend; two steps (the "energy boost") is usable, anything further clashes. A graded
score (not a yes/no) lets the planner trade a slightly worse key move against a much better tempo match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import SelectaError


class InvalidKeyError(SelectaError):
    """A key name or Camelot code we cannot read."""

    code = "invalid_key"
    status = 422


# Pitch classes of the minor (A) and major (B) keys at Camelot numbers 1..12.
_MINOR = ["G#", "D#", "A#", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
_MAJOR = ["B", "F#", "C#", "G#", "D#", "A#", "F", "C", "G", "D", "A", "E"]
_FLATS = {
    "Db": "C#",
    "Eb": "D#",
    "Gb": "F#",
    "Ab": "G#",
    "Bb": "A#",
    "Cb": "B",
    "Fb": "E",
    "E#": "F",
    "B#": "C",
}
_CODE = re.compile(r"^\s*(1[0-2]|[1-9])\s*([ABab])\s*$")


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


def key_to_camelot(key: str) -> str:
    """``"A minor"`` -> ``"8A"``, ``"Db major"`` -> ``"3B"``; already-Camelot codes pass through."""
    if _CODE.match(key or ""):
        number, letter = parse_camelot(key)
        return f"{number}{letter}"
    parts = (key or "").replace("min", " minor").replace("maj", " major").split()
    if len(parts) < 2:
        raise InvalidKeyError(f"not a key name: {key!r} (expected e.g. 'A minor')")
    tonic = parts[0][0].upper() + parts[0][1:]
    tonic = _FLATS.get(tonic, tonic)
    wheel = _MINOR if parts[1].lower().startswith("minor") else _MAJOR
    if tonic not in wheel:
        raise InvalidKeyError(f"not a key name: {key!r}")
    return f"{wheel.index(tonic) + 1}{'A' if wheel is _MINOR else 'B'}"


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
