"""A DJ session: the planned set, where playback is, and the requests and constraints that shaped it.

Frozen and JSON round-trippable so a service can keep it in Redis between requests; every change makes a
new session (``advance``, ``with_plan``), which keeps concurrent readers consistent.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dj.errors import DJError
from dj.planning.arcs import EnergyArc


class InvalidSessionError(DJError):
    """A stored or submitted session that does not hold together."""

    code = "invalid_session"
    status = 422


@dataclass(frozen=True, kw_only=True)
class DJSession:
    """``track_ids[position]`` is playing; ``constraints`` is a JSON-safe mapping (the recommender's
    constraint fields by name), ``requests`` the listener's requests in order."""

    session_id: str
    user_id: str
    track_ids: tuple[str, ...] = ()
    position: int = 0
    constraints: Mapping[str, Any] = field(default_factory=dict)
    requests: tuple[str, ...] = ()
    energy_arc: str = EnergyArc.STEADY.value

    def __post_init__(self) -> None:
        EnergyArc.parse(self.energy_arc)
        if self.track_ids and not 0 <= self.position < len(self.track_ids):
            raise InvalidSessionError(
                f"position {self.position} outside a set of {len(self.track_ids)} tracks"
            )

    @classmethod
    def new(cls, *, user_id: str, energy_arc: str = EnergyArc.STEADY.value) -> DJSession:
        return cls(session_id=uuid.uuid4().hex, user_id=user_id, energy_arc=EnergyArc.parse(energy_arc).value)

    @property
    def playing(self) -> str | None:
        return self.track_ids[self.position] if self.track_ids else None

    @property
    def upcoming(self) -> tuple[str, ...]:
        return self.track_ids[self.position + 1 :]

    def with_plan(self, track_ids: tuple[str, ...] | list[str]) -> DJSession:
        """The same session with a new set; the playing track must stay where it is."""
        track_ids = tuple(track_ids)
        if self.track_ids and track_ids[: self.position + 1] != self.track_ids[: self.position + 1]:
            raise InvalidSessionError("a new plan must keep the tracks already played and the playing one")
        return replace(self, track_ids=track_ids)

    def advance(self) -> DJSession:
        if self.position + 1 >= len(self.track_ids):
            raise InvalidSessionError("the set has ended; there is no next track")
        return replace(self, position=self.position + 1)

    def with_request(self, text: str, *, constraints: Mapping[str, Any] | None = None) -> DJSession:
        merged = {**self.constraints, **(constraints or {})}
        return replace(self, requests=(*self.requests, text), constraints=merged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "track_ids": list(self.track_ids),
            "position": self.position,
            "constraints": json.loads(json.dumps(dict(self.constraints))),
            "requests": list(self.requests),
            "energy_arc": self.energy_arc,
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> DJSession:
        try:
            return cls(
                session_id=str(payload["session_id"]),
                user_id=str(payload["user_id"]),
                track_ids=tuple(str(t) for t in payload.get("track_ids", ())),
                position=int(payload.get("position", 0)),
                constraints=dict(payload.get("constraints") or {}),
                requests=tuple(str(r) for r in payload.get("requests", ())),
                energy_arc=str(payload.get("energy_arc", EnergyArc.STEADY.value)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidSessionError(f"not a DJ session: {exc}") from exc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DJSession:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise InvalidSessionError(f"not JSON: {exc}") from exc
