"""``selecta demo``: the whole product end to end on the bundled demo catalogue.

It runs the same commands a user would (``analyze``, ``train``, ``recommend``, ``mix``), so what the
demo shows is what the CLI does. The listeners are synthetic and every step says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.rule import Rule

from services.cli.output import console
from services.data.demo import demo_catalog, demo_events, demo_tracks_dir
from services.importing import import_tracks
from services.settings import get_settings
from services.store import open_store

DEMO_USER = "demo-user-01"


def _run(*args: str) -> object:
    """Run one ``selecta`` command in-process, exactly as typed on the command line; its return value."""
    from services.cli.main import app

    console.print(f"[bold cyan]$ selecta {' '.join(args)}[/]", highlight=False)
    return app(list(args), standalone_mode=False)


def demo(
    users: Annotated[int, typer.Option(help="How many synthetic listeners to generate on first run.")] = 50,
    user: Annotated[str, typer.Option(help="Whose recommendations and mix to show.")] = DEMO_USER,
    tracks: Annotated[int, typer.Option(help="Tracks in the demo mix.")] = 8,
    out: Annotated[Path | None, typer.Option(help="Mix file (default: DATA_DIR/demo/mix.ogg).")] = None,
) -> None:
    """Import the demo catalogue and synthetic listeners, analyse the audio, train the recommender, show a
    listener's recommendations, render their personalised mix with a synthetic host voice, and change the
    set with a request."""
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
    _run("events", "history", user, "--n", "8")

    console.print(Rule("2. audio analysis: tempo, beats, key, energy, loudness (cached by content)"))
    _run("analyze", str(demo_tracks_dir()))

    console.print(Rule("3. recommender: the shipped blend, weights fit on a validation split"))
    _run("train")
    _run("recommend", user, "--n", "6")
    _run("recommend", user, "--n", "3", "--tag", "calm")

    console.print(Rule(f"4. a personalised mix for {user} with a synthetic host voice"))
    mix_path = out or settings.data_dir / "demo" / "mix.ogg"
    session = str(
        _run("mix", "--user", user, "--tracks", str(tracks), "--arc", "warm-up", "--out", str(mix_path))
    )

    console.print(Rule("5. the listener asks for a change: the set is re-planned, the DJ answers"))
    answer = mix_path.with_name("answer.wav")
    _run("ask", "play something calmer", "--session", session, "--say-to", str(answer))
    _run("ask", "why this song?", "--session", session)
    console.print(Rule("done"))
    for label, path in (
        ("listen", mix_path),
        ("the DJ's answer", answer),
        ("cue sheet", mix_path.with_suffix(".json")),
        ("picture", mix_path.with_suffix(".png")),
    ):
        console.print(f"{label}: {path}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
