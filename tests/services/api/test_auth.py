"""Auth, secure by default, checked from the app's own route table: a new route cannot skip it.

Every route that is not open answers 401 without a credential; a listener token reaching for another
listener's history, recommendations, session, answer or mix, or for an app-only route, gets 403; the
listener's own resources answer. Against the real app on a real Redis with a trained recommender.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.auth import OPEN_ROUTES, Access, route_table
from services.engines import Engines
from services.settings import Settings
from services.store import Store, credentials
from tests.services.api.auth_client import app_store, authorize, listener
from tests.services.api.route_table import BODIES, CALM, PATH_VALUES, ROUTES, concrete
from tests.services.api.test_session_routes import app_for

OWNER = PATH_VALUES["user_id"]  # the listener whose resources the table's paths and bodies name
INTRUDER = "someone-else"
ACCESS = {(m, e.path): e.access for e in route_table(create_app()) for m in e.methods if m != "HEAD"}
PROTECTED = [r for r in ROUTES if r[1] not in OPEN_ROUTES]
OWNED = [r for r in PROTECTED if ACCESS[r] in (Access.USER, Access.SESSION, Access.BODY)]
APP_ONLY = [r for r in PROTECTED if ACCESS[r] is Access.APP]


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, Store], engines: Engines) -> Iterator[TestClient]:
    """An app with no credential by default, and a session of OWNER's at ``PATH_VALUES['session_id']``."""
    settings = trained[0].model_copy(update={"auth_cache_s": 0.0})
    with TestClient(app_for(settings, engines)) as test_client:
        key = {"Authorization": authorize(test_client).headers["authorization"]}
        test_client.headers.pop("Authorization")
        session = test_client.post("/v1/sessions", json={"user_id": OWNER, "n_tracks": 3}, headers=key).json()
        original = PATH_VALUES["session_id"]
        PATH_VALUES["session_id"] = session["session_id"]
        try:
            yield test_client
        finally:
            PATH_VALUES["session_id"] = original


def test_every_route_is_open_on_purpose_or_declares_its_access() -> None:
    assert len(PROTECTED) >= 18 and OWNED and APP_ONLY  # the table was read
    assert all(ACCESS[r] is not None for r in PROTECTED)
    open_paths = {path for _, path in ROUTES if path in OPEN_ROUTES}
    assert open_paths <= {
        "/health",
        "/ready",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
    } | {
        "/",
        "/page/{name}",
        "/v1/page/token",
    }
    assert all(path.startswith("/v1/") for _, path in PROTECTED if path != "/metrics")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_credential_is_a_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, concrete(path), **BODIES.get((method, path), {}))
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), OWNED)
def test_a_listener_cannot_reach_another_listeners_resources(
    client: TestClient, method: str, path: str
) -> None:
    body = BODIES.get((method, path), {})
    headers = {**body.get("headers", {}), **listener(client, INTRUDER)}
    response = client.request(method, concrete(path), **{**body, "headers": headers})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), APP_ONLY)
def test_a_listener_cannot_use_app_only_routes(client: TestClient, method: str, path: str) -> None:
    body = BODIES.get((method, path), {})
    headers = {**body.get("headers", {}), **listener(client, OWNER)}
    response = client.request(method, concrete(path), **{**body, "headers": headers})
    assert response.status_code == 403, response.text


def test_a_listener_reaches_its_own_resources(client: TestClient) -> None:
    mine = listener(client, OWNER)
    sid = PATH_VALUES["session_id"]
    assert client.get(f"/v1/users/{OWNER}/history", headers=mine).status_code == 200
    assert client.get(f"/v1/users/{OWNER}/recommendations", headers=mine).status_code == 200
    assert client.get(f"/v1/sessions/{sid}", headers=mine).json()["user_id"] == OWNER
    assert client.get("/v1/tracks", headers=mine).status_code == 200
    event = {"events": [{"user_id": OWNER, "track_id": CALM}]}
    assert client.post("/v1/events", json=event, headers=mine).status_code == 201
    mixed = {"events": [{"user_id": OWNER, "track_id": CALM}, {"user_id": INTRUDER, "track_id": CALM}]}
    assert client.post("/v1/events", json=mixed, headers=mine).status_code == 403  # nothing written


def test_the_token_rides_in_the_query_only_on_audio_routes(client: TestClient) -> None:
    token = listener(client, OWNER)["Authorization"].removeprefix("Bearer ")
    sid = PATH_VALUES["session_id"]
    answer = client.get(f"/v1/sessions/{sid}/answer.wav", params={"access_token": token})
    assert answer.status_code == 404  # past auth: no answer yet
    assert client.get(f"/v1/sessions/{sid}", params={"access_token": token}).status_code == 401


def test_an_app_key_issues_listener_tokens(client: TestClient) -> None:
    key = {"Authorization": f"Bearer {credentials.issue(app_store(client), 'app').secret}"}
    issued = client.post("/v1/tokens", json={"user_id": OWNER, "ttl_s": 600}, headers=key).json()
    assert issued["user_id"] == OWNER and 590 < issued["expires_at"] - time.time() <= 600
    token = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get(f"/v1/users/{OWNER}/history", headers=token).status_code == 200
    assert client.get(f"/v1/users/{INTRUDER}/history", headers=token).status_code == 403


def test_revoked_expired_and_forged_credentials_are_401(client: TestClient) -> None:
    store = app_store(client)
    issued = credentials.issue(store, "app", name="to revoke")
    key = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/v1/tracks", headers=key).status_code == 200
    credentials.revoke(store, issued.credential.key_id)
    assert client.get("/v1/tracks", headers=key).status_code == 401
    short = credentials.issue(store, "listener", user_id=OWNER, ttl_s=0.5)
    time.sleep(0.6)
    assert client.get("/v1/tracks", headers={"Authorization": f"Bearer {short.secret}"}).status_code == 401
    good = credentials.issue(store, "app").secret
    for forged in (good[:-1] + ("A" if good[-1] != "A" else "B"), good.replace("sel_app_", "sel_lst_"), "x"):
        assert client.get("/v1/tracks", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert issued.credential.key_id in {c.key_id for c in credentials.listing(store) if c.revoked}
    assert all(issued.secret not in str(record) for record in store.credential_records().values())


def test_page_tokens_only_for_the_page_on_loopback(trained: tuple[Settings, Store]) -> None:
    on = trained[0].model_copy(update={"page_tokens": True})
    body = {"json": {"user_id": OWNER}}
    page = {"X-Selecta-Page": "1"}
    with TestClient(create_app(on), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 5000)) as local:
        issued = local.post("/v1/page/token", headers=page, **body)
        assert issued.status_code == 201, issued.text
        token = {"Authorization": f"Bearer {issued.json()['token']}"}
        assert local.get(f"/v1/users/{OWNER}/history", headers=token).status_code == 200
        assert local.post("/v1/jobs", json={"kind": "playlists"}, headers=token).status_code == 403
        assert local.post("/v1/page/token", **body).status_code == 403  # no page header
        foreign = {**page, "Origin": "http://evil.example"}
        assert local.post("/v1/page/token", headers=foreign, **body).status_code == 403
        rebound = {**page, "Host": "evil.example"}
        assert local.post("/v1/page/token", headers=rebound, **body).status_code == 403
    with TestClient(create_app(on), base_url="http://127.0.0.1:8000") as remote:  # client "testclient"
        assert remote.post("/v1/page/token", headers=page, **body).status_code == 403
    with TestClient(create_app(trained[0]), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 1)) as off:
        assert off.post("/v1/page/token", headers=page, **body).status_code == 403
