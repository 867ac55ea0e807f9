"""No Docker engine runs here: the compose file is checked with a YAML parser, the Dockerfile as text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_compose_has_redis_api_and_worker_with_healthchecks_and_volumes() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "api", "worker"}
    for name, service in services.items():
        assert "test" in service["healthcheck"], name
    for name in ("api", "worker"):
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert any(v.endswith(":/data") for v in services[name]["volumes"])
        assert (DOCKER / services[name]["build"]["context"] / services[name]["build"]["dockerfile"]).is_file()
    assert set(compose["volumes"]) >= {"redis-data", "selecta-data"}
    assert "--appendonly" in services["redis"]["command"]


def test_dockerfile_is_slim_and_runs_as_non_root() -> None:
    lines = [line.strip() for line in (DOCKER / "Dockerfile").read_text().splitlines()]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert froms and all("slim" in line for line in froms)
    users = [line for line in lines if line.startswith("USER ")]
    assert users and users[-1] != "USER root"
    assert any(line.startswith("HEALTHCHECK") for line in lines)


def test_the_image_copies_every_package_the_distribution_ships() -> None:
    """A package missing from the image installs a distribution that fails on its first import."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((DOCKER.parent / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {
        line.split()[1]
        for line in (DOCKER / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
    }
    assert packages and packages <= copied, packages - copied
