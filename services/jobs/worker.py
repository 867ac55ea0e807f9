"""The worker: runs queued jobs, and as the ``model-updater`` consumer retrains when enough events arrived.

Rankings already reflect new events at request time (fold-in from Redis); retraining folds them into the
factor models too. The worker retrains once ``retrain_after`` events have been consumed since the last
training, acknowledging them only after the new bundle is saved, so a crash re-delivers them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from core.errors import error_code
from dj.mix.exit_cue import parse_length
from services.jobs import catalog_audio
from services.jobs.djsets import generate_djsets
from services.jobs.errors import UnknownJobKindError
from services.jobs.playlists import generate_playlists
from services.recommending import train
from services.settings import Settings
from services.store import Store
from services.store.store import JobStatus

log = logging.getLogger(__name__)


@dataclass
class Worker:
    settings: Settings
    store: Store
    name: str = "worker-1"
    backend: str = "local"
    retrain_after: int = 10_000
    _pending_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Events this consumer took before a crash or restart are still pending: count them again.
        self._pending_ids = self.store.pending_ids(self.name)

    def run_job(self, job: JobStatus) -> None:
        """Run one claimed job and record its result or its error (the worker itself keeps going)."""
        try:
            result = self._dispatch(job)
            self.store.update_job(job.job_id, state="done", progress=1.0, result=result)
        except Exception as exc:
            log.warning("job %s failed: %s", job.job_id, exc)
            self.store.update_job(job.job_id, state="failed", error=f"{error_code(exc)}: {exc}")

    def _dispatch(self, job: JobStatus) -> dict[str, object]:
        """The job kind's function, writing under the data directory, named by the job id (so a job that
        a crashed worker left running resumes from its checkpoint when it is run again)."""
        payload = job.payload

        def progress(p: float) -> None:
            self.store.update_job(job.job_id, progress=p)

        if job.kind == "playlists":
            fmt = str(payload.get("format") or "parquet")
            return generate_playlists(
                self.settings,
                self.store,
                out=self.settings.data_dir / "playlists" / f"{job.job_id}.{fmt}",
                users=payload.get("users"),
                n=int(payload.get("n", 20)),
                backend=self.backend,
                fmt=fmt,
                on_progress=progress,
            )
        if job.kind == "djset":
            return generate_djsets(
                self.settings,
                self.store,
                out=self.settings.data_dir / "djsets" / job.job_id,
                users=payload.get("users"),
                n_tracks=int(payload.get("n_tracks", 8)),
                arc=str(payload.get("arc", "steady")),
                length=parse_length(str(payload.get("length", "dj"))),
                backend=self.backend,
                on_progress=progress,
            )
        if job.kind == catalog_audio.KIND:
            return catalog_audio.analyse_and_retrain(
                self.settings, self.store, list(payload.get("track_ids") or []), on_progress=progress
            )
        raise UnknownJobKindError(f"unknown job kind {job.kind!r}")

    def consume_events(self) -> bool:
        """Take new events off the stream; retrain once enough arrived. True if it retrained."""
        batch = self.store.read_new_events(self.name, count=5000)
        self._pending_ids.extend(event.id for event in batch)
        if len(self._pending_ids) < self.retrain_after:
            return False
        log.info("retraining after %d new events", len(self._pending_ids))
        train(self.settings, self.store)
        self.store.ack_events(self._pending_ids)
        self._pending_ids.clear()
        return True

    def run_once(self, *, timeout_s: float = 1.0) -> bool:
        """One round: a job if one is queued, then the event stream. True if it ran a job."""
        job = self.store.claim_job(timeout_s=timeout_s)
        if job is not None:
            self.run_job(job)
        self.consume_events()
        return job is not None

    def run_forever(self) -> None:
        while True:
            try:
                self.run_once()
            except Exception as exc:
                log.warning("worker round failed: %s", exc)
                time.sleep(2)
