"""``selecta ask``: a typed or spoken request to the DJ.

Without ``--session`` it transcribes (with ``--audio``) and understands, nothing more. With ``--session``
the request changes the set through ``services.sessions.lifecycle`` (the same code the API runs): its effect
becomes the session's constraints, the recommender is asked for candidates under them, the DJ re-plans
what follows the playing track, the session is saved, and the DJ's answer can be spoken into a WAV file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from services.cli.output import console, err_console
from services.settings import get_settings

if TYPE_CHECKING:  # imported inside the command: `selecta --help` must not load the speech stack
    from dj.requests.intents import Intent
    from dj.speech.transcribe import Transcript
    from services.sessions.lifecycle import RequestOutcome


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
        from services.engines import Engines
        from services.sessions import lifecycle as sessions

        if (text is None) == (audio is None):
            raise typer.BadParameter("give the request as TEXT or with --audio, not both")
        settings = get_settings()
        store = None
        if session is not None:
            from services.store import open_store

            store = open_store(settings)
        engines = Engines(settings, store, whisper_checkpoint=whisper_checkpoint)
        if engines.catalog().index is None:
            err_console.print("[yellow]no catalogue imported yet: names are extracted, not resolved[/]")
        if store is None or session is None:
            understood = sessions.understand(engines, text=text, audio=audio)
            result = _understood(understood.transcript, understood.intent, understood.timings)
        else:
            outcome = sessions.apply_request(
                settings, store, session, text=text, audio=audio, engines=engines, speak=say_to is not None
            )
            result = _understood(outcome.transcript, outcome.intent, outcome.timings)
            result["session"] = _session(outcome, say_to=say_to)
        if as_json:
            console.print_json(json.dumps(result))
        else:
            _print(result)


def _understood(
    transcript: Transcript | None, intent: Intent, timings: Mapping[str, float]
) -> dict[str, Any]:
    out: dict[str, Any] = {"transcript": None, "intent": intent.to_dict()}
    if transcript is not None:
        out["transcript"] = {
            "text": transcript.text,
            "confidence": transcript.confidence,
            "duration_s": transcript.duration_s,
            "speech_s": transcript.speech_s,
            "backend": transcript.backend,
        }
    out["timings"] = {k: round(v, 4) for k, v in timings.items()}
    return out


def _session(outcome: RequestOutcome, *, say_to: Path | None) -> dict[str, Any]:
    session = outcome.session
    out: dict[str, Any] = {
        "answer": outcome.answer,
        "constraints": dict(outcome.constraints),
        "replanned": outcome.replanned,
        "track_ids": list(session.track_ids),
        "position": session.position,
    }
    if say_to is not None and outcome.speech is not None:
        import soundfile as sf

        sf.write(say_to, outcome.speech.y, outcome.speech.sr)
        out["answer_wav"] = str(say_to)
    return out


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
