"""Import workflows shared by the CLI and the API: validate everything first, then write.

Writes happen only after the whole input validated, so a bad file leaves the catalogue and the event
stream as they were. Events whose tracks are not in the catalogue are matched by artist + title, or
reported as unmatched with the reason; ``add_missing`` turns such tracks into metadata-only entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from services.data.catalog import catalog_lock, load_catalog, merge_catalog, save_catalog
from services.data.errors import NotFoundError, ValidationError
from services.data.listens import catalog_from_listens, listens_frame
from services.data.matching import MatchReport, match_listens
from services.data.media import media_file
from services.data.schema import validate_catalog
from services.settings import Settings
from services.store import Store


def _save_then_mark(existing: pl.DataFrame, new: pl.DataFrame, path: Path, mark: Callable[[], int]) -> int:
    """Write the new catalogue, then tell the store (``mark``: retired ids and the catalogue version).
    When the store fails (Redis down or stalled), the old catalogue is written back before the error
    goes on: a change is either complete or not made at all."""
    save_catalog(new, path)
    try:
        return mark()
    except BaseException:
        save_catalog(existing, path)
        raise


@dataclass(frozen=True, kw_only=True)
class ImportSummary:
    """What an import did: tracks added or updated, events written, and the match report for listens."""

    tracks_added: int = 0
    tracks_total: int = 0
    events_written: int = 0
    match: MatchReport | None = None


def import_tracks(catalog: pl.DataFrame, *, settings: Settings, store: Store | None = None) -> ImportSummary:
    """Upsert catalogue rows (already validated) into the persisted catalogue."""
    with catalog_lock(settings.catalog_path):
        existing = load_catalog(settings.catalog_path)
        merged = merge_catalog(existing, catalog)
        if store is None:
            save_catalog(merged, settings.catalog_path)
        else:
            restore = catalog["track_id"].to_list()
            _save_then_mark(
                existing, merged, settings.catalog_path, lambda: store.set_retired(restore=restore)
            )
    return ImportSummary(tracks_added=merged.height - existing.height, tracks_total=merged.height)


@dataclass(frozen=True, kw_only=True)
class SyncSummary:
    """What a catalogue sync did, and which tracks have new audio for the worker to analyse."""

    added: int
    updated: int
    total: int
    new_audio: tuple[str, ...]
    catalog_version: int


def sync_tracks(rows: list[dict[str, object]], *, settings: Settings, store: Store) -> SyncSummary:
    """Upsert tracks an app sends (metadata, tags, an ``audio`` location under the media root): every
    row is validated before anything is written, as the file importers do. Tracks whose audio file is new
    or changed are listed for analysis; a retired track sent again is back in the catalogue."""
    located = []
    for row_number, row in enumerate(rows, start=1):
        audio = row.get("audio")
        path = str(media_file(settings.media_root, str(audio), row=row_number)) if audio is not None else None
        located.append({**{k: v for k, v in row.items() if k != "audio"}, "path": path})
    frame = validate_catalog(pl.DataFrame(located, infer_schema_length=None), source="api")
    with catalog_lock(settings.catalog_path):
        existing = load_catalog(settings.catalog_path)
        before = dict(zip(existing["track_id"], existing["path"], strict=True))
        restore = frame["track_id"].to_list()
        version = _save_then_mark(
            existing,
            merge_catalog(existing, frame),
            settings.catalog_path,
            lambda: store.set_retired(restore=restore),
        )
    new_audio = tuple(
        t
        for t, p in zip(frame["track_id"], frame["path"], strict=True)
        if p is not None and before.get(t) != p
    )
    added = sum(t not in before for t in frame["track_id"])
    return SyncSummary(
        added=added,
        updated=frame.height - added,
        total=existing.height + added,
        new_audio=new_audio,
        catalog_version=version,
    )


def retire_tracks(track_ids: list[str], *, settings: Settings, store: Store) -> int:
    """Take tracks out of the catalogue, all or none (an unknown id writes nothing). They leave the
    recommendations and the DJ's pool at once: the store keeps their ids, so a bundle trained before
    still never ranks them. Returns the new catalogue version."""
    if not track_ids:
        raise ValidationError("name at least one track to retire", column="track_id")
    with catalog_lock(settings.catalog_path):
        existing = load_catalog(settings.catalog_path)
        unknown = sorted(set(track_ids) - set(existing["track_id"]))
        if unknown:
            raise NotFoundError(f"no track {unknown[0]!r} in the catalogue; nothing was retired")
        kept = existing.filter(~pl.col("track_id").is_in(pl.Series(track_ids, dtype=pl.String).implode()))
        return _save_then_mark(
            existing, kept, settings.catalog_path, lambda: store.set_retired(retire=track_ids)
        )


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
