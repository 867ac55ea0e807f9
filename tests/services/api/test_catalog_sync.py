"""Catalogue sync over the API (app keys only): upserts validated all or nothing, audio only from under the
media root, new audio analysed by the worker's queued job, retired tracks gone from recommendations and
the DJ's pool at once, all without restarting the app. The real app, a real Redis, a trained recommender
and a real recording (Debian's hyperrogue-music) placed under a temporary media root.

Who may call the routes (401 without a key, 403 for a listener token) is checked with every other route
by ``test_auth.py``, from the route table.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.engines import Engines
from services.jobs.worker import Worker
from services.settings import Settings
from services.store import Store
from tests.services.api.apps import app_for
from tests.services.api.auth_client import authorize
from tests.services.api.route_table import CALM

RECORDING = Path("/usr/share/hyperrogue/music/hr-savino-ocean.ogg")
USER = "demo-user-01"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not RECORDING.is_file():
        pytest.skip("needs Debian's hyperrogue-music (apt-get install hyperrogue-music)")
    root = tmp_path_factory.mktemp("media")
    (root / "label").mkdir()
    shutil.copy(RECORDING, root / "label" / "ocean.ogg")
    (root / "label" / "notes.txt").write_text("not audio")
    (root / "label" / "escape.ogg").symlink_to(RECORDING)  # inside the root, leading out of it
    return root


@pytest.fixture(scope="module")
def synced(
    trained: tuple[Settings, Store], engines: Engines, media_root: Path
) -> Iterator[tuple[TestClient, Settings, Store]]:
    settings, store = trained
    settings = settings.model_copy(update={"media_root": media_root})
    with TestClient(app_for(settings, engines)) as client:
        yield authorize(client), settings, store


def track(track_id: str, **extra: Any) -> dict[str, Any]:
    return {"track_id": track_id, "title": f"Title of {track_id}", "artist": "Sync Artist", **extra}


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ({"audio": "../outside.ogg"}, "column 'audio'"),
        ({"audio": str(RECORDING)}, "column 'audio'"),  # absolute
        ({"audio": "label/escape.ogg"}, "outside the media root"),  # a symlink out of the root
        ({"audio": "label/missing.ogg"}, "no file"),
        ({"audio": "label/notes.txt"}, "audio file"),
        ({"title": ""}, "title"),
        ({"year": "nineteen"}, "year"),
    ],
)
def test_one_bad_row_writes_nothing(
    synced: tuple[TestClient, Settings, Store], media_root: Path, bad: dict[str, Any], where: str
) -> None:
    client, _, store = synced
    version = store.catalog_version()
    body = {"tracks": [track("sync:ok-1"), track("sync:ok-2"), track("sync:bad", **bad)]}
    response = client.put("/v1/tracks", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] in ("invalid_data", "invalid_request") and where in error["message"]
    assert str(media_root) not in response.text and "/usr/share" not in response.text
    assert client.get("/v1/tracks/sync:ok-1").status_code == 404
    assert store.catalog_version() == version


def test_metadata_shows_at_once_and_an_upsert_updates(synced: tuple[TestClient, Settings, Store]) -> None:
    client, _, store = synced
    version = store.catalog_version()
    first = client.put("/v1/tracks", json={"tracks": [track("sync:meta", tags=["Sync-Meta", "Calm"])]})
    assert first.status_code == 200, first.text
    assert first.json()["added"] == 1 and first.json()["analysis_job"] is None
    assert first.json()["catalog_version"] == store.catalog_version() > version
    shown = client.get("/v1/tracks/sync:meta").json()
    assert shown["tags"] == ["sync-meta", "calm"] and shown["has_audio"] is False
    second = client.put("/v1/tracks", json={"tracks": [track("sync:meta", title="Renamed")]})
    assert second.json()["added"] == 0 and second.json()["updated"] == 1
    assert second.json()["total"] == first.json()["total"]
    assert client.get("/v1/tracks/sync:meta").json()["title"] == "Renamed"


def recommended(client: TestClient, tag: str, *, user: str = USER) -> list[str]:
    response = client.get(f"/v1/users/{user}/recommendations", params={"tag": tag, "n": 50})
    assert response.status_code == 200, response.text
    return [r["track_id"] for r in response.json()["recommendations"]]


@pytest.mark.slow
def test_new_audio_is_analysed_by_the_worker_and_reaches_recommendations_and_sessions(
    synced: tuple[TestClient, Settings, Store], engines: Engines
) -> None:
    client, settings, store = synced
    new = track("sync:ocean", audio="label/ocean.ogg", tags=["sync-ocean"])
    answer = client.put("/v1/tracks", json={"tracks": [new]}).json()
    job_id = answer["analysis_job"]
    assert job_id and client.get(f"/v1/jobs/{job_id}").json()["state"] == "queued"
    assert recommended(client, "sync-ocean") == []  # the bundle has not met it yet

    worker = Worker(settings, store, name="sync-worker", retrain_after=10**9)
    assert worker.run_once(timeout_s=0.1)
    job = client.get(f"/v1/jobs/{job_id}").json()
    assert job["state"] == "done", job
    assert job["result"]["analysed"] == ["sync:ocean"]

    assert client.get("/v1/tracks/sync:ocean").json()["has_audio"] is True
    assert recommended(client, "sync-ocean") == ["sync:ocean"]  # the new bundle, loaded by itself
    analysis = engines.analyses()["sync:ocean"]  # the DJ's pool for sessions
    assert 40 < analysis.bpm < 240 and analysis.duration_s > 30

    same = client.put("/v1/tracks", json={"tracks": [{**new, "title": "Ocean"}]}).json()
    assert same["analysis_job"] is None  # same audio: nothing to analyse again


def test_a_retired_track_leaves_recommendations_and_the_pool_at_once_and_can_return(
    synced: tuple[TestClient, Settings, Store], engines: Engines
) -> None:
    client, _, store = synced
    row = client.get(f"/v1/tracks/{CALM}").json()
    assert CALM in recommended(client, "calm", user="sync-newcomer") and CALM in engines.analyses()
    version = store.catalog_version()
    gone = client.delete(f"/v1/tracks/{CALM}")
    assert gone.status_code == 200 and gone.json()["catalog_version"] == version + 1
    assert client.get(f"/v1/tracks/{CALM}").status_code == 404
    assert CALM not in recommended(client, "calm", user="sync-newcomer")  # the bundle still knows it
    assert CALM not in engines.analyses()  # nor may a DJ session plan with it
    again = client.delete(f"/v1/tracks/{CALM}")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"

    fields = ("track_id", "title", "artist", "album", "duration_s", "tags", "year")
    back = client.put("/v1/tracks", json={"tracks": [{k: row[k] for k in fields}]})
    assert back.status_code == 200 and back.json()["added"] == 1
    assert CALM in recommended(client, "calm", user="sync-newcomer")
