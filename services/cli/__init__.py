"""The ``selecta`` command line: one Typer app composed from one module per command group."""

from __future__ import annotations

from services.cli.main import app

__all__ = ["app"]
