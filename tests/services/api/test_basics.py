"""The API's catalogue, events, history, jobs and error shape against a real Redis."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.settings import Settings
from tests.conftest import RedisServer, free_port

CALM = "demo:calm/calm_acoustic_1"


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["code"] == code and body["error"]["message"]


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "redis": True, "tracks": 28, "events": 0}


def test_tracks_filter_page_and_read(client: TestClient) -> None:
    calm = client.get("/v1/tracks", params={"tag": "calm", "limit": 2}).json()
    assert (calm["count"], calm["total"]) == (2, 5)
    assert all("calm" in t["tags"] for t in calm["tracks"])
    track = client.get(f"/v1/tracks/{CALM}").json()
    assert track["has_audio"] is True and track["title"] == "Calm, acoustic #1"
    assert_problem(client.get("/v1/tracks/no-such-track"), 404, "not_found")
    assert_problem(client.get("/v1/tracks", params={"limit": 0}), 422, "invalid_request")


def test_events_then_history(client: TestClient) -> None:
    body = {
        "events": [
            {"user_id": "ann", "track_id": CALM, "reason": "liked", "ms_played": 30000},
            {"user_id": "ann", "track_id": "demo:happy/happy_acoustic_1"},
        ]
    }
    assert client.post("/v1/events", json=body).json() == {"written": 2, "duplicates": 0}
    history = client.get("/v1/users/ann/history").json()
    assert history["count"] == 2 and history["synthetic"] is False
    assert [e["track_id"] for e in history["events"]] == ["demo:happy/happy_acoustic_1", CALM]
    assert client.get("/v1/users/demo-user-01/history").json()["synthetic"] is True


def test_event_fields_are_read_as_an_import_reads_them(client: TestClient) -> None:
    """The route hands its checked rows straight to the store, so its model normalises them as
    ``validate_events`` does: ids stripped, a naive time read as UTC, an offset converted to UTC."""
    body = {
        "events": [
            {"user_id": " ann ", "track_id": f" {CALM} ", "ts": "2026-01-02T03:04:05"},
            {"user_id": "ann", "track_id": CALM, "ts": "2026-01-02T05:04:06+02:00"},
        ]
    }
    assert client.post("/v1/events", json=body).json() == {"written": 2, "duplicates": 0}
    events = client.get("/v1/users/ann/history").json()["events"]
    assert [e["track_id"] for e in events] == [CALM, CALM]  # under the stripped user id
    assert [datetime.fromisoformat(e["ts"]) for e in events] == [
        datetime(2026, 1, 2, 3, 4, 6, tzinfo=timezone.utc),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    ]
    blank = {"events": [{"user_id": "  ", "track_id": CALM}]}
    assert_problem(client.post("/v1/events", json=blank), 422, "invalid_request")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"events": [{"user_id": "ann", "track_id": "missing"}]}, 404, "not_found"),
        ({"events": []}, 422, "invalid_request"),
        ({"events": [{"user_id": "ann", "track_id": CALM, "reason": "zapped"}]}, 422, "invalid_request"),
        ({"events": [{"user_id": "ann", "track_id": CALM, "ms_played": -5}]}, 422, "invalid_request"),
    ],
)
def test_bad_events_are_rejected_whole(client: TestClient, body: dict, status: int, code: str) -> None:
    assert_problem(client.post("/v1/events", json=body), status, code)
    assert client.get("/health").json()["events"] == 0


def test_malformed_json_and_unknown_route(client: TestClient) -> None:
    assert_problem(
        client.post("/v1/events", content=b"{not json", headers={"content-type": "application/json"}),
        422,
        "invalid_request",
    )
    assert_problem(client.get("/no/such/route"), 404, "not_found")


def test_jobs_queue_and_status(client: TestClient) -> None:
    job = client.post("/v1/jobs", json={"kind": "playlists", "n": 5}).json()
    assert job["state"] == "queued"
    assert client.get(f"/v1/jobs/{job['job_id']}").json()["job_id"] == job["job_id"]
    assert_problem(client.get("/v1/jobs/unknown"), 404, "not_found")


def test_redis_going_away_is_a_503_not_a_500(tmp_path: Path) -> None:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    settings = Settings(data_dir=tmp_path / "data", REDIS_URL=server.url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        server.kill()
        assert_problem(client.get("/health"), 503, "store_unavailable")
