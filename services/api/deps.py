"""Dependencies as ``Annotated`` aliases; tests swap them through ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import Depends, Request

from services.api.instruments import Metrics
from services.api.state import AppState
from services.settings import Settings
from services.store import Store


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.selecta  # set by the app's lifespan
    return state


def get_store(state: Annotated[AppState, Depends(get_state)]) -> Store:
    return state.store


def get_catalog(state: Annotated[AppState, Depends(get_state)]) -> pl.DataFrame:
    return state.catalog.get()


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics  # made by create_app, before the lifespan
    return metrics


def get_app_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


StateDep = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
CatalogDep = Annotated[pl.DataFrame, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
