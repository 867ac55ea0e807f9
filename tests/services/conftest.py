"""Fixtures for service tests: a store with the demo catalogue and a trained recommender."""

from __future__ import annotations

from pathlib import Path

import pytest

from dj.speech.tts import HibariSynthesizer
from services.data.demo import demo_catalog, demo_events
from services.engines import Engines
from services.importing import import_tracks
from services.recommending import train
from services.settings import Settings
from services.store import Store
from tests.conftest import RedisServer


@pytest.fixture(scope="module")
def voice(trained: tuple[Settings, Store]) -> HibariSynthesizer:
    """The bundled hibari voice (fixed seed), so spoken test inputs repeat exactly."""
    settings, _ = trained
    return HibariSynthesizer(cache_dir=settings.cache_dir / "tts")


@pytest.fixture(scope="module")
def engines(trained: tuple[Settings, Store], voice: HibariSynthesizer) -> Engines:
    settings, store = trained
    return Engines(settings, store, synthesizer=voice)


@pytest.fixture(scope="module")
def trained(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> tuple[Settings, Store]:
    """One per test module (its own data dir and Redis namespace): modules may add events freely.

    The namespace comes from the module's whole path under tests/, not its file name alone, so two
    modules with the same name in different folders never share one."""
    module = request.path.relative_to(Path(__file__).parent).with_suffix("").as_posix()
    namespace = "trained" + "".join(ch for ch in module if ch.isalnum())
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("trained"), REDIS_URL=redis_server.url, redis_namespace=namespace
    )
    store = Store(redis_server.client(), namespace=namespace)
    catalog = demo_catalog()
    import_tracks(catalog, settings=settings, store=store)
    store.append_events(demo_events(catalog=catalog, n_users=12, seed=3))
    train(settings, store)
    return settings, store
