"""Credentials for test clients: every product route needs one, so each client fixture authorizes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.store import Store, credentials


def app_store(client: TestClient) -> Store:
    store: Store = client.app.state.selecta.store  # type: ignore[attr-defined]
    return store


def authorize(client: TestClient) -> TestClient:
    """Issue an app key on the running app's store; every later request of ``client`` carries it."""
    key = credentials.issue(app_store(client), "app", name="tests").secret
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def listener(client: TestClient, user_id: str) -> dict[str, str]:
    """Headers with a new listener token for ``user_id``."""
    token = credentials.issue(app_store(client), "listener", user_id=user_id, ttl_s=3600).secret
    return {"Authorization": f"Bearer {token}"}
