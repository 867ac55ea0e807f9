"""Limits that keep one caller from exhausting the server: per-credential request rates on the voice and
request routes (Whisper, the planner and Piper are the expensive work), and a bound on mix renders that
run at once in one process (each holds decoded audio: unbounded, sixteen streams took 3.2 GB)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator

from prometheus_client import Gauge

from core.errors import SelectaError
from services.api.auth import Principal
from services.api.state import AppState
from services.store import StoreUnavailableError

RATE_WINDOW_S = 60


class RateLimitedError(SelectaError):
    """Too many requests from one credential in the current window; ``retry_after`` says when to retry."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RendersBusyError(SelectaError):
    """Every render slot of this process is taken; retry shortly (another process may have one free)."""

    code = "renders_busy"
    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


RENDER_RETRY_AFTER_S = 10


def limit_voice(state: AppState, principal: Principal) -> None:
    """Count one voice or request call of the caller's credential; 429 past the per-minute limit.
    The count is in Redis so every process shares it; while Redis is down the limit is not applied
    (the routes that need Redis answer 503 anyway)."""
    limit = state.settings.voice_rate_per_min
    try:
        count, reset_s = state.store.count_request(principal.key_id, "voice", window_s=RATE_WINDOW_S)
    except StoreUnavailableError:
        return  # fail open: a route that needs no Redis keeps working while Redis is down
    if count > limit:
        raise RateLimitedError(
            f"at most {limit} voice and request calls a minute per credential",
            retry_after=max(1, math.ceil(reset_s)),
        )


def take_render_slot(slots: threading.BoundedSemaphore, in_flight: Gauge) -> Callable[[], None]:
    """A render slot, or 503 with Retry-After when all are taken; returns the function that frees it
    (safe to call more than once: the stream's end and a failure before it may both call it)."""
    if not slots.acquire(blocking=False):
        raise RendersBusyError(
            "the server is rendering as many mixes as it may: retry shortly",
            retry_after=RENDER_RETRY_AFTER_S,
        )
    in_flight.inc()
    released = threading.Event()
    lock = threading.Lock()

    def release() -> None:
        with lock:
            if released.is_set():
                return
            released.set()
        in_flight.dec()
        slots.release()

    return release


def releasing(chunks: Iterator[bytes], release: Callable[[], None]) -> Iterator[bytes]:
    """The chunks, freeing the render slot when the stream ends, fails or the client goes away."""
    try:
        yield from chunks
    finally:
        release()
