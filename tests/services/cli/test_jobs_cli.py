"""`selecta jobs playlists`, `djset` and `submit` through the real Typer app on the trained demo store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.jobs.worker import Worker
from services.settings import Settings
from services.store import Store, open_store

runner = CliRunner()


@pytest.fixture
def cli_env(trained: tuple[Settings, Store], cli_settings: Callable[[Settings], Settings]) -> Settings:
    return cli_settings(trained[0])


def test_playlists_parquet_by_default_csv_on_request(cli_env: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["jobs", "playlists", "--out", str(tmp_path / "p.parquet"), "--n", "3"])
    assert result.exit_code == 0, result.output
    assert "12 playlists, 36 rows (parquet)" in result.output
    frame = pl.read_parquet(tmp_path / "p.parquet")
    assert frame.columns == ["user_id", "rank", "track_id", "score", "explanation"] and frame.height == 36
    as_csv = runner.invoke(
        app, ["jobs", "playlists", "--out", str(tmp_path / "p.out"), "--n", "3", "--format", "csv"]
    )
    assert as_csv.exit_code == 0, as_csv.output
    assert pl.read_csv(tmp_path / "p.out", schema=frame.schema).equals(frame)
    bad = runner.invoke(app, ["jobs", "playlists", "--out", str(tmp_path / "p.x"), "--format", "xlsx"])
    assert bad.exit_code != 0 and "unknown output format" in str(bad.exception)


def test_djset_writes_a_cue_sheet_per_user(cli_env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "sets"
    args = ["jobs", "djset", "--out", str(out), "--n-tracks", "3", "--user", "demo-user-03"]
    result = runner.invoke(app, [*args, "--user", "demo-user-04", "--length", "radio"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 sets planned" in result.output
    sheets = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert {sheet["user_id"] for sheet in sheets} == {"demo-user-03", "demo-user-04"}
    assert all(len(sheet["tracks"]) == 3 and sheet["length"] == "radio" for sheet in sheets)
    refused = runner.invoke(app, [*args, "--length", "extended"])
    assert refused.exit_code == 2 and "unknown track length" in " ".join(refused.output.split())


def test_submit_queues_a_djset_with_its_length_for_a_worker(cli_env: Settings) -> None:
    args = ["jobs", "submit", "--kind", "djset", "--user", "demo-user-03", "--n-tracks", "3"]
    args += ["--length", "radio"]
    submitted = runner.invoke(app, args)
    assert submitted.exit_code == 0, submitted.output
    job_id = submitted.stdout.strip()
    store = open_store(cli_env)
    assert Worker(cli_env, store, name="cli-worker", retrain_after=10**9).run_once(timeout_s=0.1)
    done = store.job_status(job_id)
    assert done.state == "done" and done.result is not None, done.error
    (sheet,) = [json.loads(p.read_text()) for p in Path(str(done.result["path"])).glob("*.json")]
    assert sheet["length"] == "radio" and len(sheet["tracks"]) == 3
    refused = runner.invoke(app, [*args[:-1], "extended"])
    assert refused.exit_code == 2
