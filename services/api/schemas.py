"""Request and response models of the API, one group per resource."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Reason = Literal["played", "skipped", "liked", "disliked", "requested"]


class TrackPublic(BaseModel):
    track_id: str
    title: str
    artist: str
    album: str | None = None
    duration_s: float | None = None
    tags: list[str] = []
    year: int | None = None
    has_audio: bool = False
    synthetic: bool = False


class TrackList(BaseModel):
    count: int
    total: int
    tracks: list[TrackPublic]


class EventCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    track_id: str = Field(min_length=1, max_length=300)
    ts: datetime | None = None
    ms_played: int | None = Field(default=None, ge=0)
    reason: Reason = "played"


class EventBatch(BaseModel):
    events: list[EventCreate] = Field(min_length=1, max_length=1000)


class EventsWritten(BaseModel):
    written: int


class EventPublic(BaseModel):
    track_id: str
    ts: datetime | None
    ms_played: int | None
    reason: str
    plays: int


class History(BaseModel):
    user_id: str
    synthetic: bool
    count: int
    events: list[EventPublic]


class JobCreate(BaseModel):
    kind: Literal["playlists"] = "playlists"
    users: list[str] | None = Field(default=None, description="Users to build playlists for; all when empty.")
    n: int = Field(default=20, ge=1, le=200)


class JobPublic(BaseModel):
    job_id: str
    kind: str
    state: str
    progress: float
    result: dict | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    redis: bool
    tracks: int
    events: int
