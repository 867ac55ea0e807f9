"""``selecta import ...``: bring catalogues and listening histories in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from services.cli.output import console, progress
from services.data.audio_folder import import_folder
from services.data.demo import demo_catalog, demo_events
from services.data.hetrec import load_hetrec
from services.data.listenbrainz import read_listenbrainz
from services.data.spotify import read_spotify_history
from services.data.tables import read_catalog, read_events
from services.importing import ImportSummary, import_events, import_listens, import_tracks
from services.settings import get_settings
from services.store import open_store

imports = typer.Typer(help="Import catalogues and listening histories into Selecta.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(exists=False, help="The file to import.")]


def show(summary: ImportSummary, title: str) -> None:
    """Print what an import did, including the match report and the reasons for unmatched listens."""
    table = Table(title=title, show_header=False)
    table.add_row("tracks added", str(summary.tracks_added))
    table.add_row("tracks in catalogue", str(summary.tracks_total))
    table.add_row("events written", str(summary.events_written))
    if summary.match is not None:
        m = summary.match
        table.add_row("listens read", str(m.total))
        table.add_row("matched by id", str(m.by_id))
        table.add_row("matched by artist + title", f"{m.exact} exact, {m.fuzzy} fuzzy")
        table.add_row("not matched", str(m.unmatched))
        for reason, count in m.reasons.items():
            table.add_row(f"  {reason}", str(count))
    console.print(table)


@imports.command("demo")
def import_demo(
    users: Annotated[int, typer.Option(help="How many synthetic listeners to generate.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed of the listener generator.")] = 7,
) -> None:
    """The 28 bundled demo tracks and seeded SYNTHETIC listeners whose tastes follow moods and styles."""
    settings = get_settings()
    store = open_store(settings)
    catalog = demo_catalog()
    summary = import_tracks(catalog, settings=settings, store=store)
    events = demo_events(catalog=catalog, n_users=users, seed=seed)
    written = store.append_events(events)
    show(
        ImportSummary(
            tracks_added=summary.tracks_added, tracks_total=summary.tracks_total, events_written=written
        ),
        f"demo catalogue + {users} synthetic listeners",
    )


@imports.command("audio")
def import_audio(
    folder: Annotated[Path, typer.Argument(help="Folder of mp3/flac/ogg/opus/wav/m4a files.")],
) -> None:
    """A folder of audio files: tags read from the files, file and folder names as fallback."""
    settings = get_settings()
    with progress() as bar:
        task = bar.add_task("reading tags", total=None)
        result = import_folder(folder, on_progress=lambda i, n: bar.update(task, completed=i, total=n))
    summary = import_tracks(result.catalog, settings=settings, store=open_store(settings))
    show(summary, f"audio folder {folder}")
    for path, reason in result.skipped.items():
        console.print(f"[yellow]skipped[/] {path}: {reason}")


@imports.command("catalog")
def import_catalog(path: FileArg) -> None:
    """A catalogue file (CSV, TSV, Parquet or JSON lines) with track_id, title, artist, and optional album,
    duration_s, tags, year, path."""
    settings = get_settings()
    show(
        import_tracks(read_catalog(path), settings=settings, store=open_store(settings)), f"catalogue {path}"
    )


@imports.command("events")
def import_event_log(path: FileArg) -> None:
    """An event log (CSV, TSV, Parquet or JSON lines): user_id plus track_id (or artist and title), and
    optional ts, ms_played, reason, plays."""
    settings = get_settings()
    show(import_events(read_events(path), settings=settings, store=open_store(settings)), f"events {path}")


@imports.command("spotify")
def import_spotify(
    files: Annotated[list[Path], typer.Argument(help="Streaming_History_Audio_*.json files.")],
    user: Annotated[str, typer.Option(help="The user id these plays belong to.")],
    add_missing: Annotated[
        bool, typer.Option(help="Add tracks not in the catalogue as metadata-only.")
    ] = False,
) -> None:
    """Spotify's extended streaming history export; plays under 30 s count as skips."""
    settings = get_settings()
    store = open_store(settings)
    for path in files:
        listens = read_spotify_history(path, user_id=user)
        show(
            import_listens(
                listens, settings=settings, store=store, source="spotify", add_missing=add_missing
            ),
            f"spotify {path.name}",
        )


@imports.command("listenbrainz")
def import_lb(
    path: FileArg,
    user: Annotated[str | None, typer.Option(help="User id (default: the export's user_name).")] = None,
    add_missing: Annotated[
        bool, typer.Option(help="Add tracks not in the catalogue as metadata-only.")
    ] = False,
) -> None:
    """A ListenBrainz listen export (JSON lines with listened_at and track_metadata)."""
    settings = get_settings()
    listens = read_listenbrainz(path, user_id=user)
    show(
        import_listens(
            listens,
            settings=settings,
            store=open_store(settings),
            source="listenbrainz",
            add_missing=add_missing,
        ),
        f"listenbrainz {path.name}",
    )


@imports.command("hetrec")
def import_hetrec(
    path: Annotated[Path, typer.Argument(help="Unpacked hetrec2011-lastfm-2k folder.")] = Path(
        "../shared/datasets/hetrec2011-lastfm-2k"
    ),
) -> None:
    """HetRec 2011 Last.fm 2k: artists become catalogue items, play counts become aggregated events."""
    settings = get_settings()
    store = open_store(settings)
    with progress() as bar:
        task = bar.add_task("reading hetrec", total=3)
        data = load_hetrec(path)
        bar.advance(task)
        summary = import_tracks(data.catalog, settings=settings, store=store)
        bar.advance(task)
        written = store.append_events(data.events)
        bar.advance(task)
    table = Table(title=f"hetrec2011-lastfm-2k from {path}", show_header=False)
    for label, value in (
        ("users", data.n_users),
        ("artists", data.n_artists),
        ("user-artist relations", data.n_relations),
        ("tag assignments", data.n_tag_assignments),
        ("tracks in catalogue", summary.tracks_total),
        ("events written", written),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(imports, name="import")
