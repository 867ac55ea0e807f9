"""``selecta ask``: a typed or spoken request to the DJ.

Without ``--session`` it transcribes (with ``--audio``) and understands, nothing more. With ``--session``
the request changes the set: its effect becomes the session's constraints, the recommender is asked for
candidates under them, the DJ re-plans what follows the playing track, the session is saved, and the
DJ's answer is spoken into a WAV file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from dj.requests.effects import Effect, NowPlaying, apply_intent, constraints_from_json, constraints_to_json
from dj.requests.entities import CatalogIndex
from dj.requests.intents import Intent, IntentParser
from services.cli.output import console, err_console
from services.settings import Settings, get_settings


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask(
        text: Annotated[str | None, typer.Argument(help='The request, e.g. "play something calmer".')] = None,
        audio: Annotated[
            Path | None, typer.Option(help="A spoken request (WAV, MP3, M4A, WebM/Opus).")
        ] = None,
        session: Annotated[str | None, typer.Option(help="Apply the request to this DJ session.")] = None,
        whisper_checkpoint: Annotated[
            Path | None, typer.Option(help="Use openai-whisper with this .pt checkpoint instead.")
        ] = None,
        say_to: Annotated[Path | None, typer.Option(help="Write the DJ's spoken answer to this WAV.")] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print transcript, intent, slots, timings.")
        ] = False,
    ) -> None:
        """Transcribe and understand a request; with --session, re-plan the set and answer."""
        if (text is None) == (audio is None):
            raise typer.BadParameter("give the request as TEXT or with --audio, not both")
        settings = get_settings()
        timings: dict[str, float] = {}
        result: dict[str, Any] = {"transcript": None}
        if audio is not None:
            transcript = _transcriber(whisper_checkpoint).transcribe(audio)
            text = transcript.text
            result["transcript"] = {
                "text": transcript.text,
                "confidence": transcript.confidence,
                "duration_s": transcript.duration_s,
                "speech_s": transcript.speech_s,
                "backend": transcript.backend,
            }
            timings |= {
                "decode_s": transcript.timings.decode_s,
                "vad_s": transcript.timings.vad_s,
                "transcribe_s": transcript.timings.transcribe_s,
            }
        assert text is not None
        t0 = time.perf_counter()
        index = _index(settings)
        timings["index_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        intent = IntentParser(index).parse(text)
        timings["understand_s"] = time.perf_counter() - t0
        result["intent"] = intent.to_dict()
        if session is not None:
            t0 = time.perf_counter()
            result["session"] = _apply(settings, session, intent, index, say_to=say_to)
            timings["replan_s"] = time.perf_counter() - t0
        result["timings"] = {k: round(v, 4) for k, v in timings.items()}
        if as_json:
            console.print_json(json.dumps(result))
        else:
            _print(result)


def _transcriber(checkpoint: Path | None):
    from dj.speech.transcribe import FasterWhisperTranscriber, OpenAIWhisperTranscriber

    if checkpoint is not None:
        return OpenAIWhisperTranscriber(checkpoint=checkpoint)
    return FasterWhisperTranscriber()


def _index(settings: Settings) -> CatalogIndex | None:
    """The catalogue's names, when a catalogue has been imported; without one names are only extracted."""
    if not settings.catalog_path.is_file():
        err_console.print("[yellow]no catalogue imported yet: names are extracted, not resolved[/]")
        return None
    from services.data.catalog import load_catalog

    return CatalogIndex.from_catalog(load_catalog(settings.catalog_path))


def _apply(
    settings: Settings, session_id: str, intent: Intent, index: CatalogIndex | None, *, say_to: Path | None
) -> dict[str, Any]:
    """Load the session, apply the effect, re-plan the upcoming tracks, save, and speak the answer."""
    from dj.session import DJSession
    from services.store import open_store

    store = open_store(settings)
    dj_session = DJSession.from_dict(store.load_session(session_id))
    analyses = _analyses(settings, dj_session.track_ids)
    playing_id = dj_session.playing
    playing = None
    if playing_id is not None:
        analysis = analyses.get(playing_id)
        playing = NowPlaying(
            track_id=playing_id,
            energy=getattr(analysis, "energy", None),
            bpm=getattr(analysis, "bpm", None),
            **_title_artist(index, playing_id),
        )
    effect = apply_intent(
        intent, current=constraints_from_json(dj_session.constraints), playing=playing, index=index
    )
    if effect.replan:
        dj_session = _replan(settings, dj_session, effect)
    if effect.skip and dj_session.position + 1 < len(dj_session.track_ids):
        dj_session = dj_session.advance()
    dj_session = dj_session.with_request(intent.text, constraints=constraints_to_json(effect.constraints))
    store.save_session(session_id, dj_session.to_dict())
    out: dict[str, Any] = {
        "answer": effect.answer,
        "constraints": constraints_to_json(effect.constraints),
        "replanned": effect.replan,
        "track_ids": list(dj_session.track_ids),
        "position": dj_session.position,
    }
    if say_to is not None:
        out["answer_wav"] = str(_say(settings, effect.answer, say_to))
    return out


def _replan(settings: Settings, dj_session: Any, effect: Effect) -> Any:
    """Candidates from the recommender under the new constraints (pinned tracks first), then the planner."""
    from dj.planner import replan
    from recommender import Recommender  # contract: Recommender.load / recommend / similar_tracks

    model = Recommender.load(settings.models_dir / "recommender")
    if effect.seeds:
        candidates = [
            c
            for seed in effect.seeds[:3]
            for c in model.similar_tracks(seed, n=20, constraints=effect.constraints)
        ]
    else:
        candidates = model.recommend(
            dj_session.user_id, n=50, discovery=effect.discovery, constraints=effect.constraints
        )
    from recommender.types import Recommendation

    pinned = [
        Recommendation(track_id=t, score=1e6, explanation="you asked for it", reason_code="requested")
        for t in effect.pinned
    ]
    candidates = [*pinned, *candidates]
    analyses = _analyses(settings, (*dj_session.track_ids, *(c.track_id for c in candidates)))
    plan = replan(dj_session, candidates, analyses)
    return dj_session.with_plan(plan.track_ids)


def _analyses(settings: Settings, track_ids: tuple[str, ...]) -> dict[str, Any]:
    """Audio analyses for catalogue tracks with audio (cached on disk by the analysis package)."""
    if not settings.catalog_path.is_file() or not track_ids:
        return {}
    import polars as pl

    from dj.analysis import analyze_many
    from services.data.catalog import load_catalog

    rows = load_catalog(settings.catalog_path).filter(
        pl.col("track_id").is_in(list(set(track_ids))) & pl.col("path").is_not_null()
    )
    ids, paths = rows["track_id"].to_list(), rows["path"].to_list()
    results = analyze_many(paths, cache_dir=settings.cache_dir / "analysis")
    return dict(zip(ids, results, strict=True))


def _title_artist(index: CatalogIndex | None, track_id: str) -> dict[str, str | None]:
    if index is None:
        return {}
    entity = index.track(track_id)
    return {} if entity is None else {"title": entity.name, "artist": entity.artist}


def _say(settings: Settings, text: str, path: Path) -> Path:
    import soundfile as sf

    from dj.speech.tts import PiperSynthesizer

    speech = PiperSynthesizer(cache_dir=settings.cache_dir / "tts").synthesize(text)
    sf.write(path, speech.y, speech.sr)
    return path


def _print(result: dict[str, Any]) -> None:
    if result["transcript"]:
        t = result["transcript"]
        console.print(f"[bold]heard[/]: {t['text']}  [dim](confidence {t['confidence']:.2f})[/]")
    intent = result["intent"]
    console.print(f"[bold]intent[/]: {intent['kind']}  [dim](confidence {intent['confidence']:.2f})[/]")
    for slot in intent["slots"]:
        entity = slot["entity"]
        resolved = f"-> {entity['kind']} {entity['name']!r}" if entity else "(not in the catalogue)"
        if slot["name"] in ("era", "mood", "novelty", "recency"):
            resolved = f"-> {slot['value']}"
        console.print(f"  {slot['name']}: {slot['raw']!r} {resolved}  [dim]{slot['confidence']:.2f}[/]")
        if slot["alternatives"]:
            console.print(f"    alternatives: {', '.join(a['name'] for a in slot['alternatives'])}")
    if "session" in result:
        session = result["session"]
        console.print(f"[bold]DJ[/]: {session['answer']}")
        console.print(f"  upcoming: {', '.join(session['track_ids'][session['position'] + 1 :][:8])}")
    console.print(f"[dim]{', '.join(f'{k} {v * 1000:.0f} ms' for k, v in result['timings'].items())}[/]")
