"""``selecta worker`` and ``selecta jobs ...``: offline playlist generation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from services.cli.output import LENGTH_HELP, console, length_mode, progress
from services.jobs.batches import BACKENDS, BATCH
from services.jobs.djsets import generate_djsets
from services.jobs.playlists import generate_playlists
from services.jobs.worker import Worker
from services.settings import get_settings
from services.store import open_store

jobs_app = typer.Typer(
    help="Offline jobs: playlists and planned DJ sets for many users.", no_args_is_help=True
)


def worker(
    backend: Annotated[str, typer.Option(help=f"Where jobs run: {' or '.join(BACKENDS)}.")] = "local",
    name: Annotated[str, typer.Option(help="Consumer name in the event stream's group.")] = "worker-1",
    retrain_after: Annotated[int, typer.Option(help="Retrain after this many new events.")] = 10_000,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that Redis answers (healthcheck).")
    ] = False,
) -> None:
    """Run queued jobs and keep the models up to date with new events, until stopped."""
    store = open_store(get_settings())
    if check:
        store.ping()
        console.print("ok")
        return
    console.print(f"worker {name} waiting for jobs ({backend} backend); Ctrl+C to stop")
    Worker(get_settings(), store, name=name, backend=backend, retrain_after=retrain_after).run_forever()


UsersOption = Annotated[
    list[str] | None, typer.Option("--user", help="Only these users (repeatable); all by default.")
]
BatchOption = Annotated[int, typer.Option(min=1, help="Users per checkpointed batch.")]
BackendOption = Annotated[
    str, typer.Option(help=f"{' or '.join(BACKENDS)} (Ray: RAY_ADDRESS, or a local cluster).")
]


def _report(result: dict[str, object], started: float) -> None:
    resumed = int(str(result["resumed_batches"]))
    note = f", resumed after {resumed} of {result['batches']} batches" if resumed else ""
    console.print(f"-> {result['path']} in {time.perf_counter() - started:.1f} s ({result['backend']}{note})")


@jobs_app.command("playlists")
def playlists(
    out: Annotated[Path, typer.Option(help="File to write: user_id,rank,track_id,score,explanation.")],
    n: Annotated[int, typer.Option(help="Tracks per playlist.")] = 20,
    user: UsersOption = None,
    backend: BackendOption = "local",
    batch_size: BatchOption = BATCH,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="parquet or csv (default: from --out's suffix, else parquet)."),
    ] = None,
) -> None:
    """Generate playlists now, in this process or on Ray; a rerun after a kill resumes where it stopped."""
    settings = get_settings()
    started = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("ranking users", total=1.0)
        result = generate_playlists(
            settings,
            open_store(settings),
            out=out,
            users=user,
            n=n,
            backend=backend,
            batch_size=batch_size,
            fmt=fmt,
            on_progress=lambda p: bar.update(task, completed=p),
        )
    console.print(f"{result['users']:,} playlists, {result['rows']:,} rows ({result['format']})")
    _report(result, started)


@jobs_app.command("djset")
def djset(
    out: Annotated[Path, typer.Option(help="Folder to write one cue sheet (JSON) per user into.")],
    n_tracks: Annotated[int, typer.Option(help="Tracks per set.")] = 8,
    arc: Annotated[str, typer.Option(help="warm-up, peak-time, cool-down or steady.")] = "steady",
    length: Annotated[str, typer.Option("--length", help=LENGTH_HELP)] = "dj",
    user: UsersOption = None,
    backend: BackendOption = "local",
    batch_size: BatchOption = BATCH,
) -> None:
    """Plan a DJ set per user (cue sheet, no audio), in this process or on Ray; resumable."""
    mode = length_mode(length)
    settings = get_settings()
    started = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("planning sets", total=1.0)
        result = generate_djsets(
            settings,
            open_store(settings),
            out=out,
            users=user,
            n_tracks=n_tracks,
            arc=arc,
            length=mode,
            backend=backend,
            batch_size=batch_size,
            on_progress=lambda p: bar.update(task, completed=p),
        )
    console.print(f"{result['planned']:,} of {result['users']:,} sets planned")
    _report(result, started)


@jobs_app.command("submit")
def submit(
    n: Annotated[int, typer.Option(help="Tracks per playlist.")] = 20,
    user: UsersOption = None,
    kind: Annotated[str, typer.Option(help="playlists or djset.")] = "playlists",
    n_tracks: Annotated[int, typer.Option(help="djset: tracks per set.")] = 8,
    arc: Annotated[str, typer.Option(help="djset: warm-up, peak-time, cool-down or steady.")] = "steady",
    length: Annotated[str, typer.Option("--length", help=f"djset: {LENGTH_HELP}")] = "dj",
) -> None:
    """Queue a job for a running `selecta worker`."""
    payload: dict[str, object] = {"users": user, "n": n}
    if kind == "djset":
        payload |= {"n_tracks": n_tracks, "arc": arc, "length": length_mode(length)}
    job_id = open_store(get_settings()).enqueue_job(kind, payload)
    console.print(job_id)


@jobs_app.command("status")
def status(job_id: Annotated[str, typer.Argument(help="The job id that submit printed.")]) -> None:
    """A job's state, progress and result."""
    job = open_store(get_settings()).job_status(job_id)
    table = Table(show_header=False, title=f"job {job.job_id}")
    for label, value in (
        ("kind", job.kind),
        ("state", job.state),
        ("progress", f"{job.progress:.0%}"),
        ("result", str(job.result or "")),
        ("error", job.error or ""),
    ):
        table.add_row(label, value)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")
