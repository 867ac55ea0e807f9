"""What the API holds for its lifetime: settings, the store, and the catalogue (reloaded when it changes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.data.catalog import CatalogCache
from services.settings import Settings
from services.store import Store


@dataclass
class AppState:
    """``catalog`` is the process's one catalogue cache; the DJ engines read theirs from it too."""

    settings: Settings
    store: Store
    catalog: CatalogCache
    extras: dict[str, Any] = field(default_factory=dict)
