"""The API app the session and page tests serve: the real app with the test's speech engines swapped in."""

from __future__ import annotations

from fastapi import FastAPI

from services.api.app import create_app
from services.api.routes.sessions import get_engines
from services.engines import Engines
from services.settings import Settings


def app_for(settings: Settings, engines: Engines) -> FastAPI:
    """The app for ``settings``, with ``engines`` (models loaded once per test module) for every request."""
    app = create_app(settings)
    app.dependency_overrides[get_engines] = lambda: engines
    return app
