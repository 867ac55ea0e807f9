"""A Redis outage is a 503 ``store_unavailable`` on every route that touches state, never a 500.

The routes come from the app's own route table, so a new route is covered the day it is added: it either
reaches the store with Redis down and answers 503, or it is listed in ``NEEDS_NO_REDIS`` with the reason,
and then it must keep working while Redis is down. The server is a real redis-server, killed while the app
runs; the app has a trained recommender and analysed audio, so each request gets past everything that is
not Redis (path parameters and minimal valid bodies are built per route, so none stops at a 422).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastapi.routing
import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.settings import Settings
from services.store import Store
from tests.conftest import RedisServer, free_port

CALM = "demo:calm/calm_acoustic_1"

NEEDS_NO_REDIS = {
    ("GET", "/openapi.json"): "the schema is built from the code",
    ("GET", "/docs"): "a static page",
    ("GET", "/docs/oauth2-redirect"): "a static page",
    ("GET", "/redoc"): "a static page",
    ("GET", "/tracks"): "the catalogue is a file in the data directory",
    ("GET", "/tracks/{track_id:path}"): "the catalogue is a file in the data directory",
    ("GET", "/tracks/{track_id:path}/similar"): "neighbours come from the trained bundle alone",
    ("POST", "/requests/understand"): "a request is understood against the catalogue, no session involved",
    ("GET", "/"): "the listening page is a static file",
    ("GET", "/page/{name}"): "the listening page's scripts and styles are static files",
}

PATH_VALUES = {
    "user_id": "demo-user-01",
    "session_id": "s1",
    "job_id": "j1",
    "track_id": CALM,
    "name": "page.js",
}


def _wav() -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000, dtype=np.float32), 16000, format="WAV")
    return buffer.getvalue()


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/events"): {"json": {"events": [{"user_id": "ann", "track_id": CALM}]}},
    ("POST", "/jobs"): {"json": {"kind": "playlists", "n": 5}},
    ("POST", "/sessions"): {"json": {"user_id": "demo-user-01", "n_tracks": 4}},
    ("POST", "/sessions/{session_id}/requests"): {"json": {"text": "play something calmer"}},
    ("POST", "/sessions/{session_id}/requests/audio"): {
        "content": _wav(),
        "headers": {"content-type": "audio/wav"},
    },
    ("POST", "/requests/understand"): {"json": {"text": "play something calmer"}},
}


def route_table() -> list[tuple[str, str]]:
    """Every (method, path) in the app's route table; HEAD is answered by GET's handler.

    Newer FastAPI keeps an included router as one lazy entry of ``app.routes``; its
    ``iter_route_contexts`` (what the OpenAPI schema is built from) expands them. Older ones list every
    route in ``app.routes`` already.
    """
    routes: list[Any] = list(create_app().routes)
    expand = getattr(fastapi.routing, "iter_route_contexts", None)
    if expand is not None:
        routes = list(expand(routes))
    table = []
    for route in routes:
        assert route.path and route.methods, f"a route kind this test does not know: {route!r}"
        table += [(method, route.path) for method in route.methods if method != "HEAD"]
    return sorted(table)


ROUTES = route_table()


def concrete(path: str) -> str:
    """The path with each parameter filled in; a parameter not in ``PATH_VALUES`` fails the test."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in PATH_VALUES, f"add a value for the path parameter {name!r} to PATH_VALUES"
        return PATH_VALUES[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@pytest.fixture(scope="module")
def outage(
    trained: tuple[Settings, Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, RedisServer, Settings]]:
    """The API on a trained data directory, its own redis-server killed once the app started."""
    trained_settings, _ = trained
    server = RedisServer(directory=tmp_path_factory.mktemp("outage"), port=free_port())
    server.start()
    settings = trained_settings.model_copy(update={"redis_url": server.url})
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            server.kill()
            yield client, server, settings
    finally:
        server.kill()


def test_the_route_table_is_walked() -> None:
    assert len(ROUTES) >= 15  # the table was read, not an empty list that passes everything
    assert set(NEEDS_NO_REDIS) <= set(ROUTES), "NEEDS_NO_REDIS lists a route that no longer exists"
    assert set(BODIES) <= set(ROUTES), "BODIES has a request body for a route that no longer exists"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r not in NEEDS_NO_REDIS])
def test_a_route_that_touches_state_is_a_503_while_redis_is_down(
    outage: tuple[TestClient, RedisServer, Settings], method: str, path: str
) -> None:
    client, server, settings = outage
    response = client.request(method, concrete(path), **BODIES.get((method, path), {}))
    assert response.status_code == 503, response.text
    assert response.json() == {
        "error": {"code": "store_unavailable", "message": response.json()["error"]["message"], "status": 503}
    }
    message = response.json()["error"]["message"]
    assert message
    for detail in ("127.0.0.1", "localhost", str(server.port), "socket", "redis://", str(settings.data_dir)):
        assert detail not in message
    assert "/" not in message  # no file path of any kind


@pytest.mark.parametrize(("method", "path"), sorted(NEEDS_NO_REDIS))
def test_a_route_that_needs_no_redis_keeps_working_while_redis_is_down(
    outage: tuple[TestClient, RedisServer, Settings], method: str, path: str
) -> None:
    client, _, _ = outage
    response = client.request(method, concrete(path), **BODIES.get((method, path), {}))
    assert response.status_code == 200, f"{NEEDS_NO_REDIS[method, path]}, yet: {response.text}"


def test_the_api_recovers_when_redis_is_back(tmp_path: Path) -> None:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    try:
        settings = Settings(data_dir=tmp_path / "data", REDIS_URL=server.url)
        with TestClient(create_app(settings)) as client:
            server.kill()
            assert client.get("/users/ann/history").status_code == 503
            server.start()
            assert client.get("/users/ann/history").json()["count"] == 0
    finally:
        server.kill()
