"""The one Camelot wheel: every key name, pitch class and code spelling lands on the standard code."""

from __future__ import annotations

import pytest

from core.camelot import (
    InvalidKeyError,
    camelot_code,
    canonical_camelot,
    is_camelot,
    key_name,
    key_to_camelot,
)

# The standard wheel, written out (not computed): tonic pitch class, mode, key name, code.
WHEEL = [
    (0, "major", "C major", "8B"),
    (1, "major", "C# major", "3B"),
    (2, "major", "D major", "10B"),
    (3, "major", "Eb major", "5B"),
    (4, "major", "E major", "12B"),
    (5, "major", "F major", "7B"),
    (6, "major", "F# major", "2B"),
    (7, "major", "G major", "9B"),
    (8, "major", "Ab major", "4B"),
    (9, "major", "A major", "11B"),
    (10, "major", "Bb major", "6B"),
    (11, "major", "B major", "1B"),
    (0, "minor", "C minor", "5A"),
    (1, "minor", "C# minor", "12A"),
    (2, "minor", "D minor", "7A"),
    (3, "minor", "Eb minor", "2A"),
    (4, "minor", "E minor", "9A"),
    (5, "minor", "F minor", "4A"),
    (6, "minor", "F# minor", "11A"),
    (7, "minor", "G minor", "6A"),
    (8, "minor", "Ab minor", "1A"),
    (9, "minor", "A minor", "8A"),
    (10, "minor", "Bb minor", "3A"),
    (11, "minor", "B minor", "10A"),
]
# The other spelling of each black key (and the white-key enharmonics), by pitch class.
ENHARMONIC = {1: "Db", 3: "D#", 6: "Gb", 8: "G#", 10: "A#", 11: "Cb", 4: "Fb", 5: "E#", 0: "B#"}


def test_the_wheel_covers_all_24_keys_once() -> None:
    assert sorted(code for *_, code in WHEEL) == sorted(f"{n}{x}" for n in range(1, 13) for x in "AB")


@pytest.mark.parametrize(("tonic", "mode", "name", "code"), WHEEL)
def test_analysis_names_and_key_names_agree_on_every_key(tonic: int, mode: str, name: str, code: str) -> None:
    """The audio analysis (pitch class) and a typed key name (``key_to_camelot``) give the same code."""
    assert key_name(tonic, mode) == name
    assert camelot_code(tonic, mode) == code
    assert key_to_camelot(name) == code
    assert key_to_camelot(f"{ENHARMONIC.get(tonic, name.split()[0])} {mode[:3]}") == code
    assert key_to_camelot(code.lower()) == code


@pytest.mark.parametrize("code", ["8A", "8a", " 12b ", "1B", "10A"])
def test_codes_the_api_accepts_are_the_codes_the_wheel_reads(code: str) -> None:
    assert is_camelot(code)
    assert canonical_camelot(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["", "13C", "0A", "13A", "8", "A8", "8AB", "8 A minor"])
def test_what_is_not_a_code_is_refused_everywhere(code: str) -> None:
    assert not is_camelot(code)
    with pytest.raises(InvalidKeyError):
        canonical_camelot(code)
