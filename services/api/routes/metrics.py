"""``GET /metrics``: Prometheus text format, for app keys (a scraper sends one as a bearer token)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.auth import AppCaller
from services.api.deps import MetricsDep

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
def metrics(caller: AppCaller, instruments: MetricsDep) -> Response:
    """Request counts and latency per route, store errors, the model bundle, voice stage timings, renders
    in flight."""
    return Response(generate_latest(instruments.registry), media_type=CONTENT_TYPE_LATEST)
