"""``/metrics`` in Prometheus' text format: request counts and latency per route, store errors, the model
bundle serving, voice pipeline stage timings and mix renders in flight.

Each app has its own registry (two apps in one process, as in the tests, never share counts). Latency is
measured by a plain ASGI middleware to the end of the response; the route label is the route's template
(``/v1/users/{user_id}/history``), never the raw path, so the label set stays bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import fastapi.routing
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.state import AppState
from services.recommending import bundle_id

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The app's instruments, on a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "selecta_requests",
            "HTTP requests answered.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "selecta_request_seconds",
            "Time from request to the end of the response.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_errors = Counter(
            "selecta_store_errors",
            "Requests that failed because Redis was unavailable.",
            registry=self.registry,
        )
        self.voice_stages = Histogram(
            "selecta_voice_stage_seconds",
            "Voice and request pipeline stages (transcribe, understand, plan, speak).",
            ("stage",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.renders = Gauge(
            "selecta_renders_in_flight", "Mix renders streaming now.", registry=self.registry
        )

    def observe_stages(self, timings: Mapping[str, float]) -> None:
        for stage, seconds in timings.items():
            self.voice_stages.labels(stage).observe(seconds)


class ModelCollector(Collector):
    """``selecta_model_info{bundle=...} 1`` for the bundle serving, read at scrape time (never loads it).
    It holds the app, not its state: the state is made by each run of the lifespan."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily("selecta_model_info", "The recommender bundle serving.", labels=["bundle"])
        state: AppState | None = getattr(self.app.state, "selecta", None)
        service = state.loaded_model() if state is not None else None
        if service is not None:
            family.add_metric([bundle_id(service.model())], 1.0)
        yield family


def route_label(scope: Scope) -> str:
    """The matched route's full template. Newer FastAPI leaves the route as its router declared it (no
    prefix) in ``scope["route"]`` and the full template in its effective route context."""
    effective = getattr(fastapi.routing, "_get_scope_effective_route_context", None)
    context = effective(scope) if effective is not None else None
    path = getattr(context, "path_format", None)
    if path is None:
        route = scope.get("route")
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


class MetricsMiddleware:
    """Counts and times every HTTP request by route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            count, latency = self._series(str(scope.get("method", "")), route_label(scope), status[0])
            count.inc()
            latency.observe(time.perf_counter() - started)

    def _series(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        """The counter and histogram children of one label set, looked up once: ``labels()`` checks and
        joins its values under a lock on every call. The label sets are bounded (route templates)."""
        key = (method, route, status)
        series = self._children.get(key)
        if series is None:
            series = (
                self.metrics.requests.labels(method, route, str(status)),
                self.metrics.latency.labels(method, route),
            )
            self._children[key] = series
        return series
