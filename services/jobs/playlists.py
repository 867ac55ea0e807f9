"""Playlist generation for many users: the shipped recommender, each user's unseen recent events folded in.

Backends: ``local`` ranks in this process (BLAS on one thread, chunk by chunk); ``ray`` spreads chunks over
a Ray cluster (``RAY_ADDRESS``, or a local one), one actor per CPU, each loading the bundle once. Both write
the same CSV: ``user_id,rank,track_id,score,explanation``, written atomically.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from recommender import Recommender
from services.jobs.errors import BackendUnavailableError, UnknownBackendError
from services.recommending import RecommendationService, bundle_path
from services.settings import Settings
from services.store import Store

BACKENDS = ("local", "ray")
CHUNK = 200

Row = tuple[str, int, str, float, str]


def rank_users(model: Recommender, users: list[str], histories: dict[str, pl.DataFrame], n: int) -> list[Row]:
    """Top-``n`` rows for each user (runs in the worker process or a Ray actor)."""
    rows: list[Row] = []
    for user in users:
        for rank, rec in enumerate(model.recommend(user, n, history=histories.get(user)), start=1):
            rows.append((user, rank, rec.track_id, round(rec.score, 6), rec.explanation))
    return rows


class _Ranker:
    """A Ray actor's state: the bundle, loaded once per actor."""

    def __init__(self, path: str) -> None:
        self.model = Recommender.load(path)

    def rank(self, users: list[str], histories: dict[str, pl.DataFrame], n: int) -> list[Row]:
        return rank_users(self.model, users, histories, n)


def _chunks(users: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(users), size):
        yield users[start : start + size]


def _ray_chunks(
    bundle: Path, chunks: list[tuple[list[str], dict[str, pl.DataFrame]]], n: int
) -> Iterator[list[Row]]:
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        raise BackendUnavailableError("the ray backend needs Ray: pip install 'selecta[ray]'") from exc
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False)

    ranker = ray.remote(_Ranker).options(num_cpus=1)
    cpus = int(ray.available_resources().get("CPU", 1))  # type: ignore[no-untyped-call]  # ray's is untyped
    actors = [ranker.remote(str(bundle)) for _ in range(max(1, cpus))]
    pool = ActorPool(actors)
    yield from pool.map_unordered(lambda actor, chunk: actor.rank.remote(chunk[0], chunk[1], n), chunks)


def generate_playlists(
    settings: Settings,
    store: Store,
    *,
    out: Path,
    users: list[str] | None = None,
    n: int = 20,
    backend: str = "local",
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, object]:
    """Write every requested user's playlist to ``out`` (CSV); all known users when ``users`` is empty."""
    if backend not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    service = RecommendationService(settings, store)
    model = service.model()
    users = users or sorted(set(model.user_ids) | set(store.known_users()))
    chunks = [(chunk, {u: service.history(model, u) for u in chunk}) for chunk in _chunks(users, CHUNK)]
    if backend == "ray":
        results: Iterator[list[Row]] = _ray_chunks(bundle_path(settings), chunks, n)
    else:
        results = (rank_users(model, chunk, histories, n) for chunk, histories in chunks)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".playlists-", suffix=".csv", dir=out.parent)
    written = 0
    with os.fdopen(fd, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "rank", "track_id", "score", "explanation"])
        for done, rows in enumerate(results, start=1):
            writer.writerows(rows)
            written += len(rows)
            if on_progress:
                on_progress(done / len(chunks))
    os.replace(tmp, out)
    return {"users": len(users), "rows": written, "path": str(out), "backend": backend}
