"""Understanding a request without a session: what a voice client shows while the listener speaks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from dj.errors import RequestTextError
from services.api.auth import AnyCaller
from services.api.deps import MetricsDep, StateDep
from services.api.limits import limit_voice
from services.api.routes.sessions import EnginesDep, transcript_public
from services.api.schemas import IntentPublic, RequestText, Understood
from services.api.uploads import AUDIO_UPLOAD_OPENAPI, is_audio_upload, read_audio_upload
from services.sessions import lifecycle as sessions

router = APIRouter(prefix="/requests", tags=["requests"])

_BOTH = dict(AUDIO_UPLOAD_OPENAPI["requestBody"])
_BOTH["content"] = {
    "application/json": {"schema": RequestText.model_json_schema()},
    **AUDIO_UPLOAD_OPENAPI["requestBody"]["content"],
}
MAX_JSON_BYTES = 16 * 1024


class RequestTooLargeError(RequestTextError):
    code = "request_too_large"
    status = 413


@router.post("/understand", response_model=Understood, openapi_extra={"requestBody": _BOTH})
async def understand(
    caller: AnyCaller, request: Request, state: StateDep, metrics: MetricsDep, engines: EnginesDep
) -> Understood:
    """Transcribe (for audio) and understand a request: intent, slots with the span as said and the
    catalogue entity it resolved to. JSON ``{"text": ...}``, or audio as for a session's spoken request.
    Rate-limited per credential (429 with Retry-After)."""
    await run_in_threadpool(limit_voice, state, caller)
    if is_audio_upload(request):
        audio = await read_audio_upload(request, max_bytes=engines.settings.max_upload_bytes)
        understood = await run_in_threadpool(sessions.understand, engines, audio=audio)
    else:
        body = await request.body()
        if len(body) > MAX_JSON_BYTES:
            raise RequestTooLargeError(f"a typed request is at most {MAX_JSON_BYTES} bytes of JSON")
        try:
            text = RequestText.model_validate_json(body).text
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
            ) from exc
        understood = await run_in_threadpool(sessions.understand, engines, text=text)
    metrics.observe_stages(understood.timings)
    return Understood(
        transcript=transcript_public(understood.transcript),
        intent=IntentPublic(**understood.intent.to_dict()),
        timings={k: round(v, 4) for k, v in understood.timings.items()},
    )
