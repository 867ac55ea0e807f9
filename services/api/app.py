"""The FastAPI application: built by ``create_app()``; heavy objects are made in the lifespan.

Run with ``uvicorn services.api.app:create_app --factory`` (or ``selecta serve``). Set
``OPENBLAS_NUM_THREADS=1`` when serving: BLAS threads fighting the server's thread pool cost 17x.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.api.errors import install_error_handlers
from services.api.routes import events, health, jobs, page, recommendations, requests, sessions, tracks
from services.api.state import AppState
from services.data.catalog import CatalogCache
from services.settings import Settings, get_settings
from services.store import open_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; the store and catalogue are opened when it starts, not at import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or get_settings()
        app.state.selecta = AppState(
            settings=resolved, store=open_store(resolved), catalog=CatalogCache(resolved.catalog_path)
        )
        yield

    app = FastAPI(
        title="Selecta",
        version="0.1.0",
        summary="Personalized listening engine with an AI DJ: recommendations, events, DJ sessions, jobs.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    # recommendations first: its /tracks/{id}/similar must win over /tracks/{id:path}
    for module in (health, recommendations, tracks, events, jobs, sessions, requests, page):
        app.include_router(module.router)
    return app
