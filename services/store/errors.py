"""Store errors. A Redis that goes away is a 503 with a clear message, never a traceback."""

from __future__ import annotations

from core.errors import SelectaError


class StoreError(SelectaError):
    code = "store_error"
    status = 500


class StoreUnavailableError(StoreError):
    """Redis cannot be reached (not started, stopped, wrong URL). Nothing was written."""

    code = "store_unavailable"
    status = 503
