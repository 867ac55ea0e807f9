"""Recommender speed: training the shipped default, one-user latency, batch scoring, and a scale run.

    nice .venv/bin/python benchmarks/recommender_speed.py            # hetrec-2k figures
    nice .venv/bin/python benchmarks/recommender_speed.py --scale    # + 100k users x 50k tracks x 10M events
    nice .venv/bin/python benchmarks/recommender_speed.py --latency-only --bundle /tmp/hetrec-bundle
                                    # one-user latency only; trains and saves the bundle on the first run

Training uses every core (implicit, LightFM); serving is measured with BLAS held to one thread, as the API
runs it. The scale run trains the default and bare implicit ALS (same data, 64 factors, 15 iterations)
each in a fresh process and reports wall time, CPU time and that process's peak resident memory.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # ru_maxrss is KiB on Linux


def hetrec_figures(folder: str, *, users: int, latency_only: bool = False, bundle: str | None = None) -> None:
    import polars as pl
    from threadpoolctl import threadpool_limits

    from recommender import Recommender
    from recommender.metrics import top_k_rows
    from services.data.hetrec import load_hetrec

    data = load_hetrec(folder)
    if bundle is not None and Path(bundle).exists():
        model = Recommender.load(bundle)
        print(f"loaded {bundle} (trained {model.metadata['created_at']})")
    else:
        start = _clock()
        model = Recommender.fit(events=data.events, items=data.catalog)
        wall, cpu = _since(start)
        print(f"train shipped default on hetrec-2k ({data.events.height} pairs, {os.cpu_count()} cores): "
              f"{wall:.1f} s wall, {cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print("  blend weights: " + ", ".join(f"{k} {w:.3f}" for k, w in model.blend.weights.items()))
        if bundle is not None:
            model.save(bundle)
    if not latency_only:
        with tempfile.TemporaryDirectory() as tmp:
            start = _clock()
            model.save(Path(tmp) / "bundle")
            save_s = _since(start)[0]
            start = _clock()
            model = Recommender.load(Path(tmp) / "bundle")
            print(f"bundle save {save_s:.2f} s, load {_since(start)[0]:.2f} s")
    rng = np.random.default_rng(0)
    sample = [model.user_ids[i] for i in rng.choice(len(model.user_ids), size=users, replace=False)]
    history = data.events.filter(pl.col("user_id") == sample[0]).head(5).select("track_id", "plays")
    cases = {
        "known user": lambda u: model.recommend(u, 10),
        "known user, artist cap 1, discovery 0.5": lambda u: model.recommend(
            u, 10, artist_cap=1, discovery=0.5
        ),
        "new user, 5-event history (fold-in)": lambda u: model.recommend("new-" + u, 10, history=history),
        "unknown user (popular)": lambda u: model.recommend("nobody-" + u, 10),
    }
    with threadpool_limits(1, "blas"):
        for label, call in cases.items():
            for u in sample[:20]:
                call(u)
            times, cpu = [], []
            for u in sample:
                t0, c0 = _clock()
                call(u)
                wall, used = _since((t0, c0))
                times.append(wall)
                cpu.append(used)
            p50, p99 = np.percentile(times, [50, 99]) * 1000
            # CPU time per call too: on a shared machine wall time also counts waiting for a core.
            print(f"recommend, {label}, {len(model.item_ids)} items: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                  f"(CPU p50 {np.median(cpu) * 1000:.2f} ms)")  # fmt: skip
        if latency_only:
            return
        start = _clock()
        for u in model.user_ids:
            model.recommend(u, 10)
        wall, _ = _since(start)
        print(f"recommend() for all {len(model.user_ids)} users (with explanations): {wall:.1f} s "
              f"({len(model.user_ids) / wall:.0f} users/s)")  # fmt: skip
        start = _clock()
        rows = model.rows.weights
        for lo in range(0, rows.shape[0], 256):
            users = np.arange(lo, min(lo + 256, rows.shape[0]))
            block = rows[users]
            top_k_rows(model.blend.score(block, users=users, exclude=model.rows.seen[users]), 10)
        wall, _ = _since(start)
        print(
            f"batch scoring, all {rows.shape[0]} users top-10 (256 per block, no explanations): {wall:.2f} s"
        )


def synthetic_events(*, users: int, items: int, events: int, seed: int = 0):
    """Seeded listening with structure: 50 genres, each user mostly in one, Zipf popularity in each."""
    import polars as pl

    rng = np.random.default_rng(seed)
    activity = rng.lognormal(0.0, 1.0, users)
    counts = np.maximum(1, np.round(activity / activity.sum() * events)).astype(np.int64)
    user_of = np.repeat(np.arange(users), counts)
    genres = 50
    item_genre = rng.integers(0, genres, items)
    popularity = 1.0 / np.arange(1, items + 1) ** 0.8
    rng.shuffle(popularity)
    favourite = rng.integers(0, genres, users)[user_of]
    in_genre = rng.random(len(user_of)) < 0.7
    item_of = np.empty(len(user_of), dtype=np.int64)
    global_cdf = np.cumsum(popularity) / popularity.sum()
    item_of[~in_genre] = np.searchsorted(global_cdf, rng.random((~in_genre).sum()))
    for g in range(genres):
        members = np.flatnonzero(item_genre == g)
        cdf = np.cumsum(popularity[members]) / popularity[members].sum()
        rows = np.flatnonzero(in_genre & (favourite == g))
        item_of[rows] = members[np.searchsorted(cdf, rng.random(len(rows)))]
    return pl.DataFrame(
        {
            "user_id": pl.Series(user_of).cast(pl.Utf8).str.pad_start(6, "0"),
            "track_id": pl.Series(item_of).cast(pl.Utf8).str.pad_start(5, "0"),
            "plays": pl.Series(rng.geometric(0.3, len(user_of)), dtype=pl.Int64),
        }
    )


def _run_default(path: str, out: mp.Queue) -> None:
    import polars as pl

    from recommender import Recommender

    events = pl.read_parquet(path)
    start = _clock()
    model = Recommender.fit(events=events)
    wall, cpu = _since(start)
    out.put(("shipped default blend (events in, weights fit on validation)", wall, cpu, _peak_gib(),
             ", ".join(f"{k} {w:.2f}" for k, w in model.blend.weights.items())))  # fmt: skip


def _run_bare_als(path: str, out: mp.Queue) -> None:
    import polars as pl
    import scipy.sparse as sp
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    events = pl.read_parquet(path)
    start = _clock()
    agg = events.group_by("user_id", "track_id").agg(pl.col("plays").sum())
    users = agg.get_column("user_id").cast(pl.Int64).to_numpy()
    items = agg.get_column("track_id").cast(pl.Int64).to_numpy()
    plays = np.log1p(agg.get_column("plays").to_numpy().astype(np.float32))
    matrix = sp.csr_matrix((plays, (users, items)))
    model = AlternatingLeastSquares(factors=64, regularization=0.05, alpha=2.0, iterations=15, random_state=0)
    with threadpool_limits(1, "blas"):
        model.fit(matrix, show_progress=False)
    wall, cpu = _since(start)
    out.put(("bare implicit ALS (64 factors, 15 iterations, log1p)", wall, cpu, _peak_gib(), ""))


def scale_run(*, users: int, items: int, events: int) -> None:
    start = _clock()
    frame = synthetic_events(users=users, items=items, events=events)
    print(
        f"synthetic: {frame.height} events, {users} users, {items} tracks "
        f"(generated in {_since(start)[0]:.0f} s)"
    )
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "events.parquet")
        frame.write_parquet(path)
        del frame
        for target in (_run_bare_als, _run_default):
            queue = ctx.Queue()
            proc = ctx.Process(target=target, args=(path, queue))
            proc.start()
            label, wall, cpu, peak, extra = queue.get()
            proc.join()
            print(f"  {label}: {wall:.0f} s wall, {cpu:.0f} s CPU, peak RSS {peak:.1f} GiB {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--hetrec", default=os.environ.get("SELECTA_HETREC_DIR", "../shared/datasets/hetrec2011-lastfm-2k")
    )
    parser.add_argument("--users", type=int, default=500, help="users sampled for latency percentiles")
    parser.add_argument(
        "--scale", action="store_true", help="also run the 100k x 50k x 10M synthetic scale run"
    )
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--latency-only", action="store_true", help="only the one-user latency percentiles")
    parser.add_argument(
        "--bundle", help="serve this bundle (train and save it there first if it does not exist yet)"
    )
    args = parser.parse_args()
    if not args.scale_only:
        hetrec_figures(args.hetrec, users=args.users, latency_only=args.latency_only, bundle=args.bundle)
    if args.scale or args.scale_only:
        scale_run(users=100_000, items=50_000, events=10_000_000)


if __name__ == "__main__":
    main()
