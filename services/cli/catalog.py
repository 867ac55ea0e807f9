"""``selecta catalog ...``: look at the catalogue."""

from __future__ import annotations

import json
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from services.cli.output import console
from services.data.catalog import filter_catalog, get_track, load_catalog
from services.settings import get_settings

catalog_app = typer.Typer(help="Look at the track catalogue.", no_args_is_help=True)


@catalog_app.command("list")
def list_tracks(
    tag: Annotated[str | None, typer.Option(help="Only tracks with this tag (e.g. calm).")] = None,
    search: Annotated[str | None, typer.Option(help="Case-insensitive text in title or artist.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List tracks, optionally filtered by tag or text."""
    catalog = load_catalog(get_settings().catalog_path)
    catalog = filter_catalog(catalog, tag=tag, text=search)
    shown = catalog.head(limit)
    if as_json:
        for row in shown.iter_rows(named=True):
            console.print_json(json.dumps(row))
        return
    table = Table(
        title=f"{catalog.height:,} tracks" + (f" (first {limit})" if catalog.height > limit else "")
    )
    for column in ("track_id", "title", "artist", "tags", "duration"):
        table.add_column(column)
    for row in shown.iter_rows(named=True):
        duration = f"{row['duration_s']:.0f} s" if row["duration_s"] is not None else ""
        table.add_row(row["track_id"], row["title"], row["artist"], ", ".join(row["tags"]), duration)
    console.print(table)


@catalog_app.command("show")
def show_track(track_id: Annotated[str, typer.Argument(help="The track id.")]) -> None:
    """Every field of one track."""
    console.print_json(json.dumps(get_track(load_catalog(get_settings().catalog_path), track_id)))


@catalog_app.command("stats")
def stats() -> None:
    """How big the catalogue is, where its tracks come from, and the most common tags."""
    catalog = load_catalog(get_settings().catalog_path)
    table = Table(title="catalogue", show_header=False)
    table.add_row("tracks", f"{catalog.height:,}")
    table.add_row("artists", f"{catalog['artist'].n_unique():,}")
    table.add_row("with audio", f"{catalog['path'].is_not_null().sum():,}")
    for source, count in catalog.group_by("source").len().sort("len", descending=True).iter_rows():
        table.add_row(f"from {source}", f"{count:,}")
    top = (
        catalog.select(pl.col("tags").explode())
        .drop_nulls()
        .group_by("tags")
        .len()
        .sort("len", descending=True)
    )
    table.add_row("top tags", ", ".join(f"{t} ({n})" for t, n in top.head(8).iter_rows()))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
