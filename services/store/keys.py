"""Every Redis key Selecta uses, in one place. All keys start with the namespace (``selecta`` by default).

| key | type | holds |
|---|---|---|
| ``{ns}:events`` | stream | every listening event; consumer group ``model-updater`` |
| ``{ns}:user:{user_id}:recent`` | list | the user's most recent events, newest first, JSON, capped |
| ``{ns}:user:{user_id}:ranked:{context}`` | string | a cached ranked list (JSON) for one context, TTL |
| ``{ns}:session:{session_id}`` | string | DJ session state (JSON) |
| ``{ns}:session:{session_id}:mix`` | hash | the latest mix stream's state, rendered_s, duration_s; TTL |
| ``{ns}:jobs:queue`` | list | ids of queued jobs, oldest at the right |
| ``{ns}:jobs:processing`` | list | ids of jobs a worker has claimed |
| ``{ns}:job:{job_id}`` | hash | a job's kind, payload, state, progress, result or error, timestamps |
| ``{ns}:meta:catalog_version`` | string | bumped on every catalogue import, part of every cache context |
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

    def ranked_pattern(self, user_id: str) -> str:
        return f"{self.ns}:user:{user_id}:ranked:*"

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
