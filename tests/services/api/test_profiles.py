"""Listener profiles over HTTP with a really trained model: a seeded profile steers a new listener's first
ranking; an unknown seed writes nothing; a listener token creates only its own profile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.settings import Settings
from services.store import Store
from tests.services.api.auth_client import authorize, listener


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, Store]) -> Iterator[TestClient]:
    with TestClient(create_app(trained[0])) as test_client:
        yield authorize(test_client)


def ranking(client: TestClient, user: str) -> list[str]:
    body = client.get(f"/v1/users/{user}/recommendations", params={"n": 100}).json()
    return [r["track_id"] for r in body["recommendations"]]


def mean_rank(ranked: list[str], tracks: set[str]) -> float:
    return sum(ranked.index(t) for t in tracks) / len(tracks)


def test_a_profile_seeded_with_a_tag_leans_the_first_ranking_towards_it(
    client: TestClient, trained: tuple[Settings, Store]
) -> None:
    """The seeds themselves are liked, so no longer offered; the other calm tracks climb the ranking."""
    unseeded = ranking(client, "cold-listener")
    made = client.post("/v1/profiles", json={"user_id": "calm-listener", "tags": ["Calm"]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["tags"] == ["calm"] and len(body["seeded"]) == 3
    history = trained[1].recent_history("calm-listener", 10)
    assert sorted(history["track_id"]) == sorted(body["seeded"])
    assert set(history["reason"]) == {"liked"}
    calm = {
        t["track_id"] for t in client.get("/v1/tracks", params={"tag": "calm", "limit": 500}).json()["tracks"]
    }
    others = calm - set(body["seeded"])
    assert others and set(body["seeded"]) <= calm
    seeded = ranking(client, "calm-listener")
    assert not set(body["seeded"]) & set(seeded)
    assert mean_rank(seeded, others) < mean_rank(unseeded, others), (seeded, unseeded)
    again = client.post("/v1/profiles", json={"user_id": "calm-listener", "tags": ["calm"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "profile_exists"


def test_an_artist_seed_matches_by_name_in_any_case(client: TestClient) -> None:
    artist = client.get("/v1/tracks", params={"limit": 1}).json()["tracks"][0]["artist"]
    made = client.post("/v1/profiles", json={"user_id": "artist-fan", "artists": [artist.upper()]})
    assert made.status_code == 201, made.text
    assert made.json()["artists"] == [artist] and len(made.json()["seeded"]) == 3


def test_an_unknown_seed_is_a_422_and_writes_nothing(
    client: TestClient, trained: tuple[Settings, Store]
) -> None:
    response = client.post("/v1/profiles", json={"user_id": "picky", "tags": ["calm", "zydeco-metal"]})
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_seed"
    assert "zydeco-metal" in response.json()["error"]["message"]
    assert trained[1].recent_history("picky", 10).is_empty()
    bad_name = client.post("/v1/profiles", json={"user_id": "a/b"})
    assert bad_name.status_code == 422 and bad_name.json()["error"]["code"] == "invalid_request"


def test_a_listener_token_creates_only_its_own_profile(client: TestClient) -> None:
    own = listener(client, "self-starter")
    assert client.post("/v1/profiles", json={"user_id": "self-starter"}, headers=own).status_code == 201
    other = client.post("/v1/profiles", json={"user_id": "somebody-else"}, headers=own)
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
