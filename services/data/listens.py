"""Listens: rows read from a service's export before they are matched to catalogue tracks.

Columns: ``user_id``, ``track_id`` (the service's own id, may be null), ``artist``, ``title``, ``album``,
``ts`` (datetime UTC), ``ms_played``, ``reason``, ``skip_reason`` (why the row is not a music listen).
"""

from __future__ import annotations

import polars as pl

from services.data.schema import validate_catalog

LISTEN_SCHEMA: dict[str, pl.DataType] = {
    "user_id": pl.String(),
    "track_id": pl.String(),
    "artist": pl.String(),
    "title": pl.String(),
    "album": pl.String(),
    "ts": pl.Datetime("us", "UTC"),
    "ms_played": pl.Int64(),
    "reason": pl.String(),
    "skip_reason": pl.String(),
}


def listens_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LISTEN_SCHEMA)


def catalog_from_listens(listens: pl.DataFrame, *, source: str) -> pl.DataFrame:
    """Metadata-only catalogue rows (no audio) for the distinct tracks the listens name."""
    music = listens.filter(
        pl.col("skip_reason").is_null()
        & pl.col("track_id").is_not_null()
        & pl.col("artist").is_not_null()
        & pl.col("title").is_not_null()
    )
    rows = music.unique("track_id", keep="first", maintain_order=True).select(
        "track_id", "title", "artist", "album"
    )
    return validate_catalog(rows, source=source)
