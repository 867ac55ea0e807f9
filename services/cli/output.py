"""Shared console helpers for the CLI: one rich console, progress bars, and one-line errors."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import error_code

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


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
