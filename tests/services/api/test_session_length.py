"""The listener's track length (full, radio or dj) through the real API: chosen when a session starts,
kept in the stored session through re-plans, changed later with ``PATCH /v1/sessions/{id}``, shown in the
session JSON and the OpenAPI document, and used by the live ``/mix`` stream.

The stream is read from a real uvicorn server; its ``X-Selecta-Duration-S`` header is compared with the
mix the pipeline lays out for the same tracks in each mode, so the test sees which mode the stream used.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from dj.mix.pipeline import lay_out
from dj.mix.render import RenderOptions
from services.engines import Engines
from services.sessions.records import load_session
from services.settings import Settings
from services.store import Store, credentials
from tests.services.api.apps import app_for
from tests.services.api.auth_client import authorize
from tests.services.api.serving import serving


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, Store], engines: Engines) -> Iterator[TestClient]:
    with TestClient(app_for(trained[0], engines)) as test_client:
        yield authorize(test_client)


def start(client: TestClient, **extra: object) -> dict:
    response = client.post("/v1/sessions", json={"user_id": "demo-user-01", "n_tracks": 4, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_session_keeps_its_length_through_a_replan_and_changes_it_on_request(
    client: TestClient, trained: tuple[Settings, Store]
) -> None:
    assert start(client)["length"] == "dj"  # the default, as before the choice existed
    session = start(client, length="radio")
    sid = session["session_id"]
    assert session["length"] == "radio" and client.get(f"/v1/sessions/{sid}").json()["length"] == "radio"
    replanned = client.post(f"/v1/sessions/{sid}/requests", json={"text": "play something calmer"})
    assert replanned.status_code == 200 and replanned.json()["replanned"]
    assert replanned.json()["session"]["length"] == "radio"
    assert load_session(trained[1], sid).length == "radio"
    changed = client.patch(f"/v1/sessions/{sid}", json={"length": "full"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["length"] == "full" and load_session(trained[1], sid).length == "full"
    # The change touched nothing else of the set.
    before, after = replanned.json()["session"], changed.json()
    assert (after["position"], after["upcoming"], after["requests"]) == (
        before["position"],
        before["upcoming"],
        before["requests"],
    )


@pytest.mark.parametrize("bad", ["extended", "", 3, None])
def test_an_unknown_length_is_a_422_naming_the_field(client: TestClient, bad: object) -> None:
    created = client.post("/v1/sessions", json={"user_id": "demo-user-01", "length": bad})
    sid = start(client)["session_id"]
    changed = client.patch(f"/v1/sessions/{sid}", json={"length": bad})
    for response in (created, changed):
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
        assert "length" in response.json()["error"]["message"]
    assert client.get(f"/v1/sessions/{sid}").json()["length"] == "dj"


def test_changing_an_unknown_session_is_a_404(client: TestClient) -> None:
    response = client.patch("/v1/sessions/no-such-session", json={"length": "full"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_openapi_document_offers_the_three_lengths(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for name in ("SessionCreate", "SessionChange", "SessionPublic"):
        assert schemas[name]["properties"]["length"]["enum"] == ["full", "radio", "dj"], name
    assert "patch" in doc["paths"]["/v1/sessions/{session_id}"]


@pytest.fixture(scope="module")
def server(trained: tuple[Settings, Store], engines: Engines) -> Iterator[str]:
    with serving(app_for(trained[0], engines)) as url:
        yield url


def test_the_live_stream_plays_the_sessions_length(
    server: str, trained: tuple[Settings, Store], engines: Engines
) -> None:
    """The stream's duration is the mix laid out in the session's mode, before and after a change."""
    key = {"Authorization": f"Bearer {credentials.issue(trained[1], 'app', name='tests').secret}"}
    with httpx.Client(base_url=server, timeout=120, headers=key) as http:
        session = http.post("/v1/sessions", json={"user_id": "demo-user-02", "n_tracks": 4}).json()
        sid = session["session_id"]
        ids = [session["playing"]["track_id"], *(t["track_id"] for t in session["upcoming"])]
        expected = {
            mode: lay_out(ids, engines.analyses(), options=RenderOptions(), length=mode).duration_s
            for mode in ("dj", "full")
        }
        assert expected["full"] > expected["dj"] + 1.0  # the demo clips leave earlier in DJ length
        for mode in ("dj", "full"):
            if mode != "dj":
                assert http.patch(f"/v1/sessions/{sid}", json={"length": mode}).json()["length"] == mode
            with http.stream("GET", f"/v1/sessions/{sid}/mix", params={"voice": "false"}) as response:
                assert response.status_code == 200
                duration = float(response.headers["x-selecta-duration-s"])
            assert duration == pytest.approx(expected[mode], abs=0.01), mode
