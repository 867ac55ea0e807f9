"""Errors of the data layer: every one says which file, row and column, and why."""

from __future__ import annotations

from pathlib import Path

from core.errors import SelectaError


class DataError(SelectaError):
    """Root of data-layer errors. ``code`` is stable; ``status`` is the HTTP status a service answers."""

    code = "data_error"
    status = 400


class ValidationError(DataError):
    """A file or table does not match its schema. Nothing from it has been written anywhere."""

    code = "invalid_data"
    status = 422

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        where = ", ".join(
            part
            for part in (
                self.file,
                f"row {row}" if row is not None else None,
                f"column {column!r}" if column is not None else None,
            )
            if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)


class UnsupportedFormatError(DataError):
    """A table file whose format (by suffix) the importers cannot read."""

    code = "unsupported_table_format"
    status = 415


class NotFoundError(DataError):
    """A catalogue track, DJ session or job that does not exist."""

    code = "not_found"
    status = 404
