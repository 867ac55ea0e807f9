"""`selecta mix` end to end on real demo tracks, and the files it writes (tags, cue sheet, picture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import soundfile as sf
from tinytag import TinyTag
from typer.testing import CliRunner

from dj.output.export import UnsupportedFormatError, read_tags, write_mix
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


@pytest.fixture
def cli_env(settings: Settings, cli_settings: Callable[[Settings], Settings]) -> Settings:
    return cli_settings(settings)


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
    sheet = json.loads(out.with_suffix(".json").read_text())
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


@pytest.mark.parametrize("suffix", ["wav", "flac", "ogg", "mp3"])
def test_every_format_carries_the_tags(tmp_path: Path, suffix: str) -> None:
    y = (0.1 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)).astype(np.float32)
    path = write_mix(
        tmp_path / f"m.{suffix}",
        y=np.stack([y, y]),
        sr=22050,
        tags={
            "title": "T",
            "artist": "A",
            "comment": "c",
            "provenance": '{"x": 1}',
            "synthetic_voice": "yes",
        },
    )
    tags = read_tags(path)
    assert tags["title"] == "T" and tags["provenance"] == '{"x": 1}' and tags["synthetic_voice"] == "yes"
    # Tagging leaves the audio intact (an Ogg remux once lost its length), and a second reader agrees.
    assert sf.info(str(path)).frames == 22050
    other = TinyTag.get(path)
    assert other.title == "T" and other.other["synthetic_voice"] == ["yes"]
    with pytest.raises(UnsupportedFormatError):
        write_mix(tmp_path / "m.aiff", y=np.stack([y, y]), sr=22050, tags={})


def test_coqui_voice_without_a_model_says_what_to_pass(cli_env: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["mix", "--user", "u", "--tts", "coqui", "--out", str(tmp_path / "m.ogg")]
    )
    assert result.exception is not None and "model_path" in str(result.exception)
    assert getattr(result.exception, "code", "") == "speech_backend_unavailable"
