"""Running an offline job over many users in checkpointed batches, in this process or on Ray.

Why batches with part files: a job over 100k listeners runs for minutes, and a killed run must not start
from zero. Users are sorted and cut into fixed batches; each finished batch is written to ``<out>.parts/``
as one Parquet part, atomically (a temporary file renamed over), and that file is the checkpoint. A rerun
with the same fingerprint (job kind, parameters, users, model and catalogue versions) skips the batches
whose part exists; a rerun with another fingerprint discards the old parts. Parts are assembled in batch
order, so a resumed run and a run that never stopped write the same output.

Backends share one code path: a :class:`BatchRunner` subclass is built once per process (``local``) or
once per Ray actor (``ray``: ``RAY_ADDRESS``, or a local cluster that ``ray.init()`` starts), and ranks or
plans one batch from the users and their unseen recent events, which the driver reads from Redis (workers
on other machines need no Redis).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from services.jobs.errors import BackendUnavailableError, UnknownBackendError

BACKENDS = ("local", "ray")
BATCH = 200
"""Users per batch: the unit of work and of checkpointing."""

Histories = dict[str, pl.DataFrame]


class BatchRunner:
    """The work of one job kind on one batch; subclasses load their model once in ``__init__``."""

    def run(self, users: list[str], histories: Histories) -> pl.DataFrame:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class BatchPlan:
    """One job's batches and where their parts go."""

    users: list[str]
    parts_dir: Path
    fingerprint: dict[str, Any]
    batch_size: int = BATCH

    @property
    def batches(self) -> list[list[str]]:
        return [self.users[i : i + self.batch_size] for i in range(0, len(self.users), self.batch_size)]

    def part(self, index: int) -> Path:
        return self.parts_dir / f"part-{index:06d}.parquet"

    @classmethod
    def for_output(
        cls, out: Path, users: list[str], *, batch_size: int = BATCH, **parts: object
    ) -> BatchPlan:
        """The plan of a job writing ``out``: its parts go beside it (``<out>.parts/``), and a checkpoint is
        reused only when ``parts`` (kind, parameters, model and catalogue versions) and the users match; the
        user list enters the fingerprint as a hash (it may be 100k ids)."""
        digest = hashlib.sha256("\n".join(users).encode()).hexdigest()
        return cls(
            users=users,
            parts_dir=out.with_name(out.name + ".parts"),
            batch_size=batch_size,
            fingerprint={**parts, "users_sha256": digest, "n_users": len(users)},
        )


def _prepare(plan: BatchPlan) -> list[int]:
    """Indexes of the batches still to run; stale parts (another fingerprint) are discarded first."""
    manifest = plan.parts_dir / "manifest.json"
    wanted = json.dumps({**plan.fingerprint, "batch_size": plan.batch_size}, sort_keys=True, default=str)
    if plan.parts_dir.is_dir() and (not manifest.is_file() or manifest.read_text() != wanted):
        shutil.rmtree(plan.parts_dir)
    plan.parts_dir.mkdir(parents=True, exist_ok=True)
    if not manifest.is_file():
        write_atomic(manifest, lambda tmp: tmp.write_text(wanted))
    return [i for i in range(len(plan.batches)) if not plan.part(i).is_file()]


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` to a temporary file beside ``path``, then rename it over: readers (and a rerun after a
    kill) see the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _local(
    runner: BatchRunner, work: Iterator[tuple[int, list[str], Histories]]
) -> Iterator[tuple[int, pl.DataFrame]]:
    for index, users, histories in work:
        yield index, runner.run(users, histories)


class _Actor:
    """A Ray actor: builds its runner once, then runs batches, returning each batch's index with it."""

    def __init__(self, factory: Callable[[], BatchRunner]) -> None:
        self.runner = factory()

    def run(self, index: int, users: list[str], histories: Histories) -> tuple[int, pl.DataFrame]:
        return index, self.runner.run(users, histories)


def _on_ray(
    factory: Callable[[], BatchRunner], work: Iterator[tuple[int, list[str], Histories]]
) -> Iterator[tuple[int, pl.DataFrame]]:
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        raise BackendUnavailableError("the ray backend needs Ray: pip install 'selecta[ray]'") from exc
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False)
    actor = ray.remote(_Actor).options(num_cpus=1)
    cpus = int(ray.available_resources().get("CPU", 1))  # type: ignore[no-untyped-call]  # ray's is untyped
    pool = ActorPool([actor.remote(factory) for _ in range(max(1, cpus))])
    # ActorPool submits every batch up front; the driver holds only each batch's non-empty histories.
    yield from pool.map_unordered(lambda a, job: a.run.remote(*job), list(work))


def run_batches(
    plan: BatchPlan,
    factory: Callable[[], BatchRunner],
    histories: Callable[[list[str]], Histories],
    *,
    backend: str = "local",
    on_progress: Callable[[float], None] | None = None,
) -> tuple[list[Path], int]:
    """Run every batch without a part yet and write its part; the parts in batch order, and how many
    batches an earlier run had finished (skipped here)."""
    if backend not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    todo = _prepare(plan)
    total = len(plan.batches)
    skipped = total - len(todo)
    batches = plan.batches
    work = ((i, batches[i], histories(batches[i])) for i in todo)
    results = _on_ray(factory, work) if backend == "ray" else _local(factory(), work)
    for done, (index, frame) in enumerate(results, start=skipped + 1):
        write_atomic(plan.part(index), frame.write_parquet)
        if on_progress:
            on_progress(done / total)
    return [plan.part(i) for i in range(total)], skipped


def finish(parts_dir: Path) -> None:
    """Drop the checkpoint once the output is in place."""
    shutil.rmtree(parts_dir, ignore_errors=True)


def read_parts(parts: Sequence[Path], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The parts in order as one frame (an empty frame of ``schema`` when there are none)."""
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat([pl.read_parquet(p) for p in parts], how="vertical")
