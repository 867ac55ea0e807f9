"""The ``selecta`` command line: one Typer app (``services.cli.main``) composed from one module per command group."""
