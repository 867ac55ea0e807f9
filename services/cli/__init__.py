"""The ``selecta`` command line: one Typer app (``services.cli.main``), one module per command group."""
