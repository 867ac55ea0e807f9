"""A HotRoute refuses, when it is built, an endpoint whose declared parameters it would skip."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Request, Response

from services.api.auth import AnyCaller, UserCaller
from services.api.hot_route import HotRoute


async def good(caller: UserCaller, request: Request, user_id: str) -> Response:
    return Response(user_id)


async def with_query(caller: UserCaller, request: Request, user_id: str, n: int = 10) -> Response:
    return Response(str(n))


async def without_check(request: Request, user_id: str) -> Response:
    return Response(user_id)


async def without_request(caller: AnyCaller, user_id: str) -> Response:
    return Response(user_id)


def sync_endpoint(caller: UserCaller, request: Request, user_id: str) -> Response:
    return Response(user_id)


def _add(endpoint: Any) -> None:
    APIRouter().add_api_route("/users/{user_id}/x", endpoint, route_class_override=HotRoute)


def test_a_hot_route_takes_the_check_the_request_and_path_parameters() -> None:
    _add(good)


@pytest.mark.parametrize("endpoint", [with_query, without_check, without_request, sync_endpoint])
def test_a_hot_route_refuses_what_it_would_not_pass(endpoint: Any) -> None:
    with pytest.raises(TypeError, match="HotRoute endpoint"):
        _add(endpoint)
