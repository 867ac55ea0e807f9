"""Read catalogues and event logs from CSV, Parquet or JSON lines into the project's schemas."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from services.data.errors import UnsupportedFormatError, ValidationError
from services.data.schema import validate_catalog, validate_events

TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".ndjson")


def read_table(path: str | Path) -> pl.DataFrame:
    """The raw table in ``path``, chosen by suffix; parse errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError("no such file", file=path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path}: unsupported table format {suffix!r}; use one of {', '.join(TABLE_SUFFIXES)}"
        )
    if path.stat().st_size == 0:
        raise ValidationError("the file is empty", file=path)
    try:
        if suffix in (".csv", ".tsv"):
            return pl.read_csv(path, separator="\t" if suffix == ".tsv" else ",", infer_schema_length=0)
        if suffix == ".parquet":
            return pl.read_parquet(path)
        return pl.read_ndjson(path, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise ValidationError(f"cannot parse as {suffix[1:]}: {str(exc).splitlines()[0]}", file=path) from exc


def read_catalog(path: str | Path, *, source: str = "import") -> pl.DataFrame:
    """A catalogue file (``track_id``, ``title``, ``artist`` required), validated."""
    return validate_catalog(read_table(path), file=path, source=source)


MATCH_COLUMNS = ("artist", "title", "album")


def read_events(path: str | Path) -> pl.DataFrame:
    """An event log, validated; ``artist``/``title``/``album`` columns are kept for matching.

    ``user_id`` is required, and either ``track_id`` or both ``artist`` and ``title``; ``ts``,
    ``ms_played``, ``reason`` and ``plays`` are optional.
    """
    raw = read_table(path)
    if "track_id" not in raw.columns and {"artist", "title"} <= set(raw.columns):
        raw = raw.with_columns(
            pl.concat_str([pl.lit("unmatched:"), pl.col("artist"), pl.lit(" - "), pl.col("title")]).alias(
                "track_id"
            )
        )
    events = validate_events(raw, file=path)
    extra = [c for c in MATCH_COLUMNS if c in raw.columns]
    return events.hstack(raw.select(pl.col(c).cast(pl.String) for c in extra)) if extra else events
