"""``selecta session`` and ``selecta mix`` leave and drive a DJ session: start, ask, show, next, length."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.settings import Settings
from services.store import Store


@pytest.fixture
def cli_env(trained: tuple[Settings, Store], cli_settings: Callable[[Settings], Settings]) -> Settings:
    return cli_settings(trained[0])


def test_cli_session_start_ask_show(cli_env: Settings) -> None:
    runner = CliRunner()
    started = runner.invoke(app, ["session", "start", "--user", "demo-user-05", "--tracks", "5", "--json"])
    assert started.exit_code == 0, started.output
    session_id = json.loads(started.stdout)["session_id"]
    asked = runner.invoke(app, ["ask", "play something calmer", "--session", session_id, "--json"])
    assert asked.exit_code == 0, asked.output
    out = json.loads(asked.stdout)
    assert out["intent"]["kind"] == "energy_down" and out["session"]["replanned"]
    assert "energy_range" in out["session"]["constraints"] and "replan_s" in out["timings"]
    shown = runner.invoke(app, ["session", "show", session_id, "--json"])
    saved = json.loads(shown.stdout)
    assert (
        saved["requests"] == ["play something calmer"] and saved["track_ids"] == out["session"]["track_ids"]
    )
    moved = runner.invoke(app, ["session", "next", session_id])
    assert moved.exit_code == 0 and "playing" in moved.stdout
    assert saved["length"] == "dj"
    changed = runner.invoke(app, ["session", "length", session_id, "radio"])
    assert changed.exit_code == 0 and "radio length" in " ".join(changed.stdout.split())
    reread = runner.invoke(app, ["session", "show", session_id, "--json"])
    assert json.loads(reread.stdout)["length"] == "radio"
    refused = runner.invoke(app, ["session", "length", session_id, "extended"])
    assert refused.exit_code == 2 and "unknown track length" in " ".join(refused.output.split())


def test_cli_mix_leaves_a_session(cli_env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "mix.wav"
    result = CliRunner().invoke(
        app, ["mix", "--user", "demo-user-06", "--tracks", "2", "--no-voice", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    session_id = result.stdout.split("DJ session ")[1].split()[0]
    shown = CliRunner().invoke(app, ["session", "show", session_id, "--json"])
    saved = json.loads(shown.stdout)
    sheet = json.loads(out.with_suffix(".json").read_text())
    assert saved["track_ids"] == [t["track_id"] for t in sheet["tracks"]]
