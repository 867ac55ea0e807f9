"""The Store: typed operations over Redis for events, history, ranked-list cache, DJ sessions, mix progress,
the catalogue version and jobs.

One class, one client, no hidden globals: the CLI opens it per command, the API once in its lifespan.
The Redis client is private: every read and write goes through a method here, so every Redis failure
surfaces as :class:`StoreUnavailableError` (503) with the operation named, wherever it happens.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, TypedDict

import polars as pl
import redis
from redis.typing import EncodableT, FieldT

from services.data.errors import NotFoundError
from services.data.schema import EVENT_SCHEMA, empty_events, validate_events
from services.settings import Settings, get_settings
from services.store.connection import connect, connect_async
from services.store.errors import StoreUnavailableError
from services.store.keys import EVENTS_GROUP, Keys
from services.store.loop_connections import LoopConnections

JOB_STATES = ("queued", "running", "done", "failed")


class EventRow(TypedDict):
    """One listening event as the store writes it: :data:`EVENT_SCHEMA`'s columns (``ts`` in UTC or
    None, ``reason`` one of ``EVENT_REASONS``, ``plays`` at least 1) and the client's ``event_id``."""

    user_id: str
    track_id: str
    ts: datetime | None
    ms_played: int | None
    reason: str
    plays: int
    event_id: str | None


_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def _in_time_order(rows: Sequence[EventRow]) -> list[EventRow]:
    """Rows in the order they are stored: those without ``ts`` first, a batch's own order kept for ties."""
    return sorted(rows, key=lambda r: (r["ts"] is not None, r["ts"] or _NO_TIME))


_APPEND_EVENTS = """
local stream, ttl, keep = KEYS[1], ARGV[1], tonumber(ARGV[2]) - 1
local written, touched = 0, {}
for _, row in ipairs(cjson.decode(ARGV[3])) do
  if row.id == '' or redis.call('SET', row.id, '1', 'NX', 'EX', ttl) then
    redis.call('XADD', stream, '*', unpack(row.fields))
    redis.call('LPUSH', row.recent, row.json)
    touched[row.recent] = row.index
    written = written + 1
  end
end
for recent, index in pairs(touched) do
  redis.call('LTRIM', recent, 0, keep)
  local cached = redis.call('SMEMBERS', index)
  for i = 1, #cached, 1000 do
    redis.call('DEL', unpack(cached, i, math.min(i + 999, #cached)))
  end
  redis.call('DEL', index)
end
return written
"""
"""Append checked events: for each row, unless its event-id key exists (SET NX, with a TTL), add it to the
stream and its user's recent list; then cap each touched list and drop that user's cached rankings. A
script is atomic and one round trip; its keys beyond the stream come in the arguments, which a single
Redis (embedded or ``REDIS_URL``) allows and Redis Cluster would not."""


@dataclass(frozen=True, kw_only=True)
class StreamEvent:
    """One event read from the stream through the consumer group, with the id to acknowledge."""

    id: str
    user_id: str
    track_id: str
    ts: str | None
    reason: str
    plays: int


@dataclass(frozen=True, kw_only=True)
class JobStatus:
    job_id: str
    kind: str
    state: str
    progress: float
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_at: float
    updated_at: float


class _MixProgressRequired(TypedDict):
    state: str
    rendered_s: float
    duration_s: float


class MixProgressFields(_MixProgressRequired, total=False):
    """How far a session's latest mix stream has rendered, as kept beside the session."""

    from_position: int
    """The session position the stream started at (its first track)."""
    handovers_s: list[float]
    """Mix time at which each track of the stream takes over, so a player can tell which track it plays."""


def _text(value: bytes | str | int | float) -> str:
    """A reply value as text. The client decodes replies (``decode_responses=True``), but redis-py types
    them as ``bytes | str``; a client built without decoding still reads correctly."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _text_fields(raw: Mapping[bytes | str, bytes | str] | None) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in (raw or {}).items()}


def _version_and_text(reply: Sequence[bytes | str | None]) -> tuple[int, str | None]:
    """MGET of (catalogue version, one cached list): the version (0 before any import) and the list's text."""
    version, raw = reply
    return (int(_text(version)) if version is not None else 0), (_text(raw) if raw is not None else None)


def _group_entries(reply: object) -> list[tuple[str, dict[str, str]]]:
    """XREADGROUP's reply, ``[[stream, [(id, fields), ...]], ...]`` (RESP2), as (id, fields) pairs."""
    if not isinstance(reply, list):
        return []
    return [(_text(entry_id), _text_fields(fields)) for _, entries in reply for entry_id, fields in entries]


def _encode(row: Mapping[str, Any]) -> dict[str, str]:
    """Stream fields are strings; a null becomes the empty string."""
    out: dict[str, str] = {}
    for name in EVENT_SCHEMA:
        value = row[name]
        if value is None:
            out[name] = ""
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out


def _decode_frame(fields: list[dict[str, str]]) -> pl.DataFrame:
    """Stream fields back into the event schema. They were validated when written (by ``_encode``'s
    caller), so this only converts: re-validating every read would triple a ranking request's cost."""
    if not fields:
        return empty_events()

    def optional_int(value: str | None) -> int | None:
        return int(value) if value else None

    return pl.DataFrame(
        {
            "user_id": [f["user_id"] for f in fields],
            "track_id": [f["track_id"] for f in fields],
            "ts": [datetime.fromisoformat(f["ts"]) if f.get("ts") else None for f in fields],
            "ms_played": [optional_int(f.get("ms_played")) for f in fields],
            "reason": [f.get("reason") or "played" for f in fields],
            "plays": [optional_int(f.get("plays")) or 1 for f in fields],
        },
        schema=EVENT_SCHEMA,
    )


class Store:
    """Typed access to Selecta's Redis state. Build with :func:`open_store`, or from a client in tests."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        namespace: str = "selecta",
        history_length: int = 500,
        ranked_ttl_s: int = 900,
        event_id_ttl_s: int = 7 * 24 * 3600,
        connect_async: Callable[[], LoopConnections] | None = None,
    ) -> None:
        self._client = client
        self._connect_async = connect_async
        self._async: tuple[asyncio.AbstractEventLoop, LoopConnections] | None = None
        self.keys = Keys(namespace)
        self.history_length = history_length
        self.ranked_ttl_s = ranked_ttl_s
        self.event_id_ttl_s = event_id_ttl_s
        self._append_script = client.register_script(_APPEND_EVENTS)
        timeout = client.connection_pool.connection_kwargs.get("socket_timeout")
        # A blocking command waits at most this long per call, well inside the socket timeout.
        self._block_cap_s = 0.8 * float(timeout) if timeout else None

    @contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        """Turn Redis being unreachable into :class:`StoreUnavailableError` naming the operation.

        The message names no host, port or socket path (the API returns it to clients); the redis error,
        with those details, stays chained as the cause for the server log.
        """
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            why = "timed out" if isinstance(exc, redis.TimeoutError) else "connection refused or lost"
            raise StoreUnavailableError(
                f"the store is unavailable: Redis did not answer during {operation} ({why})"
            ) from exc

    def _loop_connections(self) -> LoopConnections | None:
        """The event-loop connections of the running loop, made on first use in each loop: an asyncio
        connection belongs to the loop that opened it. None for a store built from a plain client, whose
        async methods then run the blocking ones in a worker thread."""
        if self._connect_async is None:
            return None
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, self._connect_async())
        return self._async[1]

    def ping(self) -> bool:
        with self._guard("ping"):
            return bool(self._client.ping())

    # -- listening events -------------------------------------------------------------------------

    def append_events(
        self,
        events: pl.DataFrame,
        *,
        event_ids: Sequence[str | None] | None = None,
        batch_size: int = 5000,
    ) -> int:
        """Validate, then append to the stream and each user's recent history, one transaction per batch.

        ``event_ids`` (one per row, or None) are the client's ids: an event whose id this user already
        sent (within ``event_id_ttl_s``), or that repeats in the batch, is dropped, so a retried batch is
        stored once. Returns the number of events written. With the embedded server (``appendfsync
        always``) an event counted here is on disk.
        """
        events = validate_events(events)
        if events.is_empty():
            return 0
        ids = list(event_ids) if event_ids is not None else [None] * events.height
        events = events.with_columns(pl.Series("event_id", ids, dtype=pl.String))
        rows: list[EventRow] = list(events.iter_rows(named=True))  # type: ignore[arg-type]
        return self.append_checked(rows, batch_size=batch_size)

    def append_checked(self, rows: Sequence[EventRow], *, batch_size: int = 5000) -> int:
        """:meth:`append_events` for rows already in the event schema (the API's request model checks
        them): validating a one-event batch as a data frame cost several times its Redis round trips.
        Rows are stored in time order (those without ``ts`` first), a batch's own order kept for ties."""
        ordered = _in_time_order(rows)
        written = 0
        with self._guard("append_events"):
            for start in range(0, len(ordered), batch_size):
                written += self._append_batch(ordered[start : start + batch_size])
        return written

    async def append_checked_async(self, rows: Sequence[EventRow]) -> int:
        """:meth:`append_checked` on the event loop, for the API's batches (at most a thousand rows: one
        script call)."""
        connected = self._loop_connections()
        if connected is None:
            return await asyncio.to_thread(self.append_checked, rows)
        keys, args = self._append_arguments(_in_time_order(rows))
        with self._guard("append_events"):
            written = await connected.script(self._append_script.sha, _APPEND_EVENTS, keys, args)
        return int(written)

    def _append_batch(self, rows: Sequence[EventRow]) -> int:
        """One script call (:data:`_APPEND_EVENTS`): a single round trip and one fsync, atomic, so two
        retries racing store an event once, and the users' cached rankings go in the same step."""
        keys, args = self._append_arguments(rows)
        return int(self._append_script(keys=keys, args=args))

    def _append_arguments(self, rows: Sequence[EventRow]) -> tuple[list[str], list[EncodableT]]:
        """The keys and arguments of one :data:`_APPEND_EVENTS` call for ``rows``."""
        payload = []
        for row in rows:
            fields = _encode(row)
            event_id = row.get("event_id")
            payload.append(
                {
                    "id": self.keys.event_id(row["user_id"], event_id) if event_id else "",
                    "recent": self.keys.recent(row["user_id"]),
                    "index": self.keys.ranked_index(row["user_id"]),
                    "fields": [part for pair in fields.items() for part in pair],
                    "json": json.dumps(fields),
                }
            )
        return [self.keys.events], [self.event_id_ttl_s, self.history_length, json.dumps(payload)]

    def count_events(self) -> int:
        with self._guard("count_events"):
            return int(self._client.xlen(self.keys.events))

    def events_frame(self, *, page: int = 10_000) -> pl.DataFrame:
        """Every event in the stream, oldest first, in the event schema."""
        fields: list[dict[str, str]] = []
        with self._guard("events_frame"):
            last = "-"
            while True:
                reply = self._client.xrange(self.keys.events, min=last, max="+", count=page)
                chunk = [(_text(entry_id or ""), _text_fields(entry)) for entry_id, entry in reply or []]
                if last != "-" and chunk and chunk[0][0] == last:
                    chunk = chunk[1:]
                if not chunk:
                    break
                fields.extend(entry for _, entry in chunk)
                last = chunk[-1][0]
        return _decode_frame(fields)

    def ensure_group(self) -> None:
        """Create the model updater's consumer group (from the start of the stream) if missing."""
        with self._guard("ensure_group"):
            try:
                self._client.xgroup_create(self.keys.events, EVENTS_GROUP, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    def read_new_events(
        self, consumer: str, *, count: int = 1000, block_ms: int | None = None
    ) -> list[StreamEvent]:
        """Events not yet delivered to the group; they stay pending until :meth:`ack_events`."""
        self.ensure_group()
        if block_ms is not None and self._block_cap_s is not None:
            block_ms = max(1, min(block_ms, int(self._block_cap_s * 1000)))
        with self._guard("read_new_events"):
            reply = self._client.xreadgroup(
                EVENTS_GROUP, consumer, {self.keys.events: ">"}, count=count, block=block_ms
            )
        return [
            StreamEvent(
                id=entry_id,
                user_id=f["user_id"],
                track_id=f["track_id"],
                ts=f.get("ts") or None,
                reason=f.get("reason") or "played",
                plays=int(f.get("plays") or 1),
            )
            for entry_id, f in _group_entries(reply)
        ]

    def ack_events(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        with self._guard("ack_events"):
            return int(self._client.xack(self.keys.events, EVENTS_GROUP, *ids))

    def pending_ids(self, consumer: str, *, count: int = 1_000_000) -> list[str]:
        """Ids delivered to ``consumer`` but not acknowledged (what it held when it stopped)."""
        self.ensure_group()
        with self._guard("pending_ids"):
            entries = self._client.xpending_range(
                self.keys.events, EVENTS_GROUP, min="-", max="+", count=count, consumername=consumer
            )
        return [_text(entry["message_id"]) for entry in entries]

    def pending_events(self) -> int:
        self.ensure_group()
        with self._guard("pending_events"):
            return int(self._client.xpending(self.keys.events, EVENTS_GROUP)["pending"])

    def recent_history(self, user_id: str, n: int = 50) -> pl.DataFrame:
        """The user's last ``n`` events, newest first (empty for an unknown user)."""
        with self._guard("recent_history"):
            raw = self._client.lrange(self.keys.recent(user_id), 0, n - 1)
        return _decode_frame([json.loads(_text(item)) for item in raw])

    def known_users(self) -> list[str]:
        """Users with a recent history, sorted."""
        with self._guard("known_users"):
            found = {
                self.keys.user_of_recent(_text(key))
                for key in self._client.scan_iter(match=self.keys.recent_pattern, count=1000)
            }
        return sorted(found)

    # -- ranked-list cache ------------------------------------------------------------------------

    def cache_ranked(
        self, user_id: str, context: str, items: list[dict[str, Any]], *, ttl_s: int | None = None
    ) -> None:
        ttl = ttl_s or self.ranked_ttl_s
        key, index = self.keys.ranked(user_id, context), self.keys.ranked_index(user_id)
        with self._guard("cache_ranked"):
            pipe = self._client.pipeline(transaction=True)
            pipe.set(key, json.dumps(items), ex=ttl)
            pipe.sadd(index, key)
            pipe.expire(index, max(ttl, self.ranked_ttl_s))
            pipe.execute()

    def get_ranked(self, user_id: str, context: str) -> list[dict[str, Any]] | None:
        with self._guard("get_ranked"):
            raw = self._client.get(self.keys.ranked(user_id, context))
        if raw is None:
            return None
        items: list[dict[str, Any]] = json.loads(raw)
        return items

    def ranked_at_version(self, user_id: str, context: str) -> tuple[int, list[dict[str, Any]] | None]:
        """The catalogue version and the list cached under ``context``, in one round trip (MGET).

        The hot path of a cached recommendation: its context names the catalogue version, so the
        caller builds it with the version it saw last and uses the list only if the version read here
        is still that one (after an import it looks again with the new version).
        """
        version, raw = self._ranked_json_at_version(user_id, context)
        return version, (json.loads(raw) if raw is not None else None)

    async def ranked_json_at_version(self, user_id: str, context: str) -> tuple[int, str | None]:
        """:meth:`ranked_at_version` on the event loop, the list left as the JSON text it is stored as
        (a JSON array of :class:`recommender.Recommendation` fields): the API answers with it as it is."""
        connected = self._loop_connections()
        if connected is None:
            return await asyncio.to_thread(self._ranked_json_at_version, user_id, context)
        with self._guard("ranked_at_version"):
            ranked = self.keys.ranked(user_id, context)
            reply = await connected.command("MGET", self.keys.catalog_version, ranked)
        return _version_and_text(reply)

    def _ranked_json_at_version(self, user_id: str, context: str) -> tuple[int, str | None]:
        with self._guard("ranked_at_version"):
            reply = self._client.mget([self.keys.catalog_version, self.keys.ranked(user_id, context)])
        return _version_and_text(reply)

    def invalidate_ranked(self, user_id: str) -> int:
        """Drop every cached list of the user: new events must show in the next ranking. The user's index
        of cached keys makes this two round trips; a SCAN of the whole keyspace per event made ingest
        slower with every key Redis held."""
        index = self.keys.ranked_index(user_id)
        with self._guard("invalidate_ranked"):
            keys = [_text(k) for k in self._client.smembers(index)]
            pipe = self._client.pipeline(transaction=True)
            if keys:
                pipe.delete(*keys)
            pipe.delete(index)
            replies = pipe.execute()
        return int(replies[0]) if keys else 0

    # -- tastes told to the DJ -------------------------------------------------------------------

    def set_taste(self, user_id: str, tag: str, opinion: Literal["like", "dislike"]) -> None:
        """Keep what the listener said of a tag ("i like jazz"); the latest word on a tag wins, so "i hate
        disco" after "i like disco" is a dislike. Kept without expiry: a taste outlives a session."""
        with self._guard("set_taste"):
            self._client.hset(self.keys.tastes(user_id), tag, opinion)

    def tastes(self, user_id: str) -> dict[str, Literal["like", "dislike"]]:
        """Every tag the listener liked or disliked (empty for an unknown user)."""
        with self._guard("tastes"):
            raw = _text_fields(self._client.hgetall(self.keys.tastes(user_id)))
        return {tag: "like" if opinion == "like" else "dislike" for tag, opinion in raw.items()}

    # -- DJ sessions ------------------------------------------------------------------------------

    def save_session(self, session_id: str, payload: dict[str, Any]) -> None:
        with self._guard("save_session"):
            self._client.set(self.keys.session(session_id), json.dumps(payload))

    def load_session(self, session_id: str) -> dict[str, Any]:
        with self._guard("load_session"):
            raw = self._client.get(self.keys.session(session_id))
        if raw is None:
            raise NotFoundError(f"no DJ session {session_id!r}")
        payload: dict[str, Any] = json.loads(raw)
        return payload

    def delete_session(self, session_id: str) -> bool:
        with self._guard("delete_session"):
            return bool(self._client.delete(self.keys.session(session_id)))

    # -- mix progress -----------------------------------------------------------------------------

    def save_mix_progress(self, session_id: str, progress: MixProgressFields, *, ttl_s: int) -> None:
        """Record how far the session's mix stream has rendered; the record expires ``ttl_s`` after the
        last write, so an abandoned stream leaves nothing behind for good."""
        key = self.keys.mix_progress(session_id)
        fields: dict[FieldT, EncodableT] = {
            "state": progress["state"],
            "rendered_s": round(progress["rendered_s"], 3),
            "duration_s": round(progress["duration_s"], 3),
        }
        if "from_position" in progress:
            fields["from_position"] = progress["from_position"]
        if "handovers_s" in progress:
            fields["handovers_s"] = " ".join(f"{t:.3f}" for t in progress["handovers_s"])
        with self._guard("save_mix_progress"):
            pipe = self._client.pipeline(transaction=True)
            pipe.hset(key, mapping=fields)
            pipe.expire(key, ttl_s)
            pipe.execute()

    def mix_progress(self, session_id: str) -> MixProgressFields | None:
        """The latest recorded progress of the session's mix stream; None if it was never streamed."""
        with self._guard("mix_progress"):
            raw = _text_fields(self._client.hgetall(self.keys.mix_progress(session_id)))
        if not raw:
            return None
        progress = MixProgressFields(
            state=raw["state"], rendered_s=float(raw["rendered_s"]), duration_s=float(raw["duration_s"])
        )
        if "from_position" in raw:
            progress["from_position"] = int(raw["from_position"])
        if "handovers_s" in raw:
            progress["handovers_s"] = [float(t) for t in raw["handovers_s"].split()]
        return progress

    # -- catalogue version ------------------------------------------------------------------------

    def bump_catalog_version(self) -> int:
        """Mark the catalogue as changed (an import ran); every cached ranked list's context changes."""
        with self._guard("bump_catalog_version"):
            return int(self._client.incr(self.keys.catalog_version))

    def catalog_version(self) -> int:
        """How many catalogue imports the store has seen; 0 before the first."""
        with self._guard("catalog_version"):
            raw = self._client.get(self.keys.catalog_version)
        return int(_text(raw)) if raw is not None else 0

    def set_retired(self, *, retire: Sequence[str] = (), restore: Sequence[str] = ()) -> int:
        """Mark tracks retired (a bundle trained before still knows them) or back in the catalogue, and
        bump the catalogue version in the same transaction; returns the new version."""
        with self._guard("set_retired"):
            pipe = self._client.pipeline(transaction=True)
            if retire:
                pipe.sadd(self.keys.retired, *retire)
            if restore:
                pipe.srem(self.keys.retired, *restore)
            pipe.incr(self.keys.catalog_version)
            return int(pipe.execute()[-1])

    def retired_tracks(self) -> frozenset[str]:
        with self._guard("retired_tracks"):
            return frozenset(_text(m) for m in self._client.smembers(self.keys.retired))

    # -- jobs -------------------------------------------------------------------------------------

    def enqueue_job(self, kind: str, payload: dict[str, Any]) -> str:
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        with self._guard("enqueue_job"):
            pipe = self._client.pipeline(transaction=True)
            pipe.hset(
                self.keys.job(job_id),
                mapping={
                    "kind": kind,
                    "payload": json.dumps(payload),
                    "state": "queued",
                    "progress": "0",
                    "created_at": str(now),
                    "updated_at": str(now),
                },
            )
            pipe.lpush(self.keys.job_queue, job_id)
            pipe.execute()
        return job_id

    def claim_job(self, *, timeout_s: float = 0) -> JobStatus | None:
        """Move the oldest queued job to processing and mark it running; ``None`` if the queue is empty."""
        deadline = time.monotonic() + timeout_s
        with self._guard("claim_job"):
            while True:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    claimed = self._client.lmove(
                        self.keys.job_queue, self.keys.jobs_processing, "RIGHT", "LEFT"
                    )
                    break
                if self._block_cap_s is not None:
                    wait = min(wait, self._block_cap_s)
                claimed = self._client.blmove(
                    self.keys.job_queue,
                    self.keys.jobs_processing,
                    wait,  # type: ignore[arg-type]  # BLMOVE takes seconds as a float; redis-py says int
                    "RIGHT",
                    "LEFT",
                )
                if claimed is not None:
                    break
        if claimed is None:
            return None
        job_id = _text(claimed)
        self.update_job(job_id, state="running")
        return self.job_status(job_id)

    def update_job(
        self,
        job_id: str,
        *,
        state: str | None = None,
        progress: float | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        if state is not None and state not in JOB_STATES:
            raise ValueError(f"job state must be one of {JOB_STATES}, not {state!r}")
        fields: dict[FieldT, EncodableT] = {"updated_at": str(time.time())}
        if state is not None:
            fields["state"] = state
        if progress is not None:
            fields["progress"] = f"{max(0.0, min(1.0, progress)):.4f}"
        if result is not None:
            fields["result"] = json.dumps(result)
        if error is not None:
            fields["error"] = error
        with self._guard("update_job"):
            pipe = self._client.pipeline(transaction=True)
            pipe.hset(self.keys.job(job_id), mapping=fields)
            if state in ("done", "failed"):
                pipe.lrem(self.keys.jobs_processing, 0, job_id)
            pipe.execute()

    def job_status(self, job_id: str) -> JobStatus:
        with self._guard("job_status"):
            raw = _text_fields(self._client.hgetall(self.keys.job(job_id)))
        if not raw:
            raise NotFoundError(f"no job {job_id!r}")
        return JobStatus(
            job_id=job_id,
            kind=raw["kind"],
            state=raw["state"],
            progress=float(raw.get("progress", 0)),
            payload=json.loads(raw.get("payload", "{}")),
            result=json.loads(raw["result"]) if raw.get("result") else None,
            error=raw.get("error"),
            created_at=float(raw["created_at"]),
            updated_at=float(raw["updated_at"]),
        )

    # -- DJ sessions: compare-and-set ------------------------------------------------------------

    def swap_session(self, session_id: str, payload: dict[str, Any], *, expected: dict[str, Any]) -> bool:
        """Write ``payload`` only if the stored session still equals ``expected`` (what the caller read).

        Optimistic locking: the key is WATCHed while it is compared and the write runs in MULTI/EXEC, so
        a write by another client in between aborts this one. False when the session changed or vanished
        since it was read; the caller reads it again, re-applies its change and retries.
        """
        key = self.keys.session(session_id)
        with self._guard("swap_session"), self._client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]  # redis-py leaves Pipeline.watch unannotated
                raw = pipe.get(key)
                if raw is None or json.loads(raw) != expected:
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.set(key, json.dumps(payload))
                pipe.execute()
            except redis.WatchError:
                return False
        return True

    # -- credentials ------------------------------------------------------------------------------
    # Records only: issuing, hashing and checking are services.store.credentials' business.

    def save_credential(self, key_id: str, fields: dict[str, str], *, expires_at: float | None) -> None:
        """Keep a credential record (and list it); Redis drops it when it expires."""
        key = self.keys.credential(key_id)
        mapping: dict[FieldT, EncodableT] = dict(fields.items())
        with self._guard("save_credential"):
            pipe = self._client.pipeline(transaction=True)
            pipe.hset(key, mapping=mapping)
            if expires_at is not None:
                pipe.expireat(key, int(expires_at) + 1)
            pipe.sadd(self.keys.credentials, key_id)
            pipe.execute()

    def load_credential(self, key_id: str) -> dict[str, str] | None:
        with self._guard("load_credential"):
            raw = _text_fields(self._client.hgetall(self.keys.credential(key_id)))
        return raw or None

    def credential_records(self) -> dict[str, dict[str, str]]:
        """Every credential still kept, by id; ids of those Redis expired are pruned from the list."""
        with self._guard("credential_records"):
            ids = sorted(_text(i) for i in self._client.smembers(self.keys.credentials))
            pipe = self._client.pipeline(transaction=False)
            for key_id in ids:
                pipe.hgetall(self.keys.credential(key_id))
            records = {i: _text_fields(raw) for i, raw in zip(ids, pipe.execute(), strict=True)}
            gone = [i for i, record in records.items() if not record]
            if gone:
                self._client.srem(self.keys.credentials, *gone)
        return {i: record for i, record in records.items() if record}

    def revoke_credential(self, key_id: str) -> bool:
        """Mark a credential revoked (kept, so ``keys list`` shows it); False if there is none."""
        key = self.keys.credential(key_id)
        with self._guard("revoke_credential"):
            if not self._client.exists(key):
                return False
            self._client.hset(key, "revoked", "1")
        return True

    # -- rate limits ------------------------------------------------------------------------------

    def count_request(self, key_id: str, bucket: str, *, window_s: int) -> tuple[int, float]:
        """Count one request of a credential in the current fixed window: (requests so far, seconds
        until the window ends). Every API process shares the count."""
        now = time.time()
        window = int(now // window_s)
        key = self.keys.rate(key_id, bucket, window)
        with self._guard("count_request"):
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, window_s + 1)
            count = int(pipe.execute()[0])
        return count, (window + 1) * window_s - now


def open_store(settings: Settings | None = None) -> Store:
    """A Store on the configured Redis (embedded by default), with the configured limits."""
    settings = settings or get_settings()
    client = connect(settings)
    return Store(
        client,
        namespace=settings.redis_namespace,
        history_length=settings.history_length,
        ranked_ttl_s=settings.ranked_list_ttl_s,
        event_id_ttl_s=settings.event_id_ttl_s,
        connect_async=lambda: connect_async(settings, client),
    )
