from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from services.api.auth import BodyCaller, UserCaller
from services.api.deps import StoreDep, app_state
from services.api.schemas import EventBatch, EventPublic, EventsWritten, History
from services.data.demo import is_synthetic_user
from services.data.errors import NotFoundError
from services.store.store import EventRow

router = APIRouter(tags=["events"])


@router.post("/events", response_model=EventsWritten, status_code=201)
async def post_events(caller: BodyCaller, batch: EventBatch, request: Request) -> Response:
    """Record listening events. All or nothing: one unknown track id rejects the batch with a 404, one
    event for another listener (with a listener token) with a 403. An event whose ``event_id`` this
    listener already sent is stored once: a retried batch answers with it under ``duplicates``.

    Async: the write is one script call on the event loop (the store's event-loop connections, same
    timeout), so an event costs no thread-pool hop; only a changed catalogue's id set is rebuilt in a
    worker thread. The state comes from the request and the answer is serialised here: each dependency,
    and FastAPI's second validation of a returned model, costs on every event."""
    state = app_state(request)
    for user_id in {e.user_id for e in batch.events}:
        caller.act_for(user_id)
    known = state.current_track_ids()
    if known is None:
        known = await run_in_threadpool(state.track_ids)
    unknown = [e.track_id for e in batch.events if e.track_id not in known]
    if unknown:
        raise NotFoundError(f"unknown track id(s): {', '.join(sorted(set(unknown))[:5])}")
    now = datetime.now(timezone.utc)
    rows = [
        EventRow(
            user_id=e.user_id,
            track_id=e.track_id,
            ts=e.ts or now,
            ms_played=e.ms_played,
            reason=e.reason,
            plays=1,
            event_id=e.event_id,
        )
        for e in batch.events
    ]
    # EventCreate checked every field; the store's data-frame validation would cost more than the write.
    written = await state.store.append_checked_async(rows)
    body = EventsWritten(written=written, duplicates=len(batch.events) - written)
    return Response(body.model_dump_json(), status_code=201, media_type="application/json")


@router.get("/users/{user_id}/history", response_model=History)
def history(
    caller: UserCaller, user_id: str, store: StoreDep, n: Annotated[int, Query(ge=1, le=500)] = 50
) -> History:
    """The user's most recent events, newest first (empty for a user with none)."""
    recent = store.recent_history(user_id, n)
    return History(
        user_id=user_id,
        synthetic=is_synthetic_user(user_id),
        count=recent.height,
        events=[
            EventPublic(**{k: r[k] for k in EventPublic.model_fields}) for r in recent.iter_rows(named=True)
        ],
    )
