"""The CLI reads its settings from the environment: ``cli_env`` points it at the test's own data directory
and Redis namespace (modules that need more, such as a catalogue or a trained store, extend or replace it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.settings import Settings


@pytest.fixture
def cli_env(settings: Settings, cli_settings: Callable[[Settings], Settings]) -> Settings:
    return cli_settings(settings)
