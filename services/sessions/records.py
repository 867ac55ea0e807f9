"""A DJ session as kept in Redis, and the one safe way to change it.

The record is the ``DJSession`` JSON plus what a listener asks about later: why each track is in the set
(the recommender's explanation and the planned hand-over), the DJ's latest answer, and the voice the
session speaks with, so the host's lines and the spoken answers are one voice.

Two requests to one session can arrive together (a tap and a spoken request, two devices). A change is
applied to the session as read and saved with a compare-and-set (``Store.swap_session``, Redis
WATCH/MULTI): when another write landed in between, the session is read again and the change re-applied,
a few times, and then the request fails with ``session_busy`` (409) rather than silently undoing the
other write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dj.mix.exit_cue import LengthMode, parse_length
from dj.planning.session import DJSession
from dj.speech.tts import VoiceChoice
from services.store import Store
from services.store.errors import StoreError

T = TypeVar("T")

SAVE_ATTEMPTS = 4
"""How many times a change is re-applied to a session that others keep writing before giving up."""


class SessionBusyError(StoreError):
    """Other requests kept changing the session while this one was applied; nothing of it was saved."""

    code = "session_busy"
    status = 409


@dataclass(frozen=True, kw_only=True)
class StoredSession:
    """A session as kept in the store: the DJ's state, why each track is in the set, the last answer."""

    session: DJSession
    reasons: Mapping[str, str] = field(default_factory=dict)
    """The recommender's explanation of each track, in the listener's words."""
    transitions: Mapping[str, str] = field(default_factory=dict)
    """How the DJ mixes into each track (key, tempo, energy), by the track mixed into."""
    answer: str | None = None
    voice: VoiceChoice | None = None
    """The voice of the host's lines and the spoken answers (None: the server's default voice; a
    session stored before voices were kept)."""
    discovery: float = 0.0
    """The listener's discovery knob when the session started; re-plans keep it (a "something new"
    request raises it for that re-plan only)."""
    length: LengthMode = "dj"
    """How much of each track the listener hears (full, radio or dj; :mod:`dj.mix.exit_cue`): chosen at
    the start, changeable later, and used by every stream of the set, re-planned or not."""

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.session.to_dict(),
            "reasons": dict(self.reasons),
            "transitions": dict(self.transitions),
            "answer": self.answer,
            "voice": self.voice.to_dict() if self.voice is not None else None,
            "discovery": self.discovery,
            "length": self.length,
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> StoredSession:
        return cls(
            session=DJSession.from_dict(payload),
            reasons=dict(payload.get("reasons") or {}),
            transitions=dict(payload.get("transitions") or {}),
            answer=payload.get("answer"),
            voice=VoiceChoice.from_dict(payload["voice"]) if payload.get("voice") else None,
            discovery=float(payload.get("discovery") or 0.0),
            length=parse_length(payload.get("length") or "dj"),
        )


def load_session(store: Store, session_id: str) -> StoredSession:
    """The stored session; ``NotFoundError`` (404) for an unknown id."""
    return StoredSession.from_dict(store.load_session(session_id))


def save_session(store: Store, stored: StoredSession) -> None:
    store.save_session(stored.session.session_id, stored.to_dict())


def update_session(
    store: Store, session_id: str, change: Callable[[StoredSession], tuple[StoredSession, T]]
) -> tuple[StoredSession, T]:
    """Apply ``change`` to the session as stored and save the result only if nobody wrote in between;
    otherwise read it again and re-apply, up to ``SAVE_ATTEMPTS`` times, then ``SessionBusyError`` (409).
    ``change`` must be free of side effects (it may run more than once); it returns the new session and
    whatever the caller wants back from the run that was saved."""
    for _ in range(SAVE_ATTEMPTS):
        payload = store.load_session(session_id)
        new, extra = change(StoredSession.from_dict(payload))
        if store.swap_session(session_id, new.to_dict(), expected=payload):
            return new, extra
    raise SessionBusyError(
        f"session {session_id} was changed by other requests {SAVE_ATTEMPTS} times while this one was "
        "applied; nothing was saved, send it again"
    )
