"""Redis-backed state: listening events, recent history, cached ranked lists, DJ sessions, jobs."""

from services.store.connection import connect
from services.store.errors import StoreError, StoreUnavailableError
from services.store.store import Store, open_store

__all__ = ["Store", "StoreError", "StoreUnavailableError", "connect", "open_store"]
