"""Request and response models of the API, one group per resource."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dj.mix.exit_cue import LengthMode

Reason = Literal["played", "skipped", "liked", "disliked", "requested"]


class TrackPublic(BaseModel):
    track_id: str
    title: str
    artist: str | None = None  # None: an untagged file whose name has no artist
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
    """One event as the API takes it. These checks are the ones ``validate_events`` makes of a table
    (ids stripped and non-empty, a naive ``ts`` read as UTC, a known reason), so the route hands the rows
    to the store as they are."""

    model_config = ConfigDict(str_strip_whitespace=True)

    user_id: str = Field(min_length=1, max_length=200)
    track_id: str = Field(min_length=1, max_length=300)
    ts: datetime | None = None
    ms_played: int | None = Field(default=None, ge=0)
    reason: Reason = "played"
    event_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="The client's id for this event: an id this listener already sent is stored once "
        "(send one, and a batch retried after a timeout is never counted twice).",
        examples=["play-7f3c2a"],
    )

    @field_validator("ts")
    @classmethod
    def _in_utc(cls, ts: datetime | None) -> datetime | None:
        if ts is None:
            return None
        return ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts.astimezone(timezone.utc)


class EventBatch(BaseModel):
    events: list[EventCreate] = Field(
        min_length=1,
        max_length=1000,
        examples=[[{"user_id": "demo-user-01", "track_id": "demo:calm/calm_acoustic_1", "event_id": "e-1"}]],
    )


class EventsWritten(BaseModel):
    written: int = Field(description="Events stored by this call.")
    duplicates: int = Field(
        default=0, description="Events dropped because their event_id was already stored."
    )


class TokenCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200, examples=["demo-user-01"])
    ttl_s: int | None = Field(
        default=None,
        ge=60,
        le=90 * 24 * 3600,
        description="Life of the token; the server's default if unset.",
    )


class PageTokenCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200, examples=["demo-user-01"])


class TokenIssued(BaseModel):
    token: str = Field(
        description="The listener token: send it as `Authorization: Bearer <token>`. Shown once."
    )
    key_id: str
    user_id: str
    expires_at: float = Field(description="Unix seconds.")


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


Arc = Literal["warm-up", "peak-time", "cool-down", "steady"]
LENGTH_DESCRIPTION = (
    "How much of each track the mix plays: `full` (whole tracks, blended over their outros), `radio` "
    "(radio edits, at most 3.5 min of a track) or `dj` (DJ length, at most 2.5 min); every track, the last "
    "one too, leaves on a phrase boundary, never in its loudest passage."
)


class JobCreate(BaseModel):
    kind: Literal["playlists", "djset"] = "playlists"
    users: list[str] | None = Field(default=None, description="Users to run the job for; all when empty.")
    n: int = Field(default=20, ge=1, le=200, description="playlists: tracks per playlist.")
    format: Literal["parquet", "csv"] = Field(default="parquet", description="playlists: the file's format.")
    n_tracks: int = Field(default=8, ge=2, le=40, description="djset: tracks per planned set.")
    arc: Arc = Field(default="steady", description="djset: the set's energy arc.")
    length: LengthMode = Field(default="dj", description=f"djset: {LENGTH_DESCRIPTION}")


class JobPublic(BaseModel):
    job_id: str
    kind: str
    state: str
    progress: float
    result: dict[str, Any] | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    redis: bool
    tracks: int
    events: int


# -- DJ sessions and requests ----------------------------------------------------------------------


class SessionCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    n_tracks: int = Field(default=8, ge=2, le=50)
    arc: Arc = "steady"
    discovery: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="0 keeps to artists the listener knows; 1 picks only artists new to them, "
        "less popular tracks first.",
    )
    length: LengthMode = Field(default="dj", description=LENGTH_DESCRIPTION)


class SessionChange(BaseModel):
    """What a listener may change in a running session; the next stream of the set uses it."""

    length: LengthMode = Field(description=LENGTH_DESCRIPTION)


class TrackInSet(BaseModel):
    track_id: str
    title: str | None = None
    artist: str | None = None
    reason: str | None = Field(default=None, description="Why the recommender picked it, in words.")
    transition: str | None = Field(default=None, description="How the DJ mixes into it (key, tempo, energy).")


class MixProgressPublic(BaseModel):
    state: Literal["rendering", "done"]
    rendered_s: float
    duration_s: float
    from_position: int | None = Field(default=None, description="The set position the stream starts at.")
    handovers_s: list[float] = Field(
        default=[],
        description="Stream time at which each of its tracks takes over (0, then the middle of each "
        "blend): a player's current time tells which track of the set is playing.",
    )


class SessionPublic(BaseModel):
    session_id: str
    user_id: str
    arc: str
    position: int
    count: int
    playing: TrackInSet | None
    upcoming: list[TrackInSet]
    played: list[str]
    constraints: dict[str, Any]
    requests: list[str]
    answer: str | None = Field(default=None, description="The DJ's latest answer.")
    length: LengthMode = Field(default="dj", description=LENGTH_DESCRIPTION)
    mix: MixProgressPublic | None = Field(default=None, description="The latest /mix stream's progress.")


class RequestText(BaseModel):
    text: str = Field(min_length=1, max_length=500, examples=["play something calmer"])


class EntityPublic(BaseModel):
    kind: str
    name: str
    artist: str | None = None
    year: int | None = None


class SlotPublic(BaseModel):
    name: str
    raw: str = Field(description="The span as said.")
    value: str
    confidence: float
    available: bool
    entity: EntityPublic | None = Field(description="The catalogue entity it resolved to.")
    alternatives: list[EntityPublic]
    opinion: str | None = Field(
        default=None, description='"like" or "dislike" for a taste stated about this slot ("i hate disco").'
    )


class IntentPublic(BaseModel):
    kind: str
    text: str
    confidence: float
    slots: list[SlotPublic]


class TranscriptPublic(BaseModel):
    text: str
    confidence: float
    language: str
    duration_s: float
    speech_s: float
    backend: str


class Understood(BaseModel):
    transcript: TranscriptPublic | None
    intent: IntentPublic
    timings: dict[str, float]


class RequestResult(Understood):
    answer: str
    answer_audio_url: str | None = Field(description="GET it for the spoken answer (WAV).")
    replanned: bool
    constraints: dict[str, Any]
    session: SessionPublic


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable: branch on this.", examples=["not_found"])
    message: str = Field(description="For people; never names a host, socket or file.")
    status: int = Field(examples=[404])


class ErrorBody(BaseModel):
    """The shape of every error the API answers."""

    error: ErrorDetail


class ProfileCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\s/?#][^/?#]*$")
    artists: list[str] = Field(
        default=[], max_length=10, description="Artists the listener likes (matched by name, any case)."
    )
    tags: list[str] = Field(default=[], max_length=10, description="Tags or genres the listener likes.")


class ProfilePublic(BaseModel):
    user_id: str
    artists: list[str] = Field(description="The catalogue's names of the artists the seeds came from.")
    tags: list[str]
    seeded: list[str] = Field(description="Track ids recorded as liked, so the first set is not a guess.")
