"""``selecta session``: start a DJ session, look at it, move to the next track, change its track length.

A session is the same object the API serves under ``/sessions``: ``selecta ask TEXT --session ID`` talks
to it, ``selecta mix`` leaves one behind for the set it rendered.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from services.cli.output import LENGTH_HELP, console, length_mode

if TYPE_CHECKING:
    from services.sessions.lifecycle import StoredSession
    from services.settings import Settings
    from services.store import Store

session_app = typer.Typer(
    help="DJ sessions: a planned set that requests change as it plays.", no_args_is_help=True
)


@session_app.command("start")
def start(
    user: Annotated[str, typer.Option("--user", help="Listener whose history shapes the set.")],
    tracks: Annotated[int, typer.Option("--tracks", min=2, max=50, help="How many tracks in the set.")] = 8,
    arc: Annotated[
        str, typer.Option("--arc", help="Energy arc: warm-up, peak-time, cool-down or steady.")
    ] = "steady",
    length: Annotated[str, typer.Option("--length", help=LENGTH_HELP)] = "dj",
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
) -> None:
    """Plan a personalised set (first track playing) and keep it as a session; prints its id."""
    from services.sessions.lifecycle import load_session, start_session

    settings, store = _open()
    mode = length_mode(length)
    session = start_session(settings, store, user_id=user, n_tracks=tracks, arc=arc, length=mode)
    _show(load_session(store, session.session_id), as_json=as_json)


@session_app.command("show")
def show(
    session_id: Annotated[str, typer.Argument(help="The session id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
) -> None:
    """The set: played, playing and upcoming tracks with why each is there, constraints, requests."""
    from services.sessions.lifecycle import load_session

    _, store = _open()
    _show(load_session(store, session_id), as_json=as_json)


@session_app.command("next")
def next_track(
    session_id: Annotated[str, typer.Argument(help="The session id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
) -> None:
    """Move to the next track (the player moved on)."""
    from services.sessions.lifecycle import advance

    _, store = _open()
    _show(advance(store, session_id), as_json=as_json)


@session_app.command("length")
def length_command(
    session_id: Annotated[str, typer.Argument(help="The session id.")],
    length: Annotated[str, typer.Argument(help=LENGTH_HELP, show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
) -> None:
    """Change how much of each track plays (full, radio or dj): the next stream of the set uses it."""
    from services.sessions.lifecycle import set_length

    mode = length_mode(length)
    _, store = _open()
    _show(set_length(store, session_id, mode), as_json=as_json)


def _open() -> tuple[Settings, Store]:
    from services.settings import get_settings
    from services.store import open_store

    settings = get_settings()
    return settings, open_store(settings)


def _show(stored: StoredSession, *, as_json: bool) -> None:
    from services.data.catalog import load_catalog
    from services.personal_mix import track_meta
    from services.settings import get_settings

    session = stored.session
    if as_json:
        console.print_json(json.dumps(stored.to_dict()))
        return
    path = get_settings().catalog_path
    meta = track_meta(load_catalog(path)) if path.is_file() else {}
    setting = f"{session.energy_arc} arc, {stored.length} length"
    table = Table(title=f"DJ session {session.session_id} for {session.user_id} ({setting})")
    for column in ("#", "", "track", "why"):
        table.add_column(column)
    for i, track_id in enumerate(session.track_ids):
        state = "played" if i < session.position else "playing" if i == session.position else "next"
        entry = meta.get(track_id)
        name = f"{entry.title} - {entry.artist}" if entry is not None else track_id
        table.add_row(str(i), state, name, stored.reasons.get(track_id, ""))
    console.print(table)
    if session.constraints:
        console.print(f"constraints: {json.dumps(dict(session.constraints))}")
    if session.requests:
        console.print(f"requests: {'; '.join(session.requests)}")
    if stored.answer:
        console.print(f"[bold]DJ[/]: {stored.answer}")
    console.print(
        f'session id: {session.session_id}  (try: selecta ask "play something calmer" --session '
        f"{session.session_id})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(session_app, name="session")
