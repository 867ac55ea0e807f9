"""The FastAPI application: built by ``create_app()``; heavy objects are made in the lifespan.

Run with ``uvicorn services.api.app:create_app --factory`` (or ``selecta serve``). Set
``OPENBLAS_NUM_THREADS=1`` when serving: BLAS threads fighting the server's thread pool cost 17x.

Every product route lives under ``/v1`` and declares its access (``services.api.auth``); health,
readiness, the OpenAPI document and the page's own files stay at the root, open.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.api.auth import check_every_route_declares
from services.api.errors import install_error_handlers
from services.api.instruments import Metrics, MetricsMiddleware, ModelCollector
from services.api.routes import (
    events,
    health,
    jobs,
    metrics,
    page,
    profiles,
    recommendations,
    requests,
    sessions,
    tokens,
    tracks,
)
from services.api.schemas import ErrorBody
from services.api.state import AppState
from services.data.catalog import CatalogCache
from services.settings import Settings, get_settings
from services.store import open_store
from services.store.credentials import CredentialCache

API_PREFIX = "/v1"

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        401: "No credential, or an unknown, expired or revoked one.",
        403: "The credential may not reach this resource.",
        422: "The request is invalid (`invalid_request`) or cannot be carried out.",
        503: "Redis is unavailable (`store_unavailable`), or the server is busy (Retry-After).",
    }.items()
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; the store and catalogue are opened when it starts, not at import."""
    instruments = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or get_settings()
        store = open_store(resolved)
        state = AppState(
            settings=resolved,
            store=store,
            catalog=CatalogCache(resolved.catalog_path),
            credentials=CredentialCache(store, resolved.auth_cache_s),
            render_slots=threading.BoundedSemaphore(resolved.max_concurrent_renders),
        )
        app.state.selecta = state
        yield

    app = FastAPI(
        title="Selecta",
        version="1.0.0",
        summary="Personalized listening engine with an AI DJ: recommendations, events, DJ sessions, jobs.",
        description="Every route under `/v1` needs `Authorization: Bearer <app key or listener token>`. "
        'Errors are `{"error": {"code", "message", "status"}}` with a stable `code`.',
        lifespan=lifespan,
    )
    app.state.metrics = instruments
    instruments.registry.register(ModelCollector(app))
    install_error_handlers(app, on_store_error=instruments.store_errors.inc)
    app.add_middleware(MetricsMiddleware, metrics=instruments)
    # Routes are matched in order: the two hot ones (cached recommendations, events) first, and
    # recommendations before tracks: its /tracks/{id}/similar must win over /tracks/{id:path}.
    for module in (recommendations, events, tracks, jobs, sessions, requests, tokens, profiles, metrics):
        prefix = "" if module is metrics else API_PREFIX
        app.include_router(module.router, prefix=prefix, responses=ERROR_RESPONSES)
    app.include_router(page.v1_router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    app.include_router(health.router)
    app.include_router(page.router)
    check_every_route_declares(app)
    return app
