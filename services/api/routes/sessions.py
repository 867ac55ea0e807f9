"""DJ sessions: start a set, follow it, talk to the DJ (typed or spoken), hear its answer, stream the mix.

Every handler that transcribes, plans or synthesizes runs in the thread pool (plain ``def`` handlers, or
``run_in_threadpool`` after an upload is read), so the event loop keeps serving other requests.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Annotated

import soundfile as sf
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from services.api.auth import BodyCaller, SessionCaller, SessionMediaCaller
from services.api.deps import MetricsDep, StateDep
from services.api.limits import limit_voice, releasing, take_render_slot
from services.api.schemas import (
    ErrorBody,
    IntentPublic,
    MixProgressPublic,
    RequestResult,
    RequestText,
    SessionChange,
    SessionCreate,
    SessionPublic,
    TrackInSet,
    TranscriptPublic,
)
from services.api.uploads import AUDIO_UPLOAD_OPENAPI, read_audio_upload
from services.data.errors import NotFoundError
from services.engines import Engines
from services.sessions import lifecycle as sessions
from services.sessions.lifecycle import RequestOutcome, StoredSession
from services.sessions.stream import mix_progress, mix_stream, prepare_mix
from services.sessions.stream_encoders import (
    FORMATS,
    StreamFormat,
    UnsupportedFormatError,
    available_formats,
    stream_format,
)
from services.store import Store

if TYPE_CHECKING:
    from dj.speech.transcribe import Transcript

router = APIRouter(prefix="/sessions", tags=["sessions"])


def get_engines(state: StateDep) -> Engines:
    """One ``Engines`` per process: Whisper and the host voice load on their first use, then stay."""
    return state.engines()


EnginesDep = Annotated[Engines, Depends(get_engines)]


@router.post("", response_model=SessionPublic, status_code=201)
def create_session(
    caller: BodyCaller, body: SessionCreate, engines: EnginesDep, state: StateDep
) -> SessionPublic:
    """Plan a personalised set for the listener (first track playing) and keep it as a session."""
    caller.act_for(body.user_id)
    session = sessions.start_session(
        state.settings,
        state.store,
        user_id=body.user_id,
        n_tracks=body.n_tracks,
        arc=body.arc,
        discovery=body.discovery,
        length=body.length,
        engines=engines,
    )
    return session_public(engines, state.store, sessions.load_session(state.store, session.session_id))


@router.get("/{session_id}", response_model=SessionPublic)
def get_session(
    caller: SessionCaller, session_id: str, engines: EnginesDep, state: StateDep
) -> SessionPublic:
    """The set: what plays, what comes next and why, the constraints requests have set."""
    return session_public(engines, state.store, sessions.load_session(state.store, session_id))


@router.patch("/{session_id}", response_model=SessionPublic)
def change_session(
    caller: SessionCaller, session_id: str, body: SessionChange, engines: EnginesDep, state: StateDep
) -> SessionPublic:
    """Change the listener's settings of a running set: ``length`` (full, radio or dj) is used by the
    next ``/mix`` stream and every one after, re-planned or not. 422 on an unknown value."""
    return session_public(engines, state.store, sessions.set_length(state.store, session_id, body.length))


@router.post("/{session_id}/advance", response_model=SessionPublic)
def advance(caller: SessionCaller, session_id: str, engines: EnginesDep, state: StateDep) -> SessionPublic:
    """The next track plays (the player moved on). 422 ``invalid_session`` after the last track."""
    return session_public(engines, state.store, sessions.advance(state.store, session_id))


@router.post("/{session_id}/requests", response_model=RequestResult)
def typed_request(
    caller: SessionCaller,
    session_id: str,
    body: RequestText,
    engines: EnginesDep,
    state: StateDep,
    metrics: MetricsDep,
    request: Request,
) -> RequestResult:
    """A typed request ("play something calmer", "skip", "why this song?"): the set is re-planned
    after the playing track when the request asks for it, and the DJ answers (text and audio).
    Rate-limited per credential (429 with Retry-After)."""
    limit_voice(state, caller)
    outcome = sessions.apply_request(state.settings, state.store, session_id, text=body.text, engines=engines)
    metrics.observe_stages(dict(outcome.timings))
    return request_result(engines, state.store, outcome, request)


@router.post("/{session_id}/requests/audio", response_model=RequestResult, openapi_extra=AUDIO_UPLOAD_OPENAPI)
async def spoken_request(
    caller: SessionCaller,
    session_id: str,
    engines: EnginesDep,
    state: StateDep,
    metrics: MetricsDep,
    request: Request,
) -> RequestResult:
    """A spoken request, uploaded as the ``file`` field of a form or as an ``audio/*`` body (WebM/Opus
    from a browser, WAV, MP3, M4A). 413 past the upload limit, 422 ``audio_decode_failed`` for what is
    not audio, 422 ``no_speech`` for silence. Rate-limited per credential (429 with Retry-After)."""
    await run_in_threadpool(sessions.load_session, state.store, session_id)  # 404 before the upload
    await run_in_threadpool(limit_voice, state, caller)
    audio = await read_audio_upload(request, max_bytes=state.settings.max_upload_bytes)
    outcome = await run_in_threadpool(
        sessions.apply_request, state.settings, state.store, session_id, audio=audio, engines=engines
    )
    metrics.observe_stages(dict(outcome.timings))
    return request_result(engines, state.store, outcome, request)


@router.get(
    "/{session_id}/answer.wav",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}, "description": "The DJ's latest answer, spoken."}},
)
def answer_wav(caller: SessionMediaCaller, session_id: str, engines: EnginesDep, state: StateDep) -> Response:
    """The DJ's latest spoken answer as 16-bit WAV; 404 before the first request."""
    speech = sessions.answer_speech(state.store, session_id, engines=engines)
    if speech is None:
        raise NotFoundError(f"session {session_id!r} has no answer yet: send it a request first")
    buffer = io.BytesIO()
    sf.write(buffer, speech.y, speech.sr, format="WAV", subtype="PCM_16")
    return Response(content=buffer.getvalue(), media_type="audio/wav")


@router.get(
    "/{session_id}/mix",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {f.media_type: {} for f in FORMATS},
            "description": "The mix, streamed as it renders (chunked; read to the end of the response). "
            "WAV is 16-bit PCM stereo at 44.1 kHz (RIFF and data sizes 0xFFFFFFFF); Ogg/Opus is 96 kbit/s "
            "at 48 kHz; MP3 is 128 kbit/s at 44.1 kHz.",
        },
        406: {"model": ErrorBody, "description": "No format the client accepts (or asks for) is offered."},
    },
)
def stream_mix(
    caller: SessionMediaCaller,
    session_id: str,
    engines: EnginesDep,
    state: StateDep,
    metrics: MetricsDep,
    request: Request,
    voice: Annotated[bool, Query(description="Spoken host intros before tracks.")] = True,
    format_name: Annotated[
        str | None,
        Query(
            alias="format",
            description="`wav`, `opus` (Ogg/Opus) or `mp3`; without it, the Accept header chooses "
            "(WAV for `*/*` or no header).",
            max_length=16,
        ),
    ] = None,
) -> StreamingResponse:
    """The set from the playing track on, beat-matched and loudness-limited, streamed chunk by chunk
    while the renderer is still mixing (the first audio arrives after the first track is decoded).
    ``GET /sessions/{id}`` reports the render's progress under ``mix``. A process renders at most
    ``max_concurrent_renders`` mixes at once: past that, 503 ``renders_busy`` with Retry-After.
    An unknown ``format``, or an Accept header no offered format matches, is 406 ``unsupported_format``."""
    fmt = stream_format(format_name) if format_name is not None else negotiate(request.headers.get("accept"))
    release = take_render_slot(state.render_slots, metrics.renders)
    try:
        prepared = prepare_mix(state.store, session_id, engines=engines, voice=voice)
    except BaseException:
        release()
        raise
    return StreamingResponse(
        releasing(mix_stream(prepared, state.store, fmt), release),
        media_type=fmt.media_type,
        headers={"X-Selecta-Duration-S": f"{prepared.duration_s:.3f}", "Cache-Control": "no-store"},
    )


def negotiate(accept: str | None) -> StreamFormat:
    """The offered format the Accept header prefers: highest q; among equals, an exact media type before
    a wildcard, then the order of ``FORMATS`` (WAV first). ``audio/opus`` also names Ogg/Opus."""
    offered = available_formats()
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, fmt in enumerate(offered):
        base = fmt.media_type.split(";")[0]
        names = {base, "audio/opus"} if fmt.name == "opus" else {base}
        score = None
        for media, q in _accepted(accept):
            exact = 2 if media in names else 1 if media in ("audio/*", "*/*") else 0
            if exact and (score is None or (exact, q) > score):
                score = (exact, q)
        if score is None or score[1] <= 0:
            continue
        rank = (score[1], score[0], -order)
        if best is None or rank > best:
            best, chosen = rank, fmt
    if chosen is None:
        listed = ", ".join(f.media_type for f in offered)
        raise UnsupportedFormatError(f"the mix is offered as {listed}; none is in the Accept header")
    return chosen


def _accepted(accept: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; a malformed q counts as 0."""
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def session_public(engines: Engines, store: Store, stored: StoredSession) -> SessionPublic:
    session = stored.session
    view = engines.catalog()

    def track(track_id: str) -> TrackInSet:
        title, artist = view.title(track_id)
        return TrackInSet(
            track_id=track_id,
            title=title,
            artist=artist,
            reason=stored.reasons.get(track_id),
            transition=stored.transitions.get(track_id),
        )

    progress = mix_progress(store, session.session_id)
    return SessionPublic(
        session_id=session.session_id,
        user_id=session.user_id,
        arc=session.energy_arc,
        position=session.position,
        count=len(session.track_ids),
        playing=track(session.playing) if session.playing is not None else None,
        upcoming=[track(t) for t in session.upcoming],
        played=list(session.track_ids[: session.position]),
        constraints=dict(session.constraints),
        requests=list(session.requests),
        answer=stored.answer,
        length=stored.length,
        mix=MixProgressPublic(**progress.__dict__) if progress is not None else None,
    )


def request_result(
    engines: Engines, store: Store, outcome: RequestOutcome, request: Request
) -> RequestResult:
    session_id = outcome.session.session_id
    url = request.url_for("answer_wav", session_id=session_id)
    return RequestResult(
        transcript=transcript_public(outcome.transcript),
        intent=IntentPublic(**outcome.intent.to_dict()),
        timings=dict(outcome.timings),
        answer=outcome.answer,
        answer_audio_url=f"{url}?n={len(outcome.session.requests)}",
        replanned=outcome.replanned,
        constraints=dict(outcome.constraints),
        session=session_public(engines, store, outcome.stored),
    )


def transcript_public(transcript: Transcript | None) -> TranscriptPublic | None:
    if transcript is None:
        return None
    return TranscriptPublic(
        **{k: getattr(transcript, k) for k in TranscriptPublic.model_fields},
    )
