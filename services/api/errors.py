"""One place that turns every error into the same JSON shape with the right status.

Shape: ``{"error": {"code": "<stable code>", "message": "<what went wrong>", "status": <int>}}``.
Every project error is a ``SelectaError`` with ``code`` and ``status``; a 500 means a bug, and its message
says only that (the details go to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import SelectaError
from services.store.errors import StoreError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    503: "unavailable",
}


def problem(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "status": status}},
        headers=headers,
    )


def _headers(exc: SelectaError) -> dict[str, str] | None:
    """``WWW-Authenticate`` on a 401; ``Retry-After`` when the error says when to come back."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(int(retry_after))
    return headers or None


def install_error_handlers(app: FastAPI, *, on_store_error: Callable[[], None] | None = None) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(SelectaError)
    async def _project(_: Request, exc: SelectaError) -> JSONResponse:
        if exc.status >= 500:  # the message a client sees omits hosts and paths: the cause has them
            log.warning("%s: %s (cause: %r)", exc.code, exc, exc.__cause__)
        if isinstance(exc, StoreError) and on_store_error is not None:
            on_store_error()
        return problem(exc.status, exc.code, str(exc), _headers(exc))

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "internal_error", "internal error (a bug): see the server log")
