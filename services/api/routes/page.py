"""The listening page: ``/`` serves a plain HTML/CSS/JS page that talks to the API like any client.

The page has no build step: the files under ``services/api/page/`` are served as they are, from a fixed
list (no path from the URL ever reaches the file system). ``GET /sessions/{id}/features`` gives the page
what the session JSON lacks for its queue and its picture of the set: each track's tempo, key and energy,
and its energy over time, from the audio analyses the planner used.

The page holds no app key. On a server started by ``selecta serve`` on a loopback address
(``page_tokens``), the page asks ``POST /v1/page/token`` for a listener token for the profile it picks.
That route answers only a loopback client that names a loopback Host (a DNS-rebinding page names its own
host) and sends ``X-Selecta-Page`` (a custom header: another origin's script must ask a CORS preflight
first, which this server never grants), so no other web origin can obtain a token, let alone a key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from services.api.auth import ForbiddenError, SessionCaller
from services.api.deps import StateDep
from services.api.routes.sessions import EnginesDep
from services.api.schemas import PageTokenCreate, TokenIssued
from services.data.errors import NotFoundError
from services.sessions import lifecycle as sessions
from services.store import credentials

router = APIRouter()
v1_router = APIRouter()

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
PAGE_HEADER = "X-Selecta-Page"

PAGE_DIR = Path(__file__).resolve().parents[1] / "page"
PAGE_FILES = {"page.css": "text/css", "page.js": "text/javascript"}
"""The page's static files and their media types; nothing else under ``PAGE_DIR`` is served."""

CURVE_POINTS = 24
"""Energy samples per track in ``/features``: enough for the picture's line, small enough to send often."""


class TrackFeatures(BaseModel):
    track_id: str
    title: str | None = None
    artist: str | None = None
    duration_s: float | None = None
    bpm: float | None = None
    key: str | None = Field(default=None, description="Key name, e.g. 'A minor'.")
    camelot: str | None = Field(default=None, description="Camelot code, e.g. '8A'.")
    energy: float | None = Field(default=None, description="0 (calm) .. 1 (intense).")
    energy_curve: list[float] = Field(
        default=[], description=f"Energy over the track, {CURVE_POINTS} evenly spaced samples (0..1)."
    )


class SetFeatures(BaseModel):
    session_id: str
    position: int = Field(description="Index in ``tracks`` of the playing track.")
    tracks: list[TrackFeatures] = Field(description="The whole set in order: played, playing, upcoming.")


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The listening page."""
    return FileResponse(
        PAGE_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
    )


@router.get("/page/{name}", include_in_schema=False)
def page_file(name: str) -> FileResponse:
    """One of the page's static files (``page.css``, ``page.js``)."""
    media_type = PAGE_FILES.get(name)
    if media_type is None:
        raise NotFoundError(f"the page has no file {name!r}")
    return FileResponse(PAGE_DIR / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


@v1_router.post("/page/token", response_model=TokenIssued, status_code=201, include_in_schema=False)
def page_token(body: PageTokenCreate, request: Request, state: StateDep) -> TokenIssued:
    """A listener token for the page's profile, for the page on loopback only (see the module's doc)."""
    if not state.settings.page_tokens:
        raise ForbiddenError("this server issues no page tokens: use a key (`selecta keys create`)")
    if not _is_local_page(request):
        raise ForbiddenError("page tokens are only for the listening page on this machine")
    issued = credentials.issue(
        state.store,
        "listener",
        name="page",
        user_id=body.user_id,
        ttl_s=state.settings.listener_token_ttl_s,
    )
    return TokenIssued(
        token=issued.secret,
        key_id=issued.credential.key_id,
        user_id=body.user_id,
        expires_at=issued.credential.expires_at or 0.0,
    )


def _is_local_page(request: Request) -> bool:
    """A loopback client, a loopback Host, the page's header and no foreign Origin."""
    client = request.client.host if request.client else ""
    host = (request.url.hostname or "").strip("[]")
    origin = request.headers.get("origin")
    same_origin = origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
    return (
        client in LOOPBACK_HOSTS
        and host in LOOPBACK_HOSTS
        and request.headers.get(PAGE_HEADER) == "1"
        and same_origin
    )


@v1_router.get("/sessions/{session_id}/features", response_model=SetFeatures, tags=["sessions"])
def set_features(caller: SessionCaller, session_id: str, engines: EnginesDep, state: StateDep) -> SetFeatures:
    """Tempo, key and energy of every track in the set, in set order, for drawing the set over time."""
    session = sessions.load_session(state.store, session_id).session
    analyses = engines.analyses()
    view = engines.catalog()
    tracks = []
    for track_id in session.track_ids:
        title, artist = view.title(track_id)
        analysis = analyses.get(track_id)
        if analysis is None:
            tracks.append(TrackFeatures(track_id=track_id, title=title, artist=artist))
            continue
        tracks.append(
            TrackFeatures(
                track_id=track_id,
                title=title,
                artist=artist,
                duration_s=round(float(analysis.duration_s), 2),
                bpm=round(float(analysis.bpm), 1),
                key=analysis.key,
                camelot=analysis.camelot,
                energy=round(float(analysis.energy), 3),
                energy_curve=_resample(analysis.energy_times, analysis.energy_curve, analysis.duration_s),
            )
        )
    return SetFeatures(session_id=session.session_id, position=session.position, tracks=tracks)


def _resample(times: np.ndarray, curve: np.ndarray, duration_s: float) -> list[float]:
    """The energy curve at ``CURVE_POINTS`` evenly spaced times over the track (empty when unknown)."""
    if len(times) == 0 or len(curve) != len(times):
        return []
    at = np.linspace(0.0, float(duration_s), CURVE_POINTS)
    return [round(float(v), 3) for v in np.clip(np.interp(at, times, curve), 0.0, 1.0)]
