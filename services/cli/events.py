"""``selecta events ...``: record and look at listening events."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from services.cli.output import console
from services.data.catalog import get_track, load_catalog
from services.data.demo import is_synthetic_user
from services.data.schema import EVENT_REASONS
from services.settings import get_settings
from services.store import open_store

events_app = typer.Typer(help="Record and inspect listening events.", no_args_is_help=True)


@events_app.command("history")
def history(
    user: Annotated[str, typer.Argument(help="The user id.")],
    n: Annotated[int, typer.Option(help="How many recent events.")] = 20,
) -> None:
    """A user's most recent events, newest first, with track titles."""
    settings = get_settings()
    recent = open_store(settings).recent_history(user, n)
    catalog = load_catalog(settings.catalog_path).select("track_id", "title", "artist")
    shown = recent.join(catalog, on="track_id", how="left", maintain_order="left")
    label = " (synthetic listener)" if is_synthetic_user(user) else ""
    table = Table(title=f"recent history of {user}{label}: {recent.height} events")
    for column in ("when", "reason", "title", "artist", "played"):
        table.add_column(column)
    for row in shown.iter_rows(named=True):
        when = row["ts"].strftime("%Y-%m-%d %H:%M") if row["ts"] else "-"
        played = (
            f"{row['ms_played'] / 1000:.0f} s" if row["ms_played"] is not None else f"{row['plays']} plays"
        )
        table.add_row(when, row["reason"], row["title"] or row["track_id"], row["artist"] or "", played)
    console.print(table)


@events_app.command("add")
def add(
    user: Annotated[str, typer.Argument(help="The user id.")],
    track: Annotated[str, typer.Argument(help="The track id (must be in the catalogue).")],
    reason: Annotated[str, typer.Option(help=f"One of {', '.join(EVENT_REASONS)}.")] = "played",
    ms_played: Annotated[int | None, typer.Option(help="How long it played, in ms.")] = None,
) -> None:
    """Record one event now."""
    settings = get_settings()
    get_track(load_catalog(settings.catalog_path), track)
    event = pl.DataFrame(
        {
            "user_id": [user],
            "track_id": [track],
            "ts": [datetime.now(timezone.utc)],
            "ms_played": [ms_played],
            "reason": [reason],
        }
    )
    open_store(settings).append_events(event)
    console.print(f"recorded: {user} {reason} {track}")


@events_app.command("stats")
def stats() -> None:
    """How many events and users the store holds, and how many the model updater has not consumed yet."""
    store = open_store(get_settings())
    table = Table(title="listening events", show_header=False)
    table.add_row("events in stream", f"{store.count_events():,}")
    table.add_row("users with history", f"{len(store.known_users()):,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
