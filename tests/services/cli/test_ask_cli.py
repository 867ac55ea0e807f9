"""``selecta ask`` end to end: typed and spoken requests, JSON output, a session request, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import soundfile as sf
from typer.testing import CliRunner

from dj.planning.session import DJSession
from services.cli.main import app
from services.data.catalog import save_catalog
from services.settings import Settings
from services.store import Store
from tests.conftest import REPO

CATALOG = REPO / "data" / "requests" / "catalog.jsonl"


@pytest.fixture
def cli_env(cli_env: Settings) -> Settings:
    """The package's CLI environment with the request gold set's catalogue saved in it."""
    save_catalog(pl.read_ndjson(CATALOG, schema_overrides={"year": pl.Int32}), cli_env.catalog_path)
    return cli_env


def test_typed_request_json(cli_env: Settings) -> None:
    result = CliRunner().invoke(app, ["ask", "play the latest album by DAF Punk", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["intent"]["kind"] == "play"
    artist = next(s for s in out["intent"]["slots"] if s["name"] == "artist")
    assert artist["raw"] == "DAF Punk" and artist["entity"]["name"] == "Daft Punk"  # the span as said
    assert "understand_s" in out["timings"] and out["transcript"] is None


def test_spoken_request(cli_env: Settings, tmp_path: Path) -> None:
    from dj.speech.tts import HibariSynthesizer

    speech = HibariSynthesizer().synthesize("Please skip this song.")
    wav = tmp_path / "request.wav"
    pad = np.zeros(int(0.4 * speech.sr), dtype=np.float32)
    sf.write(wav, np.concatenate([pad, speech.y, pad]), speech.sr)
    result = CliRunner().invoke(app, ["ask", "--audio", str(wav), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "skip" in out["transcript"]["text"].lower()
    assert out["intent"]["kind"] == "skip"
    assert out["timings"]["transcribe_s"] > 0


def test_why_on_a_session_records_the_request(cli_env: Settings, store: Store) -> None:
    session = DJSession(session_id="s1", user_id="u1", track_ids=("req:006", "req:002"), position=0)
    store.save_session("s1", session.to_dict())
    result = CliRunner().invoke(app, ["ask", "why this song?", "--session", "s1", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "Get Lucky by Daft Punk" in out["session"]["answer"]
    saved = DJSession.from_dict(store.load_session("s1"))
    assert saved.requests == ("why this song?",) and saved.track_ids == session.track_ids


def test_text_and_audio_together_is_refused(cli_env: Settings, tmp_path: Path) -> None:
    # A real, readable recording: the only thing wrong with the call is that it gives both.
    wav = tmp_path / "request.wav"
    sf.write(wav, np.zeros(16000, dtype=np.float32), 16000)
    both = CliRunner().invoke(app, ["ask", "skip", "--audio", str(wav)])
    neither = CliRunner().invoke(app, ["ask"])
    for result in (both, neither):
        assert result.exit_code == 2, result.output  # a usage error, not a failure to read the audio
        said = " ".join(result.output.replace("│", " ").split())  # unwrap Typer's error box
        assert "give the request as TEXT or with --audio, not both" in said
