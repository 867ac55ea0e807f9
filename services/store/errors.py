"""Store errors. A Redis that goes away is a 503 with a clear message, never a traceback."""

from __future__ import annotations

from core.errors import SelectaError


class StoreError(SelectaError):
    """Root of the store's errors: the state Selecta keeps in Redis could not be read or written."""

    code = "store_error"
    status = 503


class StoreUnavailableError(StoreError):
    """Redis cannot be reached (not started, stopped, wrong URL). Nothing was written."""

    code = "store_unavailable"
    status = 503
