"""The Camelot wheel: every key name, pitch class and code spelling lands on the standard code; distances
round the wheel, graded compatibility, bad keys."""

from __future__ import annotations

import pytest

from core.camelot import (
    InvalidKeyError,
    camelot_code,
    camelot_distance,
    canonical_camelot,
    compatibility,
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


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("A minor", "8A"),
        ("C major", "8B"),
        ("Db major", "3B"),
        ("F# minor", "11A"),
        ("E minor", "9A"),
        ("Bb major", "6B"),
        ("G# minor", "1A"),
        ("8a", "8A"),
    ],
)
def test_key_names_map_to_the_wheel(key: str, code: str) -> None:
    assert key_to_camelot(key) == code


def test_distance_wraps_round_the_wheel_and_counts_the_letter() -> None:
    assert camelot_distance("12A", "1A") == 1
    assert camelot_distance("8A", "8B") == 1
    assert camelot_distance("8A", "2A") == 6
    assert camelot_distance("8A", "9B") == 2


def test_compatibility_is_graded() -> None:
    same, adjacent, relative = compatibility("8A", "8A"), compatibility("8A", "9A"), compatibility("8A", "8B")
    boost, clash = compatibility("8A", "10A"), compatibility("8A", "2B")
    assert same.score > adjacent.score > relative.score > boost.score > clash.score
    assert clash.label == "key clash"


def test_bad_keys_have_a_stable_code() -> None:
    with pytest.raises(InvalidKeyError) as err:
        key_to_camelot("H major")
    assert err.value.code == "invalid_key"
    with pytest.raises(InvalidKeyError):
        camelot_distance("13A", "1A")
