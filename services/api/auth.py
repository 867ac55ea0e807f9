"""Who may call what: every product route declares one :class:`Access` through :func:`requires`.

A caller presents ``Authorization: Bearer <app key or listener token>``; the two media routes an
``<audio>`` element fetches by itself also take ``?access_token=``. No credential is a 401; a listener
reaching for another listener's history, recommendations, session or answer, or for an app-only route, is
a 403. ``create_app`` refuses to build an app with a route that declares nothing and is not in
:data:`OPEN_ROUTES`, and the tests walk the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import fastapi.routing
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from core.errors import SelectaError
from services.api.deps import app_state
from services.sessions import lifecycle as sessions
from services.store.credentials import Credential


class UnauthorizedError(SelectaError):
    """No credential, or one that is unknown, expired or revoked (which of them is not said)."""

    code = "unauthorized"
    status = 401


class ForbiddenError(SelectaError):
    """A valid credential that may not do this: another listener's resource, or an app-only route."""

    code = "forbidden"
    status = 403


class Access(str, Enum):
    ANY = "any"
    """Any valid credential: the catalogue, similar tracks, understanding a request."""
    APP = "app"
    """App keys only: jobs, issuing listener tokens."""
    USER = "user"
    """The listener named by the path's ``user_id``, or an app key."""
    SESSION = "session"
    """The listener whose session the path's ``session_id`` names, or an app key."""
    BODY = "body"
    """The handler checks each ``user_id`` in the body with :meth:`Principal.act_for`."""


OPEN_ROUTES = frozenset(
    {"/health", "/ready", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
    | {"/", "/page/{name}", "/v1/page/token"}
)
"""Routes anyone may call. The page token route checks for itself that it is the page on loopback."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An app key (`selecta keys create`, acts for any listener) or a listener token "
    "(`POST /v1/tokens`, reaches one listener's own resources).",
)
_query = APIKeyQuery(
    name="access_token",
    auto_error=False,
    scheme_name="accessTokenQuery",
    description="The same credential as a query parameter, only on audio an `<audio>` element fetches.",
)


@dataclass(frozen=True)
class Principal:
    """The verified caller of one request."""

    credential: Credential

    @property
    def is_app(self) -> bool:
        return self.credential.kind == "app"

    @property
    def key_id(self) -> str:
        return self.credential.key_id

    def act_for(self, user_id: str) -> None:
        """Raise 403 unless this caller may act for ``user_id``."""
        if not self.is_app and self.credential.user_id != user_id:
            raise ForbiddenError("this listener token may only reach its own listener's resources")


def _presented(
    bearer: HTTPAuthorizationCredentials | None,
    query: str | None,
    *,
    media: bool,
) -> str:
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    if media and query:
        return query
    raise UnauthorizedError(
        "this route needs a credential: Authorization: Bearer <app key or listener token>"
        + (" (or ?access_token= on this audio route)" if media else "")
    )


async def _authorize(access: Access, request: Request, presented: str) -> Principal:
    """Async, so that a request whose credential is cached costs no thread-pool hop; Redis is only
    reached (in the pool) on a cache miss and for a session's owner. The state comes from the request
    itself, not from a dependency of its own: every route runs this, and each dependency costs."""
    state = app_state(request)
    credential = state.credentials.cached(presented)
    if credential is None:
        credential = await run_in_threadpool(state.credentials.verify, presented)
    if credential is None:
        raise UnauthorizedError("unknown, expired or revoked credential")
    principal = Principal(credential)
    if access is Access.APP and not principal.is_app:
        raise ForbiddenError("this route is for app keys only, not listener tokens")
    if access is Access.USER:
        principal.act_for(request.path_params["user_id"])
    if access is Access.SESSION and not principal.is_app:
        stored = await run_in_threadpool(
            sessions.load_session, state.store, request.path_params["session_id"]
        )
        principal.act_for(stored.session.user_id)
    return principal


class HeaderCheck(HTTPBearer):
    """The access check of a route that takes its credential from the header alone: one dependency that
    is also the OpenAPI ``bearer`` scheme. FastAPI resolves each dependency of every request (tens of
    microseconds each), and the check as a function of its own with the scheme as a sub-dependency was
    two of them on every route."""

    def __init__(self, access: Access) -> None:
        super().__init__(
            auto_error=False, scheme_name=_bearer.scheme_name, description=_bearer.model.description
        )
        self.access = access

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        bearer = await super().__call__(request)
        return await _authorize(self.access, request, _presented(bearer, None, media=False))


def requires(access: Access, *, media: bool = False) -> Any:
    """The dependency a route declares its access with; it returns the :class:`Principal`. Only a
    ``media`` route takes the query parameter (and only there does OpenAPI list it)."""
    if not media:
        return Depends(HeaderCheck(access))

    async def check_media(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        query: Annotated[str | None, Depends(_query)] = None,
    ) -> Principal:
        return await _authorize(access, request, _presented(bearer, query, media=True))

    check_media.access = access  # type: ignore[attr-defined]  # read by declared_access() and the tests
    return Depends(check_media)


def declared_access(route: APIRoute) -> Access | None:
    """The access a route declared (the first ``requires`` among its dependencies), or None."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop(0)
        access = getattr(dependant.call, "access", None)
        if isinstance(access, Access):
            return access
        pending.extend(dependant.dependencies)
    return None


@dataclass(frozen=True)
class RouteEntry:
    """One route of the app as served: its full path (with the router's prefix) and its methods."""

    path: str
    methods: frozenset[str]
    access: Access | None


def route_table(app: FastAPI) -> list[RouteEntry]:
    """Every route the app serves. Newer FastAPI keeps an included router as one lazy entry of
    ``app.routes``; its ``iter_route_contexts`` (what the OpenAPI schema is built from) expands them."""
    routes: list[Any] = list(app.routes)
    expand = getattr(fastapi.routing, "iter_route_contexts", None)
    if expand is not None:
        routes = list(expand(routes))
    table = []
    for entry in routes:
        route = getattr(entry, "route", entry)
        access = declared_access(route) if isinstance(route, APIRoute) else None
        table.append(RouteEntry(entry.path, frozenset(entry.methods or ()), access))
    return table


def check_every_route_declares(app: FastAPI) -> None:
    """Refuse an app with a route that neither declares its access nor is open on purpose."""
    for entry in route_table(app):
        if entry.path not in OPEN_ROUTES and entry.access is None:
            raise RuntimeError(f"route {entry.path} declares no access: add requires(...) or list it open")


AnyCaller = Annotated[Principal, requires(Access.ANY)]
AppCaller = Annotated[Principal, requires(Access.APP)]
UserCaller = Annotated[Principal, requires(Access.USER)]
SessionCaller = Annotated[Principal, requires(Access.SESSION)]
SessionMediaCaller = Annotated[Principal, requires(Access.SESSION, media=True)]
BodyCaller = Annotated[Principal, requires(Access.BODY)]
