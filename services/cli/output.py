"""Shared console helpers for the CLI: one rich console, progress bars, one-line errors, and the options
more than one command takes (the track length of ``selecta mix`` and ``selecta session start``)."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import error_code

if TYPE_CHECKING:
    from dj.mix.exit_cue import LengthMode

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

LENGTH_HELP = (
    "How much of each track plays: full (whole tracks, blended over the outro), radio (radio-edit length, "
    "at most 3.5 min) or dj (DJ length, at most 2.5 min); the last track too fades out on a phrase."
)


def length_mode(value: str) -> LengthMode:
    """The ``--length`` option's mode; a usage error naming the choices for anything else."""
    from dj.mix.exit_cue import parse_length

    try:
        return parse_length(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--length") from None


def fail(exc: BaseException) -> None:
    """Print an error as one line (``error[code]: message``); the traceback only with SELECTA_DEBUG=1."""
    code = error_code(exc)
    err_console.print(
        f"[bold red]error[/] {escape(f'[{code}]')}: {escape(str(exc))}", highlight=False, soft_wrap=True
    )
    if os.environ.get("SELECTA_DEBUG"):
        err_console.print(traceback.format_exc())


def progress() -> Progress:
    """A progress bar that shows count, bar and elapsed time; quiet when stdout is not a terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr."""
    with progress() as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
