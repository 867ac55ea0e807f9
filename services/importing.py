"""Import workflows shared by the CLI and the API: validate everything first, then write.

Writes happen only after the whole input validated, so a bad file leaves the catalogue and the event
stream as they were. Events whose tracks are not in the catalogue are matched by artist + title, or
reported as unmatched with the reason; ``add_missing`` turns such tracks into metadata-only entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from services.data.catalog import load_catalog, merge_catalog, save_catalog
from services.data.listens import catalog_from_listens, listens_frame
from services.data.matching import MatchReport, match_listens
from services.settings import Settings
from services.store import Store


@dataclass(frozen=True, kw_only=True)
class ImportSummary:
    """What an import did: tracks added or updated, events written, and the match report for listens."""

    tracks_added: int = 0
    tracks_total: int = 0
    events_written: int = 0
    match: MatchReport | None = None


def import_tracks(catalog: pl.DataFrame, *, settings: Settings, store: Store | None = None) -> ImportSummary:
    """Upsert catalogue rows (already validated) into the persisted catalogue."""
    existing = load_catalog(settings.catalog_path)
    merged = merge_catalog(existing, catalog)
    save_catalog(merged, settings.catalog_path)
    if store is not None:
        store.bump_catalog_version()
    return ImportSummary(tracks_added=merged.height - existing.height, tracks_total=merged.height)


def events_as_listens(events: pl.DataFrame) -> pl.DataFrame:
    """Event rows (with optional ``artist``/``title`` columns) in the listen layout used for matching."""

    def column(name: str) -> pl.Expr:
        return pl.col(name) if name in events.columns else pl.lit(None, dtype=pl.String)

    return listens_frame(
        events.select(
            "user_id",
            "track_id",
            column("artist").alias("artist"),
            column("title").alias("title"),
            column("album").alias("album"),
            "ts",
            "ms_played",
            "reason",
            pl.lit(None, dtype=pl.String).alias("skip_reason"),
        ).to_dicts()
    )


def import_listens(
    listens: pl.DataFrame,
    *,
    settings: Settings,
    store: Store,
    source: str,
    add_missing: bool = False,
) -> ImportSummary:
    """Match listens to the catalogue (adding metadata-only tracks first if asked) and append the events."""
    added = 0
    if add_missing:
        summary = import_tracks(catalog_from_listens(listens, source=source), settings=settings, store=store)
        added = summary.tracks_added
    catalog = load_catalog(settings.catalog_path)
    result = match_listens(listens, catalog)
    written = store.append_events(result.events)
    return ImportSummary(
        tracks_added=added, tracks_total=catalog.height, events_written=written, match=result.report
    )


def import_events(events: pl.DataFrame, *, settings: Settings, store: Store) -> ImportSummary:
    """Append validated events whose track ids are in the catalogue; match the others by artist + title."""
    catalog = load_catalog(settings.catalog_path)
    known = events.filter(pl.col("track_id").is_in(catalog["track_id"].implode()))
    unknown = events.filter(~pl.col("track_id").is_in(catalog["track_id"].implode()))
    written = store.append_events(known.select("user_id", "track_id", "ts", "ms_played", "reason", "plays"))
    report = MatchReport(total=events.height, by_id=known.height, exact=0, fuzzy=0, unmatched=0)
    if not unknown.is_empty():
        result = match_listens(events_as_listens(unknown), catalog)
        written += store.append_events(result.events)
        report = MatchReport(
            total=events.height,
            by_id=known.height + result.report.by_id,
            exact=result.report.exact,
            fuzzy=result.report.fuzzy,
            unmatched=result.report.unmatched,
            reasons=result.report.reasons,
        )
    return ImportSummary(tracks_total=catalog.height, events_written=written, match=report)
