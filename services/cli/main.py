"""Compose the command groups into one Typer app, and turn known errors into one clear line.

Each command module exposes ``register(app)``; adding a command group is one line in ``_MODULES``.
"""

from __future__ import annotations

import importlib
import sys

import typer

from services.cli.output import fail

app = typer.Typer(
    name="selecta",
    help="Selecta: a personalized listening engine with an AI DJ. Runs offline; state lives in Redis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Command modules, each with ``register(app: typer.Typer) -> None``.
_MODULES = [
    "services.cli.imports",
    "services.cli.catalog",
    "services.cli.events",
    "services.cli.demo",
    "services.cli.serve",
    "services.cli.keys",
    "services.cli.jobs",
    "services.cli.analyze",
    "services.cli.ask",
    "services.cli.mix",
    "services.cli.recommend",
    "services.cli.session",
    "services.cli.requests",
]

for _name in _MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point used by the console script: known errors become one line on stderr and exit 1."""
    try:
        app(standalone_mode=True)
    except Exception as exc:
        fail(exc)
        sys.exit(1)


if __name__ == "__main__":
    main()
