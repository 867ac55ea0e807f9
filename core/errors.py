"""The one exception root of Selecta: every project error carries a stable ``code`` and an HTTP ``status``.

Each package has its own branch under this root (``DJError``, ``RecommenderError``, ``DataError``,
``StoreError``), so a caller can catch one package's errors, and the API maps every one of them to JSON in a
single handler that reads ``code`` and ``status`` from the class without knowing it. A status of 500 means
the error is a bug; anything a user can cause is a 4xx, and a dependency that is down is a 503.
"""

from __future__ import annotations


class SelectaError(Exception):
    """Root of every Selecta error: subclasses set ``code`` (stable, machine-readable) and ``status``.

    Codes are unique across the project (a test walks every subclass), so a client can branch on the code
    alone; a subclass that only narrows its parent for callers may keep the parent's code on purpose.
    """

    code: str = "selecta_error"
    status: int = 400


def error_code(exc: BaseException) -> str:
    """The stable code of a Selecta error; the class name of anything else (which is a bug)."""
    return exc.code if isinstance(exc, SelectaError) else type(exc).__name__
