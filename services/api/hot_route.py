"""A route class for the hottest routes: FastAPI calls the endpoint without solving its dependencies.

On every request FastAPI walks a route's dependency tree and checks each declared parameter (path, query,
header and cookie groups, even when empty): for a cached recommendation that was about a quarter of the
CPU the whole request cost. A :class:`HotRoute` endpoint is still declared as usual, so OpenAPI shows
its security scheme and path parameters, ``create_app`` finds its declared access, and the tests walk it
from the route table like any other; only the call is direct. The handler runs the route's declared
header check itself, then calls the endpoint with that caller, the request and the path parameters (as
the strings the path matched), and the endpoint reads its query itself
(:func:`services.api.query.read_query`). A signature that needs anything else is refused when the
route is built, so nothing declared is silently skipped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from services.api.auth import HeaderCheck


class HotRoute(APIRoute):
    """Pass as ``route_class_override`` to ``add_api_route`` (or as a router's ``route_class``) for a
    route whose endpoint is ``async def f(caller: <XCaller>, request: Request, <path parameters as str>)
    -> Response``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependant = self.dependant
        checks = [d for d in dependant.dependencies if isinstance(d.call, HeaderCheck)]
        extra = (
            dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
            or len(dependant.dependencies) != 1
            or not dependant.request_param_name
        )
        if len(checks) != 1 or extra or not inspect.iscoroutinefunction(self.endpoint):
            raise TypeError(
                f"{self.path}: a HotRoute endpoint is async and takes one header access check, the request "
                "and its path parameters, nothing else (it reads its own query)"
            )
        check, caller_name = checks[0].call, checks[0].name
        assert isinstance(check, HeaderCheck) and caller_name is not None
        request_name = str(dependant.request_param_name)
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            caller = await check(request)
            response: Response = await endpoint(
                **{caller_name: caller, request_name: request}, **request.path_params
            )
            return response

        return handler
