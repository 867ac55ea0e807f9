"""Reading a spoken request from an HTTP body, with the size limit enforced while the bytes arrive.

FastAPI's ``UploadFile`` parameters spool the whole body before the handler runs, so an oversized upload
would be read in full before it is refused. Here the body stream is counted as it is parsed: the request
fails with 413 as soon as it passes the limit. A browser's ``MediaRecorder`` blob (WebM/Opus), WAV, MP3
or M4A arrives either as the ``file`` field of a multipart form or as the raw body (``audio/*``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from dj.errors import AudioTooLargeError, DJError

MULTIPART_SLACK = 64 * 1024
"""Room for the multipart boundaries and part headers around the file itself."""

AUDIO_UPLOAD_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The spoken request: WebM/Opus, WAV, MP3, M4A, Ogg, FLAC.",
                        }
                    },
                }
            },
            "audio/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class UnsupportedUploadError(DJError):
    """The body is neither a multipart form with a ``file`` field nor raw audio."""

    code = "unsupported_upload"
    status = 415


class BadUploadError(DJError):
    """A multipart body that cannot be parsed, or one without the ``file`` field."""

    code = "bad_upload"
    status = 400


def is_audio_upload(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "multipart/form-data" or kind.startswith("audio/") or kind == "application/octet-stream"


async def read_audio_upload(request: Request, *, max_bytes: int) -> bytes:
    """The uploaded audio's bytes; 413 the moment the body passes ``max_bytes`` (plus form overhead)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not is_audio_upload(request):
        raise UnsupportedUploadError(
            f"send the audio as multipart/form-data (field 'file') or as an audio/* body, not {kind!r}"
        )
    slack = MULTIPART_SLACK if kind == "multipart/form-data" else 0
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + slack:
        raise _too_large(int(declared), max_bytes)
    body = _bounded(request.stream(), limit=max_bytes + slack, max_bytes=max_bytes)
    if kind != "multipart/form-data":
        data = b"".join([chunk async for chunk in body])
    else:
        try:
            form = await MultiPartParser(request.headers, body, max_files=1, max_fields=10).parse()
        except MultiPartException as exc:
            raise BadUploadError(f"the multipart body cannot be parsed: {exc.message}") from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            await form.close()
            raise BadUploadError("the form has no 'file' field with the audio")
        data = await upload.read()
        await form.close()
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


async def _bounded(
    chunks: AsyncIterator[bytes], *, limit: int, max_bytes: int
) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise _too_large(seen, max_bytes, at_least=True)
        yield chunk


def _too_large(size: int, max_bytes: int, *, at_least: bool = False) -> AudioTooLargeError:
    what = f"more than {size / 1e6:.1f}" if at_least else f"{size / 1e6:.1f}"
    return AudioTooLargeError(
        f"the upload is {what} MB; spoken requests are limited to {max_bytes / 1e6:.1f} MB"
    )
