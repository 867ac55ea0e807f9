"""A Redis outage is a 503 ``store_unavailable`` on every route that touches state, never a 500.

The routes come from the app's own route table, so a new route is covered the day it is added: it either
reaches the store with Redis down and answers 503, or it is listed in ``NEEDS_NO_REDIS`` with the reason,
and then it must keep working while Redis is down. The server is a real redis-server, killed while the app
runs; the app has a trained recommender and analysed audio, so each request gets past everything that is
not Redis (path parameters and minimal valid bodies are built per route, so none stops at a 422).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.data.catalog import load_catalog
from services.settings import Settings
from services.store import Store
from tests.conftest import RedisServer, free_port
from tests.services.api.auth_client import authorize
from tests.services.api.route_table import BODIES, CALM, ROUTES, concrete

NEEDS_NO_REDIS = {
    ("GET", "/openapi.json"): "the schema is built from the code",
    ("GET", "/docs"): "a static page",
    ("GET", "/docs/oauth2-redirect"): "a static page",
    ("GET", "/redoc"): "a static page",
    ("GET", "/v1/tracks"): "the catalogue is a file in the data directory",
    ("GET", "/v1/tracks/{track_id:path}"): "the catalogue is a file in the data directory",
    ("GET", "/v1/tracks/{track_id:path}/similar"): "neighbours come from the trained bundle alone",
    ("POST", "/v1/requests/understand"): "a request is understood against the catalogue, no session involved "
    "(its rate limit fails open while Redis is down)",
    ("GET", "/metrics"): "counters live in the process",
    ("GET", "/"): "a static page",
    ("GET", "/page/{name}"): "a static file",
}
REFUSED_BEFORE_REDIS = {
    ("POST", "/v1/page/token"): "the test client is not the page on loopback: refused before the store",
}


@pytest.fixture(scope="module")
def outage(
    trained: tuple[Settings, Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, RedisServer, Settings]]:
    """The API on a trained data directory, its own redis-server killed once the app started."""
    trained_settings, _ = trained
    server = RedisServer(directory=tmp_path_factory.mktemp("outage"), port=free_port())
    server.start()
    # A credential verified before the outage is trusted for auth_cache_s: the catalogue routes keep
    # working with it, while every route that reads or writes state answers 503.
    settings = trained_settings.model_copy(update={"redis_url": server.url, "auth_cache_s": 3600.0})
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            assert authorize(client).get("/v1/tracks").status_code == 200
            server.kill()
            yield client, server, settings
    finally:
        server.kill()


def test_the_route_table_is_walked() -> None:
    assert len(ROUTES) >= 15  # the table was read, not an empty list that passes everything
    assert set(NEEDS_NO_REDIS) <= set(ROUTES), "NEEDS_NO_REDIS lists a route that no longer exists"
    assert set(BODIES) <= set(ROUTES), "BODIES has a request body for a route that no longer exists"


@pytest.mark.parametrize(
    ("method", "path"), [r for r in ROUTES if r not in NEEDS_NO_REDIS and r not in REFUSED_BEFORE_REDIS]
)
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


@pytest.mark.parametrize(("method", "path"), sorted(REFUSED_BEFORE_REDIS))
def test_a_route_that_refuses_before_the_store_still_refuses(
    outage: tuple[TestClient, RedisServer, Settings], method: str, path: str
) -> None:
    client, _, _ = outage
    response = client.request(method, concrete(path), **BODIES.get((method, path), {}))
    assert response.status_code == 403, f"{REFUSED_BEFORE_REDIS[method, path]}, yet: {response.text}"


def test_the_api_recovers_when_redis_is_back(tmp_path: Path) -> None:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    try:
        settings = Settings(data_dir=tmp_path / "data", REDIS_URL=server.url)
        with TestClient(create_app(settings)) as client:
            authorize(client)
            server.kill()
            assert client.get("/v1/users/ann/history").status_code == 503
            server.start()
            assert client.get("/v1/users/ann/history").json()["count"] == 0
    finally:
        server.kill()


def test_a_stalled_redis_is_a_503_not_a_hang_and_the_api_recovers(tmp_path: Path) -> None:
    """SIGSTOP keeps the socket open but nothing answers: only a socket timeout ends the wait. The
    request runs in a thread so that a hang fails the test instead of stalling the run."""
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    assert server.process is not None
    try:
        settings = Settings(data_dir=tmp_path / "data", REDIS_URL=server.url, auth_cache_s=3600.0)
        with TestClient(create_app(settings)) as client:
            authorize(client)
            assert client.get("/v1/users/ann/history").status_code == 200
            server.process.send_signal(signal.SIGSTOP)
            answers: list[tuple[float, Any]] = []

            def ask() -> None:
                started = time.perf_counter()
                response = client.get("/v1/users/ann/history")
                answers.append((time.perf_counter() - started, response))

            worker = threading.Thread(target=ask, daemon=True)
            worker.start()
            worker.join(timeout=30)
            assert answers, "the request hung on a stalled Redis"
            elapsed, response = answers[0]
            print(f"stalled Redis answered {response.status_code} in {elapsed:.2f} s")
            assert response.status_code == 503 and response.json()["error"]["code"] == "store_unavailable"
            message = response.json()["error"]["message"]
            assert "/" not in message and str(server.port) not in message and "127.0.0.1" not in message
            server.process.send_signal(signal.SIGCONT)
            assert client.get("/v1/users/ann/history").status_code == 200
    finally:
        if server.process is not None:
            server.process.send_signal(signal.SIGCONT)
        server.kill()


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/v1/tracks"), ("DELETE", "/v1/tracks/{track_id:path}")]
)
def test_a_catalogue_change_refused_while_redis_is_down_changes_nothing(
    outage: tuple[TestClient, RedisServer, Settings], method: str, path: str
) -> None:
    """The catalogue file is written back when the store cannot take the change: a 503 loses nothing."""
    client, _, settings = outage
    before = load_catalog(settings.catalog_path)
    assert CALM in before["track_id"].to_list()
    response = client.request(method, concrete(path), **BODIES.get((method, path), {}))
    assert response.status_code == 503, response.text
    assert load_catalog(settings.catalog_path).equals(before)


@pytest.mark.parametrize("route", ["cached recommendations", "events"])
def test_a_stalled_redis_on_an_event_loop_route_is_a_503_and_the_loop_keeps_serving(
    trained: tuple[Settings, Store], tmp_path: Path, route: str
) -> None:
    """A cached recommendation and an event write wait on Redis in the event loop itself (asyncio
    client): a stalled Redis must end in a 503 by the socket timeout there too, and while one waits the
    loop goes on answering requests that need no Redis (a blocking call would hold them all behind it)."""
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    assert server.process is not None
    update = {"redis_url": server.url, "auth_cache_s": 3600.0, "redis_timeout_s": 3.0}
    settings = trained[0].model_copy(update=update)
    url = "/v1/users/demo-user-01/recommendations"
    try:
        with TestClient(create_app(settings)) as client:
            authorize(client)
            assert client.get(url).json()["cached"] is False
            assert client.get(url).json()["cached"] is True  # cached: the next one is read on the loop
            assert client.get("/v1/tracks").status_code == 200
            server.process.send_signal(signal.SIGSTOP)
            answers: list[Any] = []

            def ask() -> None:
                if route == "events":
                    batch = {"events": [{"user_id": "demo-user-01", "track_id": CALM, "event_id": "stall-1"}]}
                    answers.append(client.post("/v1/events", json=batch))
                else:
                    answers.append(client.get(url))

            worker = threading.Thread(target=ask, daemon=True)
            worker.start()
            time.sleep(0.5)  # the request reaches the stalled Redis (no figure is asserted on time)
            assert client.get("/v1/tracks").status_code == 200
            assert not answers, "the stalled request should still be waiting on Redis"
            worker.join(timeout=30)
            assert answers, "the request hung on a stalled Redis"
            assert answers[0].status_code == 503, answers[0].text
            assert answers[0].json()["error"]["code"] == "store_unavailable"
            server.process.send_signal(signal.SIGCONT)
            assert client.get(url).status_code == 200
    finally:
        if server.process is not None:
            server.process.send_signal(signal.SIGCONT)
        server.kill()
