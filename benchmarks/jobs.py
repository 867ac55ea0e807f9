"""Offline playlist jobs at scale: `selecta jobs playlists` locally and on Ray, users/s and peak memory.

    nice .venv/bin/python benchmarks/jobs.py                      # all hetrec users + 100k synthetic users
    nice .venv/bin/python benchmarks/jobs.py --only hetrec --users 300        # a quick look

Data: every hetrec-2k user (read from ../shared/datasets, never copied) and the seeded synthetic catalogue
of ``benchmarks/recommender_speed.py`` (100k users; 50 genres, Zipf popularity), each with the shipped
default trained on it once and cached under --work. Each run is the real command (`python -m
services.cli.main jobs playlists`, its own embedded Redis) in a fresh process; this script times it from
outside and samples the RSS of the whole process tree (the CLI, its Redis, Ray's GCS, raylet and workers)
with psutil every 0.1 s. The reference in the same run is a bare loop of ``Recommender.recommend`` over the
same users in one process: no Redis reads, checkpoints or file, the floor the job adds its work to.
The output file is read back and checked (every user, ranks 1..n).

Last run (2 shared CPUs, load average 13-17, so wall times are contention more than capacity; n=20):
hetrec all 1,892 users: bare loop 7 users/s 205 MiB, local 9 users/s 349 MiB, Ray 9 users/s 1,369 MiB.
synthetic 100k-user bundle (300k events; first 1,000 users): bare loop 14/s 223 MiB, local 10/s 432 MiB,
Ray 10/s 1,480 MiB. Ray's fixed cost is its GCS, raylet and one worker per CPU (about 1 GiB resident).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE = """
import sys, time
from recommender import Recommender
model = Recommender.load(sys.argv[1])
users = model.user_ids[: int(sys.argv[2])] if int(sys.argv[2]) else model.user_ids
for user in users:
    model.recommend(user, int(sys.argv[3]))
"""


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of ``proc`` and every descendant still alive."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # it ended between listing and reading
            total += p.memory_info().rss
    return total


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str | None]:
    """Wall seconds, peak process-tree RSS and, if ``cmd`` failed, the last line it printed (a failed
    backend is a row in the table, not the end of the run: Ray can time out starting on a loaded host)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        proc, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            peak = max(peak, tree_rss(proc))
            time.sleep(0.1)
        wall = time.perf_counter() - start
        if child.returncode == 0:
            return wall, peak, None
        err.seek(0)
        lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
        return wall, peak, (lines[-1] if lines else f"exit {child.returncode}")[:120]


def prepare(name: str, work: Path, hetrec: str, events: int) -> Path:
    """A data directory with the shipped default trained on the data set (trained once, then reused)."""
    from recommender import Recommender
    from services.recommending import bundle_path
    from services.settings import Settings

    data_dir = work / name
    bundle = bundle_path(Settings(data_dir=data_dir))
    if (bundle / "manifest.json").is_file():
        return data_dir
    start = time.perf_counter()
    if name == "hetrec":
        from services.data.hetrec import load_hetrec

        data = load_hetrec(hetrec)
        model = Recommender.fit(events=data.events, items=data.catalog)
    else:
        from benchmarks.recommender_speed import synthetic_events

        frame = synthetic_events(users=100_000, items=50_000, events=events)
        model = Recommender.fit(events=frame)
    model.save(bundle)
    print(f"{name}: trained the shipped default on {len(model.user_ids):,} users, "
          f"{len(model.item_ids):,} tracks in {time.perf_counter() - start:.0f} s")  # fmt: skip
    return data_dir


def run(name: str, data_dir: Path, *, users: int, n: int, backends: list[str]) -> list[tuple]:
    import polars as pl

    from recommender import Recommender
    from services.recommending import bundle_path
    from services.settings import Settings

    bundle = bundle_path(Settings(data_dir=data_dir))
    everyone = Recommender.load(bundle).user_ids
    chosen = sorted(everyone)[:users] if users else sorted(everyone)
    env = {
        **os.environ,
        "SELECTA_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
        "OPENBLAS_NUM_THREADS": "1",
    }
    env.pop("REDIS_URL", None)
    rows = []
    wall, peak, failed = measured([sys.executable, "-c", REFERENCE, str(bundle), str(users), str(n)], env)
    rows.append((name, "reference: bare recommend loop", len(chosen), wall, peak, failed or "-"))
    for backend in backends:
        out = data_dir / f"playlists-{backend}.parquet"
        out.unlink(missing_ok=True)
        picks = [arg for user in chosen for arg in ("--user", user)] if users else []
        cmd = [sys.executable, "-m", "services.cli.main", "jobs", "playlists", "--out", str(out),
               "--n", str(n), "--backend", backend, *picks]  # fmt: skip
        wall, peak, failed = measured(cmd, env)
        label = f"selecta jobs playlists --backend {backend}"
        if failed:
            rows.append((name, label, len(chosen), wall, peak, f"FAILED: {failed}"))
            continue
        frame = pl.read_parquet(out)
        ok = (
            frame["user_id"].n_unique() == len(chosen)
            and frame.height == len(chosen) * n
            and frame.group_by("user_id").agg(pl.col("rank").sort()).get_column("rank").to_list()
            == [list(range(1, n + 1))] * len(chosen)
        )
        rows.append(
            (
                name,
                f"selecta jobs playlists --backend {backend}",
                len(chosen),
                wall,
                peak,
                "yes" if ok else "NO",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--hetrec",
        default=os.environ.get(
            "SELECTA_HETREC_DIR", str(ROOT.parent / "shared/datasets/hetrec2011-lastfm-2k")
        ),
    )
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "selecta-jobs-bench"))
    parser.add_argument("--only", choices=("hetrec", "synthetic"))
    parser.add_argument("--users", type=int, default=0, help="only the first N users of each (0: all)")
    parser.add_argument("--events", type=int, default=2_000_000, help="synthetic events to train on")
    parser.add_argument("--n", type=int, default=20, help="tracks per playlist")
    parser.add_argument("--backends", default="local,ray")
    args = parser.parse_args()
    work = Path(args.work)
    rows = []
    for name in ("hetrec", "synthetic"):
        if args.only in (None, name):
            data_dir = prepare(name, work, args.hetrec, args.events)
            rows += run(name, data_dir, users=args.users, n=args.n, backends=args.backends.split(","))
    load = os.getloadavg()[0]
    print(f"\n{os.cpu_count()} CPUs, load average {load:.1f}; n={args.n}; peak RSS of the whole process tree")
    print("| data | run | users | wall s | users/s | peak RSS MiB | output checked |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, label, users, wall, peak, ok in rows:
        rate, mib = users / wall, peak / 2**20
        print(f"| {name} | {label} | {users:,} | {wall:.1f} | {rate:,.0f} | {mib:,.0f} | {ok} |")


if __name__ == "__main__":
    main()
