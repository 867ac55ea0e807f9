"""``selecta requests train`` writes a model that loads and parses, from SNIPS-format files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dj.requests.intents import IntentParser
from dj.requests.model import RequestModel
from services.cli.main import app
from tests.conftest import REPO

INTENTS = (
    "PlayMusic", "AddToPlaylist", "RateBook", "SearchCreativeWork", "GetWeather", "BookRestaurant",
    "SearchScreeningEvent",
)  # fmt: skip


def _snips(directory: Path) -> Path:
    """A SNIPS-format corpus small enough to train in seconds: a few requests per intent."""
    play = [
        [{"text": "play "}, {"text": "Bonobo", "entity": "artist"}, {"text": " on "},
         {"text": "Spotify", "entity": "service"}],
        [{"text": "I want to hear "}, {"text": "eighties", "entity": "year"}, {"text": " music"}],
        [{"text": "play the "}, {"text": "song", "entity": "music_item"}, {"text": " "},
         {"text": "Kerala", "entity": "track"}],
    ] * 10  # fmt: skip
    other = [[{"text": "book a table for two in Paris"}], [{"text": "will it rain tomorrow"}]] * 10
    for name in INTENTS:
        rows = play if name == "PlayMusic" else other
        (directory / f"train_{name}_full.json").write_text(json.dumps({name: [{"data": r} for r in rows]}))
    return directory


@pytest.mark.slow  # three CRF trainings, ~15 s
def test_train_writes_a_model_that_parses(tmp_path: Path) -> None:
    snips = _snips(tmp_path)
    out = tmp_path / "model"
    gold = REPO / "data" / "requests" / "gold.jsonl"
    result = CliRunner().invoke(
        app, ["requests", "train", "--snips", str(snips), "--gold", str(gold), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "trained on" in result.output
    parser = IntentParser(model=RequestModel.load(out))
    assert parser.parse("something calmer please").kind == "energy_down"
    intent = parser.parse("play Bonobo on Spotify")
    assert intent.kind == "play" and ("artist", "Bonobo") in {(s.name, s.raw) for s in intent.slots}


def test_train_without_snips_fails_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["requests", "train", "--snips", str(tmp_path)])
    assert result.exit_code != 0
    assert "no SNIPS training files" in str(result.exception) + result.output
