"""The CLI end to end: real store, real files; errors are one line with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.settings import Settings


def test_import_demo_list_and_history(cli_env: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["import", "demo", "--users", "3"])
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.output and "events written" in result.output
    listed = runner.invoke(app, ["catalog", "list", "--tag", "calm"])
    assert listed.exit_code == 0 and "5 tracks" in listed.output
    history = runner.invoke(app, ["events", "history", "demo-user-01", "--n", "3"])
    assert history.exit_code == 0 and "synthetic" in history.output


@pytest.mark.slow
def test_import_hetrec_prints_the_readme_counts(cli_env: Settings, hetrec_dir: Path) -> None:
    result = CliRunner().invoke(app, ["import", "hetrec", str(hetrec_dir)])
    assert result.exit_code == 0, result.output
    for figure in ("1,892", "17,632", "92,834", "186,479"):
        assert figure in result.output


def test_errors_are_one_line_and_exit_non_zero(cli_env: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text("user_id,track_id,reason\nu1,t1,zapped\n")
    env = dict(os.environ)  # cli_env has set the CLI's variables in this process's environment
    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "import", "events", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"error [invalid_data]: {bad}, row 1, column 'reason': reason 'zapped' is not one of "
        "played, skipped, liked, disliked, requested"
    ]
    assert "Traceback" not in proc.stderr
