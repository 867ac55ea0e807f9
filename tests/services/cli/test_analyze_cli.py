"""``selecta analyze`` on a file and a folder: a table, or one JSON object per file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
from typer.testing import CliRunner

from dj.errors import AudioDecodeError
from dj.testing.music import render_track
from services.cli.main import app
from services.settings import get_settings


@pytest.fixture
def music_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SELECTA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    folder = tmp_path / "music"
    folder.mkdir()
    for bpm, tonic in ((96, 0), (128, 9)):
        track = render_track(bpm=bpm, tonic=tonic, mode="major" if tonic == 0 else "minor", duration_s=6.0)
        sf.write(folder / f"t{bpm}.flac", track.y, track.sr)
    (folder / "readme.txt").write_text("not audio")
    yield folder
    get_settings.cache_clear()


def test_json_output_has_one_object_per_file(music_dir: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(music_dir), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [Path(r["path"]).name for r in rows] == ["t128.flac", "t96.flac"]
    assert [round(r["bpm"]) for r in rows] == [128, 96]
    assert [(r["key"], r["camelot"]) for r in rows] == [("A minor", "8A"), ("C major", "8B")]
    for r in rows:
        assert {"beats", "downbeats", "energy", "lufs"} <= r.keys() and len(r["beats"]) > 8
    assert list((music_dir.parent / "data" / "cache" / "analysis").rglob("*.json"))


def test_table_output_and_bad_path(music_dir: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(music_dir / "t96.flac"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "96.0" in result.stdout and "8B" in result.stdout
    absent = music_dir / "absent.wav"
    missing = CliRunner().invoke(app, ["analyze", str(absent)])
    assert missing.exit_code == 1 and isinstance(missing.exception, AudioDecodeError)
    assert str(missing.exception) == f"{absent}: no such file or folder"
    # A file that exists but is not audio fails for its own reason, and the error names it.
    broken = music_dir / "broken.wav"
    broken.write_bytes(b"RIFF this is not audio at all" * 20)
    corrupt = CliRunner().invoke(app, ["analyze", str(broken), "--no-cache"])
    assert corrupt.exit_code == 1 and isinstance(corrupt.exception, AudioDecodeError)
    assert str(corrupt.exception).startswith(f"{broken}: cannot decode audio")


def test_several_paths_are_analysed_once_each_in_order(music_dir: Path) -> None:
    paths = [str(music_dir / "t96.flac"), str(music_dir), str(music_dir / "t96.flac")]
    result = CliRunner().invoke(app, ["analyze", *paths, "--json", "--workers", "1", "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [Path(r["path"]).name for r in rows] == ["t96.flac", "t128.flac"]
    assert all((r["meter"], r["beats_per_bar"]) == ("4/4", 4) for r in rows)
    assert all(len(r["tempo_curve"]) == len(r["tempo_times"]) > 0 for r in rows)
    table = CliRunner().invoke(app, ["analyze", str(music_dir / "t128.flac"), str(music_dir), "--no-cache"])
    assert table.exit_code == 0, table.output
    assert "2 track(s) analysed" in table.stdout and "4/4" in table.stdout
