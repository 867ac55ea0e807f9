"""``selecta demo``: the whole product end to end on the bundled demo catalogue.

Each step prints what it did; the listeners are synthetic and every step says so.
"""

from __future__ import annotations

import typer
from rich.rule import Rule

from services.cli.output import console
from services.data.catalog import load_catalog
from services.data.demo import demo_catalog, demo_events
from services.importing import import_tracks
from services.settings import get_settings
from services.store import open_store

DEMO_USER = "demo-user-01"


def demo(
    users: int = typer.Option(50, help="How many synthetic listeners to generate on first run."),
    user: str = typer.Option(DEMO_USER, help="Whose history and mix to show."),
) -> None:
    """Import the demo catalogue and synthetic listeners, then show the catalogue and a listener's history."""
    from services.cli.catalog import list_tracks
    from services.cli.events import history

    settings = get_settings()
    store = open_store(settings)
    console.print(Rule("1. demo catalogue: 28 bundled tracks (immich-memories-music, AI-generated, MIT)"))
    catalog = demo_catalog()
    summary = import_tracks(catalog, settings=settings, store=store)
    console.print(f"catalogue at {settings.catalog_path}: {summary.tracks_total} tracks")
    if store.recent_history(user, 1).is_empty():
        written = store.append_events(demo_events(catalog=catalog, n_users=users))
        console.print(f"generated {written} events for {users} SYNTHETIC listeners (seeded; not real people)")
    else:
        console.print("synthetic listeners already imported; keeping their histories")
    list_tracks(tag=None, search=None, limit=28, as_json=False)
    console.print(Rule(f"2. listening history of {user} (synthetic)"))
    history(user=user, n=10)
    console.print(f"[dim]{load_catalog(settings.catalog_path).height} tracks; data in {settings.data_dir}[/]")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
