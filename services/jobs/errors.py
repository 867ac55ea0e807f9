"""Errors of offline jobs: a backend that cannot run them, a job kind no worker knows."""

from __future__ import annotations

from core.errors import SelectaError


class JobError(SelectaError):
    """Root of job errors."""

    code = "job_error"
    status = 400


class UnknownBackendError(JobError):
    """A jobs backend name that is not one of ``services.jobs.playlists.BACKENDS``."""

    code = "unknown_job_backend"
    status = 422


class BackendUnavailableError(JobError):
    """A known jobs backend whose package is not installed here (Ray for ``ray``)."""

    code = "job_backend_unavailable"
    status = 503


class UnknownJobKindError(JobError):
    """A queued job of a kind no worker runs."""

    code = "unknown_job_kind"
    status = 422
