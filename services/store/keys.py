"""Every Redis key Selecta uses, in one place. All keys start with the namespace (``selecta`` by default).

| key | type | holds |
|---|---|---|
| ``{ns}:events`` | stream | every listening event; consumer group ``model-updater`` |
| ``{ns}:user:{user_id}:recent`` | list | the user's most recent events, newest first, JSON, capped |
| ``{ns}:user:{user_id}:ranked:{context}`` | string | a cached ranked list (JSON) for one context, TTL |
| ``{ns}:user:{user_id}:ranked`` | set | the user's cached ranked-list keys (dropped together on an event) |
| ``{ns}:user:{user_id}:tastes`` | hash | tag -> ``like`` or ``dislike``, as the listener told the DJ |
| ``{ns}:session:{session_id}`` | string | DJ session state (JSON) |
| ``{ns}:session:{session_id}:mix`` | hash | the latest mix stream's progress and hand-over times; TTL |
| ``{ns}:jobs:queue`` | list | ids of queued jobs, oldest at the right |
| ``{ns}:jobs:processing`` | list | ids of jobs a worker has claimed |
| ``{ns}:job:{job_id}`` | hash | a job's kind, payload, state, progress, result or error, timestamps |
| ``{ns}:meta:catalog_version`` | string | bumped on every catalogue import, part of every cache context |
| ``{ns}:catalog:retired`` | set | tracks retired from the catalogue: never ranked, even by an older bundle |
| ``{ns}:auth:credential:{key_id}`` | hash | an app key or listener token (secret hashed), expiry, revoked |
| ``{ns}:auth:credentials`` | set | ids of every credential (``selecta keys list``), pruned on listing |
| ``{ns}:user:{user_id}:event:{event_id}`` | string | a client event id already stored; TTL |
| ``{ns}:rate:{key_id}:{bucket}:{window}`` | string | a credential's requests in one rate window; TTL |
"""

from __future__ import annotations

from dataclasses import dataclass

EVENTS_GROUP = "model-updater"


@dataclass(frozen=True)
class Keys:
    """Key builders for one namespace."""

    ns: str = "selecta"

    @property
    def events(self) -> str:
        return f"{self.ns}:events"

    def recent(self, user_id: str) -> str:
        return f"{self.ns}:user:{user_id}:recent"

    @property
    def recent_pattern(self) -> str:
        """Matches every user's recent-history key (``SCAN`` for the known users)."""
        return self.recent("*")

    def user_of_recent(self, key: str) -> str:
        """The user id in a recent-history key."""
        return key.removeprefix(f"{self.ns}:user:").removesuffix(":recent")

    def ranked(self, user_id: str, context: str) -> str:
        return f"{self.ns}:user:{user_id}:ranked:{context}"

    def ranked_index(self, user_id: str) -> str:
        return f"{self.ns}:user:{user_id}:ranked"

    def tastes(self, user_id: str) -> str:
        return f"{self.ns}:user:{user_id}:tastes"

    def session(self, session_id: str) -> str:
        return f"{self.ns}:session:{session_id}"

    def mix_progress(self, session_id: str) -> str:
        return f"{self.session(session_id)}:mix"

    @property
    def job_queue(self) -> str:
        return f"{self.ns}:jobs:queue"

    @property
    def jobs_processing(self) -> str:
        return f"{self.ns}:jobs:processing"

    def job(self, job_id: str) -> str:
        return f"{self.ns}:job:{job_id}"

    @property
    def catalog_version(self) -> str:
        return f"{self.ns}:meta:catalog_version"

    @property
    def retired(self) -> str:
        return f"{self.ns}:catalog:retired"

    def credential(self, key_id: str) -> str:
        return f"{self.ns}:auth:credential:{key_id}"

    @property
    def credentials(self) -> str:
        return f"{self.ns}:auth:credentials"

    def event_id(self, user_id: str, event_id: str) -> str:
        """Scoped by user, so one listener's ids can never shadow another's events."""
        return f"{self.ns}:user:{user_id}:event:{event_id}"

    def rate(self, key_id: str, bucket: str, window: int) -> str:
        return f"{self.ns}:rate:{key_id}:{bucket}:{window}"
