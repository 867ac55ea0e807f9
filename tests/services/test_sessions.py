"""DJ sessions through ``services.sessions`` and the CLI: real demo recordings, recommender, Redis, Whisper
and Piper. One trained data directory and one set of speech models serve the whole module."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from dj.requests.answers import LINES
from dj.session import DJSession, InvalidSessionError
from dj.speech.tts import PiperSynthesizer
from services import sessions
from services.cli.main import app
from services.data.errors import NotFoundError
from services.engines import Engines
from services.settings import Settings, get_settings
from services.store import Store


@pytest.fixture(scope="module")
def voice(trained: tuple[Settings, Store]) -> PiperSynthesizer:
    settings, _ = trained
    return PiperSynthesizer(deterministic=True, cache_dir=settings.cache_dir / "tts")


@pytest.fixture(scope="module")
def engines(trained: tuple[Settings, Store], voice: PiperSynthesizer) -> Engines:
    settings, store = trained
    return Engines(settings, store, synthesizer=voice)


@pytest.fixture
def cli_env(trained: tuple[Settings, Store], monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    settings, _ = trained
    monkeypatch.setenv("SELECTA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("SELECTA_REDIS_NAMESPACE", settings.redis_namespace)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def spoken(voice: PiperSynthesizer, text: str) -> bytes:
    """``text`` said by the Piper voice with a little silence around it, as WAV bytes."""
    speech = voice.synthesize(text)
    pad = np.zeros(int(0.4 * speech.sr), dtype=np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, np.concatenate([pad, speech.y, pad]), speech.sr, format="WAV")
    return buffer.getvalue()


def energetic_session(store: Store, engines: Engines, *, user_id: str = "demo-user-01") -> DJSession:
    """A six-track set whose second track (playing) is the most energetic of the catalogue, so "calmer"
    has somewhere to go."""
    analyses = engines.analyses()
    by_energy = sorted(analyses, key=lambda t: analyses[t].energy)
    track_ids = (by_energy[0], by_energy[-1], *by_energy[1:5])
    session = DJSession.new(user_id=user_id).with_plan(track_ids).advance()
    sessions.save_session(store, sessions.StoredSession(session=session))
    return session


def test_start_session_plans_a_personal_set_and_keeps_it(trained, engines: Engines) -> None:
    settings, store = trained
    session = sessions.start_session(settings, store, user_id="demo-user-02", n_tracks=6, engines=engines)
    assert len(session.track_ids) == 6 and len(set(session.track_ids)) == 6
    assert set(session.track_ids) <= set(engines.analyses())
    assert session.position == 0 and session.playing == session.track_ids[0]
    stored = sessions.load_session(store, session.session_id)
    assert stored.session == session
    assert set(stored.transitions) == set(session.track_ids[1:])  # how each later track is mixed in
    assert all("BPM" in reason or "crossfade" in reason for reason in stored.transitions.values())
    assert stored.reasons and set(stored.reasons) <= set(session.track_ids)


def test_calmer_replans_what_follows_the_playing_track(trained, engines: Engines) -> None:
    settings, store = trained
    session = energetic_session(store, engines)
    playing_energy = engines.analyses()[session.playing].energy
    outcome = sessions.apply_request(
        settings, store, session.session_id, text="play something calmer", engines=engines, speak=False
    )
    new = outcome.session
    assert outcome.intent.kind == "energy_down" and outcome.replanned
    assert outcome.answer in LINES["energy_down"]
    assert new.track_ids[:2] == session.track_ids[:2] and new.position == 1  # played + playing kept
    assert len(new.upcoming) == len(session.upcoming)
    energies = [engines.analyses()[t].energy for t in new.upcoming]
    assert max(energies) < playing_energy
    low, high = new.constraints["energy_range"]
    assert low == 0.0 and high < playing_energy
    assert sessions.load_session(store, session.session_id).session == new
    assert new.requests == ("play something calmer",)


def test_skip_moves_on_excludes_the_track_and_records_the_skip(trained, engines: Engines) -> None:
    settings, store = trained
    session = energetic_session(store, engines, user_id="skipper")
    skipped = session.playing
    outcome = sessions.apply_request(
        settings, store, session.session_id, text="skip this song", engines=engines, speak=False
    )
    assert outcome.intent.kind == "skip"
    assert outcome.session.position == session.position + 1
    assert skipped not in outcome.session.upcoming and skipped in outcome.constraints["exclude"]
    last = store.recent_history("skipper", 1).row(0, named=True)
    assert last["track_id"] == skipped and last["reason"] == "skipped"


def test_why_this_song_names_the_track_and_its_reason(trained, engines: Engines) -> None:
    settings, store = trained
    session = sessions.start_session(settings, store, user_id="demo-user-03", n_tracks=4, engines=engines)
    stored = sessions.load_session(store, session.session_id)
    outcome = sessions.apply_request(
        settings, store, session.session_id, text="why this song?", engines=engines
    )
    title, _ = engines.catalog().title(session.playing)
    assert title is not None and title in outcome.answer
    reason = stored.reasons.get(session.playing)
    if reason:
        assert reason.rstrip(".") in outcome.answer
    assert not outcome.replanned and outcome.session.track_ids == session.track_ids
    assert outcome.speech is not None and outcome.speech.text == outcome.answer
    assert outcome.speech.duration_s > 0.5
    again = sessions.answer_speech(store, session.session_id, engines=engines)
    assert again is not None and np.array_equal(again.y, outcome.speech.y)


def test_spoken_request_is_transcribed_and_applied(
    trained, engines: Engines, voice: PiperSynthesizer
) -> None:
    settings, store = trained
    session = energetic_session(store, engines)
    audio = spoken(voice, "Play something calmer, please.")
    outcome = sessions.apply_request(settings, store, session.session_id, audio=audio, engines=engines)
    assert outcome.transcript is not None and "calmer" in outcome.transcript.text.lower()
    assert outcome.intent.kind == "energy_down" and outcome.replanned
    assert outcome.timings["transcribe_s"] > 0 and "replan_s" in outcome.timings


def test_unknown_session_and_the_end_of_the_set(trained, engines: Engines) -> None:
    settings, store = trained
    with pytest.raises(NotFoundError):
        sessions.apply_request(settings, store, "nope", text="skip", engines=engines)
    session = sessions.start_session(settings, store, user_id="demo-user-04", n_tracks=2, engines=engines)
    assert sessions.advance(store, session.session_id).session.position == 1
    with pytest.raises(InvalidSessionError):
        sessions.advance(store, session.session_id)


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
