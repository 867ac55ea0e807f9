"""Which mix stream format an Accept header gets (``negotiate``): highest q, an exact media type before a
wildcard, WAV for ``*/*`` and for no header at all, 406 when nothing offered is acceptable."""

from __future__ import annotations

import pytest

from services.api.routes.sessions import negotiate
from services.sessions.stream_encoders import UnsupportedFormatError


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "wav"),
        ("*/*", "wav"),
        ("audio/*", "wav"),
        ("audio/ogg", "opus"),
        ("audio/opus", "opus"),
        ("audio/mpeg", "mp3"),
        ("audio/wav;q=0.5, audio/mpeg", "mp3"),
        ("audio/ogg;q=0.2, audio/mpeg;q=0.9", "mp3"),
        ("*/*;q=0.1, audio/ogg", "opus"),
        ("audio/ogg;q=0, */*", "wav"),  # the exact range's q=0 refuses Opus despite the wildcard
        ("audio/webm, audio/ogg, audio/wav, audio/*;q=0.9, */*;q=0.5", "wav"),  # Firefox: ties go to WAV
        ("AUDIO/OGG ; Q=1", "opus"),
    ],
)
def test_accept_chooses_the_format(accept: str | None, expected: str) -> None:
    assert negotiate(accept).name == expected


@pytest.mark.parametrize("accept", ["application/json", "audio/flac", "audio/*;q=0", "audio/ogg;q=nope"])
def test_nothing_acceptable_is_a_406(accept: str) -> None:
    with pytest.raises(UnsupportedFormatError):
        negotiate(accept)
