"""``selecta worker`` and ``selecta jobs ...``: offline playlist generation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from services.cli.output import console, progress
from services.jobs.playlists import BACKENDS, generate_playlists
from services.jobs.worker import Worker
from services.settings import get_settings
from services.store import open_store

jobs_app = typer.Typer(help="Offline jobs: playlists for many users.", no_args_is_help=True)


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


@jobs_app.command("playlists")
def playlists(
    out: Annotated[Path, typer.Option(help="CSV to write: user_id,rank,track_id,score,explanation.")],
    n: Annotated[int, typer.Option(help="Tracks per playlist.")] = 20,
    user: Annotated[
        list[str] | None, typer.Option(help="Only these users (repeatable); all by default.")
    ] = None,
    backend: Annotated[str, typer.Option(help=f"{' or '.join(BACKENDS)}.")] = "local",
) -> None:
    """Generate playlists now, in this process (local) or on a Ray cluster (RAY_ADDRESS)."""
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
            on_progress=lambda p: bar.update(task, completed=p),
        )
    elapsed = time.perf_counter() - started
    console.print(
        f"{result['users']:,} playlists, {result['rows']:,} rows -> {out} in {elapsed:.1f} s ({backend})"
    )


@jobs_app.command("submit")
def submit(
    n: Annotated[int, typer.Option(help="Tracks per playlist.")] = 20,
    user: Annotated[list[str] | None, typer.Option(help="Only these users (repeatable).")] = None,
) -> None:
    """Queue a playlist job for a running `selecta worker`."""
    job_id = open_store(get_settings()).enqueue_job("playlists", {"users": user, "n": n})
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
