"""``selecta analyze PATH...``: tempo, metre, beats, key, energy and loudness of files and folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dj.analysis import TrackAnalysis, analyze_many
from dj.audio import DEFAULT_MAX_DURATION_S, SUPPORTED_EXTENSIONS
from dj.errors import AudioDecodeError
from services.cli.output import console, err_console, progress
from services.settings import get_settings


def _audio_files(path: Path) -> list[Path]:
    """The file itself, or every supported audio file under the folder (sorted, recursive)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)
        if not files:
            raise AudioDecodeError(
                f"{path}: no audio files ({', '.join(sorted(SUPPORTED_EXTENSIONS))}) found"
            )
        return files
    raise AudioDecodeError(f"{path}: no such file or folder")


def _display_names(paths: list[Path]) -> dict[str, str]:
    """Each file's name as the table shows it: relative to the folder it was found in, else its name."""
    names: dict[str, str] = {}
    for path in paths:
        for file in _audio_files(path):
            names[str(file)] = str(file.relative_to(path)) if path.is_dir() else file.name
    return names


def _table(results: list[TrackAnalysis], names: dict[str, str]) -> Table:
    table = Table(title=f"{len(results)} track(s) analysed")
    for column, justify in [
        ("file", "left"),
        ("bpm", "right"),
        ("conf", "right"),
        ("metre", "left"),
        ("key", "left"),
        ("camelot", "left"),
        ("energy", "right"),
        ("LUFS", "right"),
        ("peak dBTP", "right"),
        ("length", "right"),
        ("intro / outro (s)", "left"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for a in results:
        name = names.get(a.path or "", Path(a.path or "").name)
        table.add_row(
            name,
            f"{a.bpm:.1f}",
            f"{a.bpm_confidence:.2f}",
            a.meter,
            a.key,
            a.camelot,
            f"{a.energy:.2f}",
            f"{a.lufs:.1f}",
            f"{a.true_peak_dbtp:.1f}",
            f"{a.duration_s:.1f} s",
            f"{a.intro[0]:.1f}-{a.intro[1]:.1f} / {a.outro[0]:.1f}-{a.outro[1]:.1f}",
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    def analyze_command(
        paths: Annotated[
            list[Path], typer.Argument(help="Audio files and folders (folders are searched recursively).")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file and line.")] = False,
        workers: Annotated[int, typer.Option(min=1, help="Parallel worker processes.")] = 2,
        cache: Annotated[bool, typer.Option(help="Reuse and store results by audio content hash.")] = True,
        max_duration: Annotated[
            float, typer.Option(help="Refuse files longer than this many seconds.")
        ] = DEFAULT_MAX_DURATION_S,
    ) -> None:
        """Analyse audio: tempo and beats, metre and downbeats, key (Camelot), energy, loudness (LUFS)."""
        files = list(dict.fromkeys(f for path in paths for f in _audio_files(path)))
        cache_dir = get_settings().cache_dir / "analysis" if cache else None
        failures: list[tuple[str, Exception]] = []
        with progress() as bar:
            task = bar.add_task("analysing", total=len(files))
            results = analyze_many(
                files,
                cache_dir=cache_dir,
                workers=workers,
                on_progress=lambda done, total, _p: bar.update(task, completed=done),
                on_error=lambda p, exc: failures.append((p, exc)),
                max_duration_s=max_duration,
            )
        for failed, exc in failures:
            err_console.print(f"[yellow]skipped[/] {failed}: {exc}", highlight=False, soft_wrap=True)
        if failures and not results:
            raise failures[0][1]
        if as_json:
            for result in results:
                typer.echo(json.dumps(result.to_dict()))
            return
        console.print(_table(results, _display_names(paths)))
