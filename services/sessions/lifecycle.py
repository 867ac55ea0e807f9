"""The DJ session lifecycle, one implementation for the CLI and the API: start a set, take a typed or
spoken request, move to the next track.

A session lives in Redis as a ``StoredSession`` (``services.sessions.records``). The DJ's spoken answer's
audio is not stored: the synthesizer caches lines on disk by text, so ``answer.wav`` is the
cached render of the stored answer text.

A request is understood (transcribed when spoken, then parsed against the catalogue), turned into an
effect on the set (``dj.requests.effects``), and, when the effect asks for it, the recommender is asked
for candidates under the new constraints and the planner re-plans what follows the playing track.
Feedback ("skip", "I love this") is recorded as a listening event so the next ranking knows it.

Every change goes through ``services.sessions.records.update_session`` (compare-and-set with retries, then
``session_busy``, 409), so two requests at once cannot undo each other; feedback events are recorded
once, after the save succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from dj.planning.planner import SetPlan, plan_set, replan
from dj.planning.session import DJSession
from dj.requests.answers import nothing_matches
from dj.requests.effects import (
    RELATIVE_DIMENSIONS,
    Effect,
    Levels,
    NowPlaying,
    RelativeDimension,
    apply_intent,
    constraints_from_json,
    constraints_to_json,
)
from dj.requests.intents import Intent, IntentParser
from recommender import Recommendation
from recommender.errors import UnknownItemError
from recommender.types import Constraints
from services.engines import Engines
from services.personal_mix import NoMixableTracksError, candidates_for
from services.sessions.records import (
    SAVE_ATTEMPTS,
    SessionBusyError,
    StoredSession,
    load_session,
    save_session,
    update_session,
)
from services.sessions.tastes import load_tastes, record_tastes, respect_tastes
from services.settings import Settings
from services.store import Store

if TYPE_CHECKING:
    from dj.mix.exit_cue import LengthMode
    from dj.speech.transcribe import Transcript
    from dj.speech.tts import Speech, VoiceChoice

AudioInput = bytes | str | Path

__all__ = [
    "SAVE_ATTEMPTS",
    "RequestOutcome",
    "SessionBusyError",
    "StoredSession",
    "Understanding",
    "advance",
    "answer_speech",
    "apply_request",
    "load_session",
    "save_planned",
    "save_session",
    "set_length",
    "start_session",
    "understand",
    "update_session",
]


@dataclass(frozen=True, kw_only=True)
class Understanding:
    """A request understood without touching any session: what was heard and what it asks for."""

    transcript: Transcript | None
    intent: Intent
    timings: Mapping[str, float]


@dataclass(frozen=True, kw_only=True)
class RequestOutcome:
    """What a request did to a session. ``speech`` is the spoken answer (None when not asked to speak)."""

    transcript: Transcript | None
    intent: Intent
    answer: str
    speech: Speech | None
    stored: StoredSession
    replanned: bool
    constraints: Mapping[str, Any]
    timings: Mapping[str, float]

    @property
    def session(self) -> DJSession:
        return self.stored.session

    @property
    def upcoming(self) -> tuple[str, ...]:
        return self.stored.session.upcoming


def save_planned(
    store: Store,
    *,
    user_id: str,
    plan: SetPlan,
    voice: VoiceChoice | None = None,
    discovery: float = 0.0,
    length: LengthMode = "dj",
) -> DJSession:
    """Keep a planned set (``selecta mix``'s, or a new session's) as a new session, first track playing,
    with the voice its host spoke with (``voice``; None: the server's default), which its answers keep,
    and the discovery it was planned with and the track length it was mixed in, which its re-plans and
    streams keep."""
    session = DJSession.new(user_id=user_id, energy_arc=plan.arc.value).with_plan(plan.track_ids)
    reasons, transitions = _why(plan)
    stored = StoredSession(
        session=session,
        reasons=reasons,
        transitions=transitions,
        voice=voice,
        discovery=discovery,
        length=length,
    )
    save_session(store, stored)
    return session


def start_session(
    settings: Settings,
    store: Store,
    *,
    user_id: str,
    n_tracks: int = 8,
    arc: str = "steady",
    discovery: float = 0.0,
    length: LengthMode = "dj",
    engines: Engines | None = None,
) -> DJSession:
    """Plan a personalised set from the recommender's candidates and keep it as a new session.
    ``discovery`` (0..1) is the recommender's knob: how far the set leaves the artists the listener knows;
    ``length`` (full, radio or dj) is how much of each track its stream plays."""
    engines = engines or Engines(settings, store)
    analyses = engines.analyses()
    if len(analyses) < 2:
        raise NoMixableTracksError("the catalogue has fewer than two analysed tracks with audio to play")
    service = engines.recommendations
    model = service.model()
    candidates = candidates_for(
        model,
        user_id,
        n_tracks=n_tracks,
        pool=set(analyses),
        history=service.history(model, user_id),
        discovery=discovery,
    )
    candidates = respect_tastes(candidates, load_tastes(store, user_id), engines.catalog().index)
    plan = plan_set(
        candidates,
        analyses=analyses,
        n_tracks=min(n_tracks, len(candidates)),
        arc=arc,
        meta=engines.catalog().meta,
    )
    return save_planned(
        store, user_id=user_id, plan=plan, voice=engines.voice, discovery=discovery, length=length
    )


def advance(store: Store, session_id: str) -> StoredSession:
    """The next track plays. ``InvalidSessionError`` (422) when the set has ended."""

    def move(stored: StoredSession) -> tuple[StoredSession, None]:
        return replace(stored, session=stored.session.advance()), None

    return update_session(store, session_id, move)[0]


def set_length(store: Store, session_id: str, length: LengthMode) -> StoredSession:
    """The listener changes how much of each track plays (full, radio or dj): kept in the session, so the
    next stream of the set, and every one after a re-plan, leaves each track where this mode says."""

    def change(stored: StoredSession) -> tuple[StoredSession, None]:
        return replace(stored, length=length), None

    return update_session(store, session_id, change)[0]


def understand(
    engines: Engines, *, text: str | None = None, audio: AudioInput | None = None
) -> Understanding:
    """Transcribe (for ``audio``) and parse a request against the catalogue; exactly one of the two."""
    if (text is None) == (audio is None):
        from dj.errors import RequestTextError

        raise RequestTextError("give the request as text or as audio, not both and not neither")
    timings: dict[str, float] = {}
    transcript = None
    if audio is not None:
        transcript = engines.transcriber().transcribe(audio)
        text = transcript.text
        timings |= {
            "decode_s": transcript.timings.decode_s,
            "vad_s": transcript.timings.vad_s,
            "transcribe_s": transcript.timings.transcribe_s,
        }
    assert text is not None
    t0 = time.perf_counter()
    index = engines.catalog().index
    timings["index_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    intent = IntentParser(index).parse(text)
    timings["understand_s"] = time.perf_counter() - t0
    return Understanding(transcript=transcript, intent=intent, timings=timings)


def apply_request(
    settings: Settings,
    store: Store,
    session_id: str,
    *,
    text: str | None = None,
    audio: AudioInput | None = None,
    engines: Engines | None = None,
    speak: bool = True,
) -> RequestOutcome:
    """Apply a typed or spoken request to a session: re-plan if it asks for it, save, and answer."""
    engines = engines or Engines(settings, store)
    load_session(store, session_id)  # an unknown session fails before any transcription
    understood = understand(engines, text=text, audio=audio)
    timings = dict(understood.timings)
    t0 = time.perf_counter()
    intent = understood.intent
    stored, applied = update_session(store, session_id, lambda current: _apply(engines, current, intent))
    session, answer = stored.session, applied.answer
    if applied.feedback is not None and applied.feedback_track is not None:
        _record_feedback(
            store, user_id=session.user_id, track_id=applied.feedback_track, reason=applied.feedback
        )
    record_tastes(store, session.user_id, intent)
    timings["replan_s"] = time.perf_counter() - t0
    speech = None
    if speak:
        t0 = time.perf_counter()
        speech = engines.synthesizer(stored.voice).synthesize(answer)
        timings["speak_s"] = time.perf_counter() - t0
    return RequestOutcome(
        transcript=understood.transcript,
        intent=intent,
        answer=answer,
        speech=speech,
        stored=stored,
        replanned=applied.replanned,
        constraints=dict(session.constraints),
        timings={k: round(v, 4) for k, v in timings.items()},
    )


@dataclass(frozen=True, kw_only=True)
class _Applied:
    """What applying a request did, beyond the new session: the answer, whether the set was re-planned,
    and the feedback to record (once, after the save) for the track that was playing."""

    answer: str
    replanned: bool
    feedback: str | None
    feedback_track: str | None


def _apply(engines: Engines, stored: StoredSession, intent: Intent) -> tuple[StoredSession, _Applied]:
    """The request's effect on the session as read: re-plan if it asks for it (no store writes here)."""
    session = stored.session
    playing = _now_playing(engines, stored)
    current = constraints_from_json(session.constraints)
    dimension = RELATIVE_DIMENSIONS.get(intent.kind)
    effect = apply_intent(
        intent,
        current=current,
        playing=playing,
        index=engines.catalog().index,
        levels=_levels(engines, session, _without(current, dimension)) if dimension else None,
    )
    answer, replanned = effect.answer, False
    feedback_track = session.playing
    if effect.replan:
        planned = _replan(engines, stored, effect)
        if planned is not None:
            stored, session, replanned = planned, planned.session, True
        elif not effect.skip:  # a skip still moves on within the set as planned
            answer = nothing_matches(intent.kind, seed=intent.text)
    if effect.skip and session.position + 1 < len(session.track_ids):
        session = session.advance()
    # The effect's constraints are the session's merged with the request's (``dj.requests.effects``
    # decides what a new request keeps); a request nothing fits leaves them as they were.
    kept = replanned or not effect.replan
    constraints = constraints_to_json(effect.constraints) if kept else dict(session.constraints)
    session = replace(session.with_request(intent.text), constraints=constraints)
    new = replace(stored, session=session, answer=answer)
    return new, _Applied(
        answer=answer, replanned=replanned, feedback=effect.feedback, feedback_track=feedback_track
    )


def _levels(engines: Engines, session: DJSession, others: Constraints) -> Levels:
    """Energies and tempos of the tracks the set could move to: the recommender's candidates under the
    session's other constraints (``others``), what has played and the playing track left out."""
    analyses = engines.analyses()
    service = engines.recommendations
    model = service.model()
    played = set(session.track_ids[: session.position + 1])
    candidates = candidates_for(
        model,
        session.user_id,
        n_tracks=len(session.track_ids),
        pool=set(analyses),
        history=service.history(model, session.user_id),
        constraints=others,
    )
    found = [analyses[c.track_id] for c in candidates if c.track_id not in played]
    return Levels(
        energies=tuple(a.energy for a in found),
        tempos=tuple(a.bpm for a in found if a.bpm),
        wanted=max(1, len(session.upcoming)),
    )


def answer_speech(store: Store, session_id: str, *, engines: Engines) -> Speech | None:
    """The DJ's latest spoken answer in a session (from the voice's cache, in the session's voice), None
    before any request."""
    stored = load_session(store, session_id)
    return engines.synthesizer(stored.voice).synthesize(stored.answer) if stored.answer else None


def _now_playing(engines: Engines, stored: StoredSession) -> NowPlaying | None:
    playing = stored.session.playing
    if playing is None:
        return None
    analysis = engines.analyses().get(playing)
    title, artist = engines.catalog().title(playing)
    return NowPlaying(
        track_id=playing,
        title=title,
        artist=artist,
        energy=analysis.energy if analysis is not None else None,
        bpm=analysis.bpm if analysis is not None else None,
        explanation=stored.reasons.get(playing),
    )


def _replan(engines: Engines, stored: StoredSession, effect: Effect) -> StoredSession | None:
    """Candidates under the effect's constraints (the pinned tracks first), then the planner re-plans what
    follows the playing track. None when nothing in the catalogue fits: the set stays as it is."""
    session = stored.session
    analyses = engines.analyses()
    prefix = set(session.track_ids[: session.position + 1])
    candidates = [
        c
        for c in _candidates(engines, session, effect, pool=set(analyses), discovery=stored.discovery)
        if c.track_id not in prefix
    ]
    if not candidates:
        return None
    n_tracks = min(max(len(session.track_ids), len(prefix) + 1), len(prefix) + len(candidates))
    plan = replan(session, candidates, analyses, n_tracks=n_tracks, meta=engines.catalog().meta)
    reasons, transitions = _why(plan)
    in_set = set(plan.track_ids)
    return replace(
        stored,
        session=session.with_plan(plan.track_ids),
        reasons={t: r for t, r in {**stored.reasons, **reasons}.items() if t in in_set},
        transitions={t: r for t, r in {**stored.transitions, **transitions}.items() if t in in_set},
    )


def _candidates(
    engines: Engines, session: DJSession, effect: Effect, *, pool: set[str], discovery: float
) -> list[Recommendation]:
    """The re-plan's candidates; ``discovery`` is the session's own knob, raised by a "something new"."""
    service = engines.recommendations
    model = service.model()
    pinned = [
        Recommendation(track_id=t, score=1e6, explanation="you asked for it", reason_code="requested")
        for t in effect.pinned
        if t in pool
    ]
    if effect.seeds:
        similar: list[Recommendation] = []
        for seed in effect.seeds[:3]:
            try:
                similar += model.similar_tracks(seed, n=30, constraints=effect.constraints)
            except UnknownItemError:
                continue  # a seed the bundle has never seen (imported after training)
        ranked = [c for c in similar if c.track_id in pool]
    else:
        ranked = candidates_for(
            model,
            session.user_id,
            n_tracks=len(session.track_ids),
            pool=pool,
            history=service.history(model, session.user_id),
            constraints=effect.constraints,
            discovery=max(discovery, effect.discovery),
        )
    if engines.store is not None:  # what the listener told the DJ before, in this session or another
        tastes = load_tastes(engines.store, session.user_id)
        ranked = respect_tastes(ranked, tastes, engines.catalog().index, asked=effect.constraints.tags)
    return [*pinned, *ranked]


def _why(plan: SetPlan) -> tuple[dict[str, str], dict[str, str]]:
    """Why each track is in the set (the recommender's explanation) and how the DJ mixes into it."""
    reasons = {t: plan.explanations[t] for t in plan.track_ids if plan.explanations.get(t)}
    return reasons, {tr.to_id: tr.reason for tr in plan.transitions}


def _without(constraints: Constraints, dimension: RelativeDimension) -> Constraints:
    """The constraints with the range a relative request moves left open."""
    if dimension == "energy_range":
        return replace(constraints, energy_range=None)
    return replace(constraints, tempo_range=None)


def _record_feedback(store: Store, *, user_id: str, track_id: str, reason: str) -> None:
    """A skip, like or dislike said to the DJ is a listening event like any other."""
    store.append_events(
        pl.DataFrame(
            {
                "user_id": [user_id],
                "track_id": [track_id],
                "ts": [datetime.now(timezone.utc)],
                "ms_played": [None],
                "reason": [reason],
            },
            schema_overrides={"ms_played": pl.Int64},
        )
    )
