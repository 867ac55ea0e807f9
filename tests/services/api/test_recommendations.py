"""Recommendations over HTTP with a really trained model: fold-in of new events, constraints, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.routes.recommendations import RecommendationList, RecommendationQuery
from services.settings import Settings
from services.store import Store
from tests.services.api.auth_client import authorize
from tests.services.api.test_basics import assert_problem


@pytest.fixture
def trained_client(trained: tuple[Settings, Store]) -> Iterator[TestClient]:
    with TestClient(create_app(trained[0])) as client:
        yield authorize(client)


def test_model_not_trained_is_a_clear_503(client: TestClient) -> None:
    assert_problem(client.get("/v1/users/anyone/recommendations"), 503, "model_not_trained")


def test_known_user_gets_explained_unplayed_tracks(
    trained_client: TestClient, trained: tuple[Settings, Store]
) -> None:
    body = trained_client.get("/v1/users/demo-user-01/recommendations", params={"n": 5}).json()
    assert body["count"] == 5 and body["synthetic_user"] is True and body["cached"] is False
    played = set(trained[1].events_frame().filter(user_id="demo-user-01")["track_id"])
    assert not played & {r["track_id"] for r in body["recommendations"]}
    assert all(r["explanation"] and r["reason_code"] for r in body["recommendations"])
    scores = [r["score"] for r in body["recommendations"]]
    assert scores == sorted(scores, reverse=True)
    again = trained_client.get("/v1/users/demo-user-01/recommendations", params={"n": 5}).json()
    assert again["cached"] is True and again["recommendations"] == body["recommendations"]


def test_a_catalogue_import_retires_every_cached_ranking(
    trained_client: TestClient, trained: tuple[Settings, Store]
) -> None:
    """The cached path reads the list under the catalogue version it saw last; after an import (the
    version moves on) the same request is ranked afresh, then cached under the new version."""
    url = "/v1/users/demo-user-03/recommendations"
    assert trained_client.get(url).json()["cached"] is False
    assert trained_client.get(url).json()["cached"] is True
    trained[1].bump_catalog_version()
    assert trained_client.get(url).json()["cached"] is False
    assert trained_client.get(url).json()["cached"] is True


def test_new_listener_ranking_follows_events_without_retraining(trained_client: TestClient) -> None:
    before = trained_client.get("/v1/users/fresh/recommendations", params={"n": 5}).json()
    calm = [t["track_id"] for t in trained_client.get("/v1/tracks", params={"tag": "calm"}).json()["tracks"]]
    events = [{"user_id": "fresh", "track_id": t, "reason": "liked", "ms_played": 30000} for t in calm[:3]]
    assert trained_client.post("/v1/events", json={"events": events}).status_code == 201
    after = trained_client.get("/v1/users/fresh/recommendations", params={"n": 5}).json()
    assert after["cached"] is False
    assert [r["track_id"] for r in after["recommendations"]] != [
        r["track_id"] for r in before["recommendations"]
    ]
    assert not set(calm[:3]) & {r["track_id"] for r in after["recommendations"]}


def test_tag_constraint_and_exclusions(trained_client: TestClient) -> None:
    body = trained_client.get(
        "/v1/users/demo-user-02/recommendations",
        params={"tag": "energetic", "exclude": "demo:energetic/energetic_acoustic_1", "include_played": True},
    ).json()
    ids = [r["track_id"] for r in body["recommendations"]]
    assert ids and all(t.startswith("demo:energetic/") for t in ids)
    assert "demo:energetic/energetic_acoustic_1" not in ids


def test_similar_tracks_and_unknown_track(trained_client: TestClient) -> None:
    similar = trained_client.get("/v1/tracks/demo:calm/calm_acoustic_1/similar", params={"n": 3}).json()
    assert len(similar) == 3 and "demo:calm/calm_acoustic_1" not in {r["track_id"] for r in similar}
    assert_problem(trained_client.get("/v1/tracks/nope/similar"), 404, "unknown_item")
    assert_problem(
        trained_client.get("/v1/users/u/recommendations", params={"discovery": 2}), 422, "invalid_request"
    )


def test_bad_camelot_code_is_a_422(trained_client: TestClient) -> None:
    assert_problem(
        trained_client.get("/v1/users/u/recommendations", params={"camelot": ["8A", "13C"]}),
        422,
        "invalid_request",
    )
    assert_problem(
        trained_client.get("/v1/users/u/recommendations", params={"camelot": [""]}), 422, "invalid_request"
    )


def test_the_next_ranking_reflects_a_new_event_and_a_retry_is_stored_once(trained_client: TestClient) -> None:
    """A cached list is dropped by the event itself: the very next request, with no wait, ranks anew.
    The client's event_id makes the retried batch a no-op."""
    url = "/v1/users/demo-user-02/recommendations"
    trained_client.get(url, params={"n": 5})
    cached = trained_client.get(url, params={"n": 5}).json()
    assert cached["cached"] is True
    top = cached["recommendations"][0]["track_id"]
    before = trained_client.get("/v1/users/demo-user-02/history", params={"n": 500}).json()["count"]
    batch = {"events": [{"user_id": "demo-user-02", "track_id": top, "ms_played": 200000, "event_id": "t-1"}]}
    started = time.perf_counter()
    assert trained_client.post("/v1/events", json=batch).json() == {"written": 1, "duplicates": 0}
    after = trained_client.get(url, params={"n": 5}).json()
    print(f"event to a ranking without it: {time.perf_counter() - started:.3f} s")
    assert after["cached"] is False and top not in {r["track_id"] for r in after["recommendations"]}
    assert trained_client.post("/v1/events", json=batch).json() == {"written": 0, "duplicates": 1}
    history = trained_client.get("/v1/users/demo-user-02/history", params={"n": 500}).json()
    assert history["count"] == before + 1


def test_a_cached_answer_is_the_ranked_one_in_the_documented_shape(trained_client: TestClient) -> None:
    """The cached list is answered as Redis holds it (never decoded): it must still be exactly the
    documented body, with the same items and count as the answer that ranked it."""
    url = "/v1/users/demo-user-04/recommendations"
    ranked = trained_client.get(url, params={"n": 7}).json()
    cached = trained_client.get(url, params={"n": 7}).json()
    assert (ranked["cached"], cached["cached"]) == (False, True)
    for body in (ranked, cached):
        RecommendationList.model_validate(body)  # no field missing, none extra
        assert body["count"] == len(body["recommendations"]) == 7
    assert {**cached, "cached": False} == ranked


def test_query_parameters_are_checked_by_one_model_and_documented(trained_client: TestClient) -> None:
    url = "/v1/users/demo-user-05/recommendations"
    response = trained_client.get(url, params={"n": 0})
    assert_problem(response, 422, "invalid_request")
    assert response.json()["error"]["message"].startswith("query.n:")
    assert_problem(trained_client.get(url, params={"n": "many"}), 422, "invalid_request")
    assert_problem(
        trained_client.get(url, params={"tag": [str(i) for i in range(21)]}), 422, "invalid_request"
    )
    assert trained_client.get(url, params={"n": 3, "colour": "blue"}).json()["count"] == 3  # unknown: ignored
    tagged = trained_client.get(url, params={"tag": ["calm", "energetic"], "n": 50}).json()["recommendations"]
    assert tagged and {r["track_id"].split("/")[0] for r in tagged} <= {"demo:calm", "demo:energetic"}

    operation = trained_client.get("/openapi.json").json()["paths"]["/v1/users/{user_id}/recommendations"][
        "get"
    ]
    documented = {p["name"]: p for p in operation["parameters"]}
    assert set(documented) == {"user_id", *RecommendationQuery.model_fields}
    assert documented["tag"]["schema"]["anyOf"][0]["type"] == "array"
    assert documented["n"]["schema"]["maximum"] == 200 and documented["n"]["in"] == "query"
    assert operation["security"] == [{"bearer": []}]
