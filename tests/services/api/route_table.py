"""The app's route table as tests walk it, with a value for each path parameter and a minimal valid body
for each route that takes one, so a request built from the table gets past validation to what a test
checks (the store, the credential). A new route with a new parameter fails until it is given a value."""

from __future__ import annotations

import io
import re
from typing import Any

import fastapi.routing
import numpy as np
import soundfile as sf

from services.api.app import create_app

CALM = "demo:calm/calm_acoustic_1"

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
    ("POST", "/v1/events"): {"json": {"events": [{"user_id": "ann", "track_id": CALM}]}},
    ("POST", "/v1/jobs"): {"json": {"kind": "playlists", "n": 5}},
    ("POST", "/v1/sessions"): {"json": {"user_id": "demo-user-01", "n_tracks": 4}},
    ("PATCH", "/v1/sessions/{session_id}"): {"json": {"length": "radio"}},
    ("POST", "/v1/sessions/{session_id}/requests"): {"json": {"text": "play something calmer"}},
    ("POST", "/v1/sessions/{session_id}/requests/audio"): {
        "content": _wav(),
        "headers": {"content-type": "audio/wav"},
    },
    ("POST", "/v1/requests/understand"): {"json": {"text": "play something calmer"}},
    ("POST", "/v1/tokens"): {"json": {"user_id": "demo-user-01"}},
    ("PUT", "/v1/tracks"): {"json": {"tracks": [{"track_id": "route:table", "title": "Route Table"}]}},
    ("POST", "/v1/page/token"): {"json": {"user_id": "demo-user-01"}},
    ("POST", "/v1/profiles"): {"json": {"user_id": "demo-user-01", "tags": ["calm"]}},
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
