"""``selecta requests train``: train the request model that ``selecta ask`` and the API parse with.

It reads the SNIPS benchmark's training files (the fixed validation fifth is left out, see
``dj.requests.corpus``) and the gold set, and writes the two CRFsuite files the package ships
(``dj/requests/model/``); ``benchmarks/requests.py`` then measures them against the old grammar.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from services.cli.output import console

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SNIPS = Path(
    os.environ.get("SELECTA_SNIPS_DIR", REPO.parent / "shared" / "datasets" / "snips-nlu-benchmark")
)

requests_app = typer.Typer(help="The request model: train it.", no_args_is_help=True)


@requests_app.command("train")
def train(
    snips: Annotated[
        Path, typer.Option(help="The SNIPS NLU benchmark's train_<Intent>_full.json files.")
    ] = DEFAULT_SNIPS,
    gold: Annotated[Path, typer.Option(help="The project's gold requests (JSON lines).")] = REPO
    / "data"
    / "requests"
    / "gold.jsonl",
    out: Annotated[
        Path | None, typer.Option(help="Where to write the model (default: the package's).")
    ] = None,
) -> None:
    """Train the slot tagger and intent classifier; a few minutes on one core."""
    from dj.errors import DJError
    from dj.requests.model import MODEL_DIR
    from dj.requests.training import train as train_model

    if not (snips / "train_PlayMusic_full.json").is_file():
        raise DJError(f"no SNIPS training files in {snips} (give --snips)")
    target = out or MODEL_DIR
    report = train_model(snips, gold, target)
    sources = ", ".join(f"{n} {source}" for source, n in sorted(report.by_source.items()))
    console.print(
        f"trained on {report.classified} requests ({sources}); {report.tagged} tagged; "
        f"{report.seconds:.0f} s; {report.bytes / 1e6:.2f} MB in {target}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(requests_app, name="requests")
