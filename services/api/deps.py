"""Dependencies as ``Annotated`` aliases; tests swap them through ``app.dependency_overrides``.

The ones that only read an attribute are ``async``: FastAPI runs a plain ``def`` dependency in the
thread pool, and a hop there for each of them was a measurable part of a cached request's time."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import Depends, Request

from services.api.instruments import Metrics
from services.api.state import AppState
from services.settings import Settings
from services.store import Store


def app_state(request: Request) -> AppState:
    """The app's state (set by its lifespan), for a hot route's own dependency that already has the
    request: each dependency FastAPI resolves costs tens of microseconds."""
    state: AppState = request.app.state.selecta
    return state


async def get_state(request: Request) -> AppState:
    return app_state(request)


async def get_store(state: Annotated[AppState, Depends(get_state)]) -> Store:
    return state.store


def get_catalog(state: Annotated[AppState, Depends(get_state)]) -> pl.DataFrame:
    return state.catalog.get()


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics  # made by create_app, before the lifespan
    return metrics


async def get_app_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


StateDep = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
CatalogDep = Annotated[pl.DataFrame, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
