"""The persisted catalogue: one Parquet file under the data directory, replaced atomically."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from services.data.errors import NotFoundError
from services.data.schema import CATALOG_SCHEMA, empty_catalog, validate_catalog


def load_catalog(path: Path) -> pl.DataFrame:
    """The catalogue at ``path``; an empty one if nothing was imported yet."""
    if not path.exists():
        return empty_catalog()
    return pl.read_parquet(path).select(list(CATALOG_SCHEMA))


class CatalogCache:
    """The persisted catalogue, re-read only when its file changes on disk (an import ran).

    One per process: the API's routes and the DJ engines (which derive a name index and track facts from
    the same frame) read it here, so an import is loaded once and both see the same version.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._snapshot: tuple[int | None, pl.DataFrame] | None = None
        self._lock = threading.Lock()

    def get(self) -> pl.DataFrame:
        """The current catalogue (an empty one before any import)."""
        return self.snapshot()[1]

    def stamp(self) -> int | None:
        """The file's version stamp: its modification time in ns, None when there is no file."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def snapshot(self) -> tuple[int | None, pl.DataFrame]:
        """The file's version stamp (:meth:`stamp`) and its catalogue; callers that derive things from the
        frame rebuild them when the stamp changes."""
        stamp = self.stamp()
        with self._lock:
            if self._snapshot is None or self._snapshot[0] != stamp:
                self._snapshot = (stamp, load_catalog(self.path))
            return self._snapshot


def save_catalog(catalog: pl.DataFrame, path: Path) -> None:
    """Write to a temporary file beside ``path`` and rename it over: readers never see half a file."""
    catalog = validate_catalog(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".parquet", dir=path.parent)
    os.close(fd)
    try:
        catalog.write_parquet(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def catalog_lock(path: Path) -> Iterator[None]:
    """Hold the catalogue for a read-modify-write: two syncs at once (two API workers, an import beside
    them) would otherwise each write its own edit over the other's. An advisory lock on a file beside
    it, taken by every writer; readers need none (the file is replaced atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def merge_catalog(existing: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Upsert by ``track_id``: rows of ``new`` replace rows of ``existing`` with the same id."""
    kept = existing.filter(~pl.col("track_id").is_in(new["track_id"].implode()))
    return pl.concat([kept, new.select(list(CATALOG_SCHEMA))], how="vertical")


def get_track(catalog: pl.DataFrame, track_id: str) -> dict[str, object]:
    rows = catalog.filter(pl.col("track_id") == track_id)
    if rows.is_empty():
        raise NotFoundError(f"no track {track_id!r} in the catalogue")
    return rows.row(0, named=True)


def filter_catalog(catalog: pl.DataFrame, *, tag: str | None = None, text: str | None = None) -> pl.DataFrame:
    """Tracks carrying ``tag`` and whose title or artist contains ``text`` (both case-insensitive)."""
    if tag:
        catalog = catalog.filter(pl.col("tags").list.contains(tag.lower()))
    if text:
        needle = text.lower()
        catalog = catalog.filter(
            pl.col("title").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("artist").str.to_lowercase().str.contains(needle, literal=True)
        )
    return catalog
