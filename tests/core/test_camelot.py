"""The Camelot wheel: key names to codes, distances round the wheel, graded compatibility, bad keys."""

from __future__ import annotations

import pytest

from core.camelot import InvalidKeyError, camelot_distance, compatibility, key_to_camelot


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
