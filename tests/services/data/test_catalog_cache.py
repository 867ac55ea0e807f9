"""One catalogue cache per process: the API's routes and the DJ engines read the same frame."""

from __future__ import annotations

import os

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.routes.sessions import get_engines
from services.data.catalog import CatalogCache
from services.data.demo import demo_catalog
from services.engines import Engines
from services.importing import import_tracks
from services.settings import Settings
from services.store import Store
from tests.services.api.auth_client import authorize


def test_the_catalogue_is_read_once_per_version(settings: Settings, store: Store) -> None:
    cache = CatalogCache(settings.catalog_path)
    stamp, empty = cache.snapshot()
    assert stamp is None and empty.height == 0
    catalog = demo_catalog()
    import_tracks(catalog.head(10), settings=settings, store=store)
    stamp, frame = cache.snapshot()
    assert stamp is not None and frame.height == 10
    assert cache.get() is frame  # unchanged file: not read again
    import_tracks(catalog, settings=settings, store=store)
    os.utime(settings.catalog_path, ns=(stamp + 10**9, stamp + 10**9))  # a coarse clock cannot hide it
    assert cache.get().height == catalog.height


def test_engines_derive_their_view_from_the_shared_cache(settings: Settings, store: Store) -> None:
    cache = CatalogCache(settings.catalog_path)
    engines = Engines(settings, store, catalog=cache)
    assert engines.catalog().index is None  # nothing imported yet
    catalog = demo_catalog()
    import_tracks(catalog, settings=settings, store=store)
    view = engines.catalog()
    assert view.frame is cache.get()
    assert view.index is not None and len(view.meta) == catalog.height
    assert engines.catalog() is view  # same version: the index is not rebuilt


def test_the_api_and_its_engines_hold_one_catalogue(settings: Settings, store: Store) -> None:
    import_tracks(demo_catalog(), settings=settings, store=store)
    with TestClient(create_app(settings)) as client:
        state = client.app.state.selecta
        authorize(client)
        assert client.get("/v1/tracks", params={"limit": 1}).status_code == 200
        assert get_engines(state).catalog().frame is state.catalog.get()
