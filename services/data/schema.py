"""Catalogue and listening-event schemas, and the validation every importer runs before anything is written.

Validation is all-or-nothing: a table either comes back normalised to the schema, or a
:class:`~services.data.errors.ValidationError` names the first bad row and column. The documented form of
both schemas is ``data/SCHEMA.md``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from services.data.errors import ValidationError

CATALOG_SCHEMA: dict[str, pl.DataType] = {
    "track_id": pl.String(),
    "title": pl.String(),
    "artist": pl.String(),
    "album": pl.String(),
    "duration_s": pl.Float64(),
    "tags": pl.List(pl.String()),
    "year": pl.Int32(),
    "path": pl.String(),
    "source": pl.String(),
    "synthetic": pl.Boolean(),
}

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "user_id": pl.String(),
    "track_id": pl.String(),
    "ts": pl.Datetime("us", "UTC"),
    "ms_played": pl.Int64(),
    "reason": pl.String(),
    "plays": pl.Int64(),
}

EVENT_REASONS = ("played", "skipped", "liked", "disliked", "requested")

_CATALOG_REQUIRED = ("track_id", "title", "artist")
_EVENT_REQUIRED = ("user_id", "track_id")


def empty_catalog() -> pl.DataFrame:
    return pl.DataFrame(schema=CATALOG_SCHEMA)


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def _first_bad_row(mask: pl.Series) -> int:
    """1-based data row of the first ``True`` in ``mask``."""
    return int(mask.arg_true()[0]) + 1


def _require(df: pl.DataFrame, columns: tuple[str, ...], file: str | Path | None) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(
            f"missing required column(s) {', '.join(missing)}; found {', '.join(df.columns) or 'none'}",
            file=file,
        )


def _cast(df: pl.DataFrame, column: str, dtype: pl.DataType, file: str | Path | None) -> pl.Series:
    """Cast one column strictly; on failure name the first value that does not convert."""
    series = df.get_column(column)
    if series.dtype == dtype:
        return series
    loose: pl.Series = series.cast(dtype, strict=False)
    bad = loose.is_null() & series.is_not_null()
    if bad.any():
        row = _first_bad_row(bad)
        raise ValidationError(
            f"value {series[row - 1]!r} is not a valid {dtype}", file=file, row=row, column=column
        )
    return loose


def _non_empty_strings(df: pl.DataFrame, column: str, file: str | Path | None) -> None:
    bad = df[column].is_null() | (df[column].str.strip_chars() == "")
    if bad.any():
        raise ValidationError("must not be empty", file=file, row=_first_bad_row(bad), column=column)


def _not_negative(df: pl.DataFrame, column: str, file: str | Path | None) -> None:
    negative = df[column].fill_null(0) < 0
    if negative.any():
        raise ValidationError(
            f"{column} must not be negative", file=file, row=_first_bad_row(negative), column=column
        )


def _tags_column(df: pl.DataFrame, file: str | Path | None) -> pl.Series:
    """Tags arrive as a list or as one string separated by ``|``, ``;`` or ``,``; stored lower-case."""
    if "tags" not in df.columns:
        return pl.Series("tags", [[] for _ in range(df.height)], dtype=pl.List(pl.String()))
    tags = df.get_column("tags")
    if tags.dtype == pl.String:
        tags = tags.fill_null("").str.replace_all(r"[|;]", ",").str.split(",")
    elif not isinstance(tags.dtype, pl.List):
        raise ValidationError(
            f"must be a list of strings or a separated string, not {tags.dtype}", file=file, column="tags"
        )
    cleaned: pl.Series = (
        tags.cast(pl.List(pl.String()))
        .list.eval(pl.element().str.strip_chars().str.to_lowercase().filter(pl.element() != ""))
        .fill_null([])
        .alias("tags")
    )
    return cleaned


def validate_catalog(
    df: pl.DataFrame, *, file: str | Path | None = None, source: str = "import"
) -> pl.DataFrame:
    """Normalise a catalogue table to :data:`CATALOG_SCHEMA`, or raise naming the first bad row."""
    _require(df, _CATALOG_REQUIRED, file)
    columns: dict[str, pl.Series] = {}
    for name in ("track_id", "title", "artist"):
        columns[name] = _cast(df, name, pl.String(), file).str.strip_chars()
    checked = pl.DataFrame(columns)
    for name in ("track_id", "title"):
        _non_empty_strings(checked, name, file)
    # An artist may be unknown (an untagged file whose name has none): empty, never a made-up name.
    checked = checked.with_columns(
        pl.when(pl.col("artist") == "").then(None).otherwise(pl.col("artist")).alias("artist")
    )
    duplicated = checked["track_id"].is_duplicated()
    if duplicated.any():
        row = _first_bad_row(duplicated & ~checked["track_id"].is_first_distinct())
        raise ValidationError(
            f"duplicate track id {checked['track_id'][row - 1]!r}", file=file, row=row, column="track_id"
        )
    out = {**columns, "tags": _tags_column(df, file)}
    for name in ("album", "duration_s", "year", "path", "source", "synthetic"):
        dtype = CATALOG_SCHEMA[name]
        if name in df.columns:
            out[name] = _cast(df, name, dtype, file)
        else:
            default = {"source": source, "synthetic": False}.get(name)
            out[name] = pl.Series(name, [default] * df.height, dtype=dtype)
    result = pl.DataFrame(out).select(list(CATALOG_SCHEMA))
    _not_negative(result, "duration_s", file)
    return result


def validate_events(df: pl.DataFrame, *, file: str | Path | None = None) -> pl.DataFrame:
    """Normalise an event table to :data:`EVENT_SCHEMA`, or raise naming the first bad row.

    ``ts`` may be missing only for aggregated logs (``plays`` > 1 per row, as in hetrec); ``reason``
    defaults to ``played`` and ``plays`` to 1.
    """
    _require(df, _EVENT_REQUIRED, file)
    out: dict[str, pl.Series] = {
        "user_id": _cast(df, "user_id", pl.String(), file).str.strip_chars(),
        "track_id": _cast(df, "track_id", pl.String(), file).str.strip_chars(),
    }
    checked = pl.DataFrame(out)
    for name in _EVENT_REQUIRED:
        _non_empty_strings(checked, name, file)
    if "ts" in df.columns:
        ts = df["ts"]
        if ts.dtype == pl.String:
            parsed = ts.str.to_datetime(time_zone="UTC", strict=False, time_unit="us")
            bad = parsed.is_null() & ts.is_not_null()
            if bad.any():
                row = _first_bad_row(bad)
                raise ValidationError(
                    f"timestamp {ts[row - 1]!r} is not ISO 8601", file=file, row=row, column="ts"
                )
            ts = parsed
        elif ts.dtype.is_integer():
            ts = pl.from_epoch(ts, time_unit="s")
        elif not ts.dtype.is_temporal():
            raise ValidationError(
                f"must be ISO 8601 text, a datetime or unix seconds, not {ts.dtype}", file=file, column="ts"
            )
        if getattr(ts.dtype, "time_zone", None) is None:  # naive times are taken to be UTC
            ts = ts.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        out["ts"] = ts.dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC")).alias("ts")
    else:
        out["ts"] = pl.Series("ts", [None] * df.height, dtype=pl.Datetime("us", "UTC"))
    out["ms_played"] = (
        _cast(df, "ms_played", pl.Int64(), file)
        if "ms_played" in df.columns
        else pl.Series("ms_played", [None] * df.height, dtype=pl.Int64())
    )
    if "reason" in df.columns:
        reason = (
            _cast(df, "reason", pl.String(), file).fill_null("played").str.strip_chars().str.to_lowercase()
        )
        bad = ~reason.is_in(list(EVENT_REASONS))
        if bad.any():
            row = _first_bad_row(bad)
            raise ValidationError(
                f"reason {reason[row - 1]!r} is not one of {', '.join(EVENT_REASONS)}",
                file=file,
                row=row,
                column="reason",
            )
        out["reason"] = reason
    else:
        out["reason"] = pl.Series("reason", ["played"] * df.height, dtype=pl.String())
    plays = _cast(df, "plays", pl.Int64(), file).fill_null(1) if "plays" in df.columns else None
    if plays is None:
        plays = pl.Series("plays", [1] * df.height, dtype=pl.Int64())
    bad = plays < 1
    if bad.any():
        raise ValidationError("plays must be at least 1", file=file, row=_first_bad_row(bad), column="plays")
    out["plays"] = plays
    result = pl.DataFrame(out).select(list(EVENT_SCHEMA))
    _not_negative(result, "ms_played", file)
    return result
