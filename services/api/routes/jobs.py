from __future__ import annotations

from fastapi import APIRouter

from services.api.auth import AppCaller
from services.api.deps import StoreDep
from services.api.schemas import JobCreate, JobPublic
from services.store.store import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"])


def to_public(status: JobStatus) -> JobPublic:
    return JobPublic(
        job_id=status.job_id,
        kind=status.kind,
        state=status.state,
        progress=status.progress,
        result=status.result,
        error=status.error,
    )


@router.post("", response_model=JobPublic, status_code=202)
def create_job(caller: AppCaller, job: JobCreate, store: StoreDep) -> JobPublic:
    """Queue an offline job (playlists for many users); a worker (`selecta worker`) runs it."""
    job_id = store.enqueue_job(job.kind, job.model_dump(exclude={"kind"}))
    return to_public(store.job_status(job_id))


@router.get("/{job_id}", response_model=JobPublic)
def read_job(caller: AppCaller, job_id: str, store: StoreDep) -> JobPublic:
    return to_public(store.job_status(job_id))
