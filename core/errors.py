"""The one exception root of Selecta: every project error carries a stable ``code`` and an HTTP ``status``.

Each package has its own branch under this root (``DJError``, ``RecommenderError``, ``DataError``,
``StoreError``), so a caller can catch one package's errors, and the API maps every one of them to JSON in a
single handler that reads ``code`` and ``status`` from the class without knowing it. A status of 500 means
the error is a bug; anything a user can cause is a 4xx, and a dependency that is down is a 503.
"""

from __future__ import annotations


class SelectaError(Exception):
    """Root of every Selecta error: subclasses set ``code`` (stable, machine-readable) and ``status``."""

    code: str = "selecta_error"
    status: int = 400
