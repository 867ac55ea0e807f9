"""`selecta mix` end to end on real demo tracks, and the files it writes (tags, cue sheet, picture)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from dj.output.cuesheet import CueSheet
from dj.output.export import read_tags
from services.cli.main import app
from services.data.demo import demo_catalog, demo_events
from services.importing import import_tracks
from services.personal_mix import NoMixableTracksError
from services.settings import Settings
from services.store import Store

SUBSET = (
    "happy_acoustic_1",
    "happy_acoustic_2",
    "happy_acoustic_s411",
    "tender_acoustic_2",
    "nostalgic_electronic_2",
    "nostalgic_electronic_s522",
)


@pytest.mark.slow
def test_mix_command_writes_audio_cue_sheet_and_picture(
    cli_env: Settings, store: Store, tmp_path: Path
) -> None:
    catalog = demo_catalog().filter(pl.col("path").str.contains("|".join(SUBSET)))
    import_tracks(catalog, settings=cli_env, store=store)
    store.append_events(demo_events(catalog=catalog, n_users=6))
    out = tmp_path / "mix.ogg"
    result = CliRunner().invoke(
        app,
        [
            "mix",
            "--user",
            "demo-user-01",
            "--tracks",
            "3",
            "--no-voice",
            "--arc",
            "warm-up",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Transitions" in result.output and "LUFS" in result.output
    text = out.with_suffix(".json").read_text()
    sheet = json.loads(text)
    assert CueSheet.from_json(text).to_json() == text  # the typed sheet reads and writes the file as is
    assert len(sheet["tracks"]) == 3 and len(sheet["transitions"]) == 2
    assert sheet["provenance"]["recommender_bundle"] and sheet["provenance"]["analysis_version"]
    assert sheet["synthetic_voice"].startswith("The host voice in this mix is synthetic")
    assert sheet["loudness_lufs"] == pytest.approx(-14.0, abs=1.0) and sheet["true_peak_dbtp"] <= -1.0
    for tr in sheet["transitions"]:
        assert tr["reason"] and "measured" in tr and tr["camelot"]
    tags = read_tags(out)
    assert json.loads(tags["provenance"])["user_id"] == "demo-user-01" and tags["synthetic_voice"] == "yes"
    assert out.with_suffix(".png").stat().st_size > 10_000


def test_mix_without_a_catalogue_fails_clearly(cli_env: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mix", "--user", "u", "--out", str(tmp_path / "m.ogg")])
    assert isinstance(result.exception, NoMixableTracksError)
    assert result.exception.code == "no_mixable_tracks"


def test_coqui_voice_without_a_model_says_what_to_pass(cli_env: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["mix", "--user", "u", "--tts", "coqui", "--out", str(tmp_path / "m.ogg")]
    )
    assert result.exception is not None and "model_path" in str(result.exception)
    assert getattr(result.exception, "code", "") == "speech_backend_unavailable"


@pytest.mark.slow
def test_mix_says_when_fewer_tracks_than_asked_and_keeps_the_voice_out_of_blends(
    cli_env: Settings, store: Store, tmp_path: Path
) -> None:
    catalog = demo_catalog().filter(pl.col("path").str.contains("|".join(SUBSET)))
    import_tracks(catalog, settings=cli_env, store=store)
    store.append_events(demo_events(catalog=catalog, n_users=6))
    out = tmp_path / "mix.ogg"
    args = ["mix", "--user", "demo-user-01", "--tracks", "8", "--length", "radio", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    # Six tracks in the catalogue: the command says it could not give eight, and why.
    assert "warning" in result.output and "asked for 8 tracks but only 6" in result.output
    assert "whole command" in result.output and "x real time" in result.output
    sheet = CueSheet.from_json(out.with_suffix(".json").read_text())
    assert len(sheet.tracks) == 6 and sheet.provenance.options["length"] == "radio"
    assert sheet.host is not None and sheet.host.voice_in_blends_s == 0.0
    assert all(v.seconds_in_blends == 0.0 for v in sheet.voices)
    assert sheet.host.tracks_introduced + len(sheet.host.not_introduced) == 6
    assert f"{sheet.host.tracks_introduced}/6 tracks introduced" in result.output
    assert all(t.played_share is not None and t.lufs_before_cut is not None for t in sheet.tracks)


def test_an_unknown_length_mode_is_refused(cli_env: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["mix", "--user", "u", "--length", "epic", "--out", str(tmp_path / "m.ogg")]
    )
    text = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2 and "unknown track length" in text and "radio" in text
