from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.data.demo import demo_catalog
from services.importing import import_tracks
from services.settings import Settings
from tests.services.api.auth_client import authorize


@pytest.fixture(scope="session")
def demo_tracks():
    return demo_catalog()


@pytest.fixture
def client(settings: Settings, demo_tracks) -> Iterator[TestClient]:
    import_tracks(demo_tracks, settings=settings)
    with TestClient(create_app(settings)) as test_client:
        yield authorize(test_client)
