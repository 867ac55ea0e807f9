"""Playlists for many users: the shipped recommender, each user's unseen recent events folded in.

Written as Parquet (or CSV on request): ``user_id,rank,track_id,score,explanation``, users in sorted order,
ranks 1..n. Runs in checkpointed batches (:mod:`services.jobs.batches`): a rerun after a kill skips the
users already ranked, and a rerun gives the same file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import polars as pl

from recommender import Constraints, Recommender
from services.jobs.batches import (
    BATCH,
    BatchPlan,
    BatchRunner,
    Histories,
    finish,
    read_parts,
    run_batches,
    write_atomic,
)
from services.jobs.errors import JobError
from services.recommending import RecommendationService, bundle_id, bundle_path
from services.settings import Settings
from services.store import Store

OutputFormat = Literal["parquet", "csv"]
FORMATS: tuple[OutputFormat, ...] = ("parquet", "csv")

SCHEMA: dict[str, pl.DataType] = {
    "user_id": pl.String(),
    "rank": pl.Int32(),
    "track_id": pl.String(),
    "score": pl.Float64(),
    "explanation": pl.String(),
}


class UnknownFormatError(JobError):
    """An output format other than Parquet or CSV."""

    code = "unknown_output_format"
    status = 422


def output_format(out: Path, fmt: str | None) -> OutputFormat:
    """The format asked for, or the one ``out``'s suffix names (Parquet unless it ends in ``.csv``)."""
    chosen = fmt or ("csv" if out.suffix.lower() == ".csv" else "parquet")
    for known in FORMATS:
        if chosen == known:
            return known
    raise UnknownFormatError(f"unknown output format {chosen!r}; use one of {', '.join(FORMATS)}")


class PlaylistRunner(BatchRunner):
    """Ranks a batch with the bundle, loaded once per process or Ray actor."""

    def __init__(self, bundle: str, n: int, retired: frozenset[str] = frozenset()) -> None:
        self.model = Recommender.load(bundle)
        self.n = n
        self.constraints = Constraints(exclude=retired) if retired else None

    def run(self, users: list[str], histories: Histories) -> pl.DataFrame:
        """The batch ranked in blocks (``Recommender.recommend_many``): one model call per block of users
        instead of one per user, and the same lists ``recommend`` gives each user."""
        ranked = self.model.recommend_many(users, self.n, histories=histories, constraints=self.constraints)
        rows = [
            (user, rank, rec.track_id, round(rec.score, 6), rec.explanation)
            for user, recs in zip(users, ranked, strict=True)
            for rank, rec in enumerate(recs, start=1)
        ]
        return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def unseen_histories(service: RecommendationService, model: Recommender) -> Callable[[list[str]], Histories]:
    """Each user's events the bundle has not seen, only for users that have some: a 100k-user job
    would otherwise hold 100k empty frames in the Ray driver's queue."""

    def read(users: list[str]) -> Histories:
        found = {user: service.history(model, user) for user in users}
        return {user: frame for user, frame in found.items() if not frame.is_empty()}

    return read


def job_users(model: Recommender, store: Store, users: list[str] | None) -> list[str]:
    """The users asked for (deduplicated, sorted) or every user the bundle or the store knows."""
    return sorted(set(users) if users else set(model.user_ids) | set(store.known_users()))


def generate_playlists(
    settings: Settings,
    store: Store,
    *,
    out: Path,
    users: list[str] | None = None,
    n: int = 20,
    backend: str = "local",
    batch_size: int = BATCH,
    fmt: str | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, object]:
    """Write every requested user's playlist to ``out``; all known users when ``users`` is empty."""
    chosen = output_format(out, fmt)
    service = RecommendationService(settings, store)
    model = service.model()
    everyone = job_users(model, store, users)
    plan = BatchPlan.for_output(
        out,
        everyone,
        batch_size=batch_size,
        kind="playlists",
        n=n,
        bundle=bundle_id(model),
        catalog=store.catalog_version(),
    )
    factory = functools.partial(PlaylistRunner, str(bundle_path(settings)), n, store.retired_tracks())
    parts, skipped = run_batches(
        plan, factory, unseen_histories(service, model), backend=backend, on_progress=on_progress
    )
    frame = read_parts(parts, SCHEMA)
    if chosen == "csv":
        write_atomic(out, frame.write_csv)
    else:
        write_atomic(out, frame.write_parquet)
    finish(plan.parts_dir)
    return {
        "users": len(everyone),
        "rows": frame.height,
        "path": str(out),
        "format": chosen,
        "backend": backend,
        "resumed_batches": skipped,
        "batches": len(plan.batches),
    }
