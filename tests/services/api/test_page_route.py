"""The page's routes without a browser: the files are served from a fixed list, and ``/features`` gives
each track's tempo, key and energy in set order (what the queue and the picture of the set show)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dj.speech.tts import HibariSynthesizer
from services.engines import Engines
from services.settings import Settings
from services.store import Store
from tests.services.api.apps import app_for
from tests.services.api.auth_client import authorize


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, Store], engines: Engines) -> Iterator[TestClient]:
    with TestClient(app_for(trained[0], engines)) as test_client:
        yield authorize(test_client)


def test_the_page_and_its_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "the DJ's voice is synthetic" in page.text and "AI-generated" in page.text
    assert HibariSynthesizer.MODEL_LABEL in " ".join(page.text.split())  # the model is named
    for name, kind in (("page.js", "text/javascript"), ("page.css", "text/css")):
        served = client.get(f"/page/{name}")
        assert served.status_code == 200 and served.headers["content-type"].startswith(kind)
    for name in ("index.html", "..%2Froutes%2Fpage.py", "nope.js"):
        missing = client.get(f"/page/{name}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_features_follow_the_set(client: TestClient) -> None:
    session = client.post("/v1/sessions", json={"user_id": "demo-user-08", "n_tracks": 5}).json()
    sid = session["session_id"]
    features = client.get(f"/v1/sessions/{sid}/features").json()
    ids = [t["track_id"] for t in features["tracks"]]
    assert ids == [session["playing"]["track_id"], *(t["track_id"] for t in session["upcoming"])]
    assert features["position"] == 0
    for track in features["tracks"]:
        assert track["title"] and 40 < track["bpm"] < 250 and 0 <= track["energy"] <= 1
        assert track["camelot"][:-1].isdigit() and track["camelot"][-1] in "AB" and track["key"]
        assert len(track["energy_curve"]) == 24 and all(0 <= e <= 1 for e in track["energy_curve"])
        assert track["duration_s"] > 1

    client.post(f"/v1/sessions/{sid}/advance")
    moved = client.get(f"/v1/sessions/{sid}/features").json()
    assert moved["position"] == 1 and [t["track_id"] for t in moved["tracks"]] == ids

    missing = client.get("/v1/sessions/nope/features")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
