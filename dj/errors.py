"""Errors raised by the DJ: audio analysis, planning, rendering, speech.

Every error carries a stable machine-readable ``code`` and the HTTP ``status`` a service should answer
with, so the API maps them to JSON in one handler without knowing each class.
"""

from __future__ import annotations


class DJError(Exception):
    """Root of every DJ error."""

    code = "dj_error"
    status = 400


class AudioDecodeError(DJError):
    """The input is not audio we can decode: corrupt, empty, or an unsupported container/codec."""

    code = "audio_decode_failed"
    status = 422


class AudioTooLongError(DJError):
    """The input is longer (in seconds) or larger (in bytes) than the configured limit."""

    code = "audio_too_long"
    status = 413
