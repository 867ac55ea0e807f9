"""Errors raised by the DJ: audio analysis, planning, rendering, speech.

Every error carries a stable machine-readable ``code`` and the HTTP ``status`` a service should answer
with, so the API maps them to JSON in one handler without knowing each class.
"""

from __future__ import annotations

from core.errors import SelectaError


class DJError(SelectaError):
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


class AudioTooLargeError(AudioTooLongError):
    """An upload is larger (in bytes) than the configured limit; refused before it is decoded."""

    code = "audio_too_large"
    status = 413


class SpeechTextError(DJError):
    """Text given to the speech synthesizer is empty or longer than a DJ line should be."""

    code = "speech_text_invalid"
    status = 422


class SpeechBackendUnavailableError(DJError):
    """A speech backend (TTS or speech recognition) lacks its package or its model files on this machine.

    The message says exactly what to install or which files to pass, because nothing is downloaded at
    run time.
    """

    code = "speech_backend_unavailable"
    status = 503


class NoSpeechError(DJError):
    """The audio decoded, but it holds no speech we could transcribe (silence, noise, or too short)."""

    code = "no_speech"
    status = 422


class RequestTextError(DJError):
    """A typed or transcribed request is empty or too long to be a request to the DJ."""

    code = "request_text_invalid"
    status = 422
