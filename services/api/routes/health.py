from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CatalogDep, StoreDep
from services.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/ready", response_model=Health)
@router.get("/health", response_model=Health)
def health(store: StoreDep, catalog: CatalogDep) -> Health:
    """Liveness and readiness: Redis answers and the catalogue loads (503 JSON if Redis is gone)."""
    return Health(status="ok", redis=store.ping(), tracks=catalog.height, events=store.count_events())
