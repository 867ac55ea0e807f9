"""HTTP API throughput and latency on loopback: cached recommendations against a bare FastAPI endpoint.

Starts ``selecta serve`` (one uvicorn worker, BLAS on one thread) on a data directory with the hetrec
catalogue and a trained recommender (the demo catalogue with ``--demo``), warms the ranked-list cache,
then drives it with ``wrk`` (apt install wrk) at 4 connections (light load) and 32 (saturation), and
posts single listening events (each with a fresh ``event_id``, so every one is checked and stored). The
reference is a bare FastAPI app returning a constant from the same uvicorn in the same run: the
framework's own ceiling on this machine.

    OPENBLAS_NUM_THREADS=1 nice .venv/bin/python benchmarks/api.py [--seconds 15] [--demo]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HETREC = ROOT.parent / "shared" / "datasets" / "hetrec2011-lastfm-2k"
BARE_APP = """from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping():
    return {"ok": True}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def selecta(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout


def run_wrk(
    url: str, *, seconds: int, script: Path | None, connections: int, key: str | None = None
) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("this benchmark needs wrk (apt-get install wrk)")
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    if key:
        cmd[1:1] = ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--demo", action="store_true", help="demo catalogue instead of hetrec")
    parser.add_argument("--users", type=int, default=200, help="distinct users in the request mix")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="selecta-api-bench-"))
    env = {**os.environ, "SELECTA_DATA_DIR": str(data), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env.pop("REDIS_URL", None)
    print("preparing data and training ...", flush=True)
    if args.demo or not HETREC.is_dir():
        selecta(env, "import", "demo")
        users = [f"demo-user-{i:02d}" for i in range(1, 51)]
    else:
        selecta(env, "import", "hetrec", str(HETREC))
        users = [f"lastfm:{u}" for u in range(2, 2 + 4 * args.users, 4)]
    selecta(env, "train")
    key = selecta(env, "keys", "create", "--name", "benchmark").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {key}"}
    users = users[: args.users]

    port, bare_port = free_port(), free_port()
    (data / "bare_app.py").write_text(BARE_APP)
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(bare_port), "--log-level", "warning"],
        env=env,
        cwd=data,
        stdout=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/health")
        wait_up(f"http://127.0.0.1:{bare_port}/ping")
        started = time.perf_counter()
        for user in users:  # warm the ranked-list cache
            httpx.get(
                f"{base}/v1/users/{user}/recommendations", params={"n": 10}, headers=auth, timeout=30
            ).raise_for_status()
        cold_ms = (time.perf_counter() - started) / len(users) * 1000
        track = httpx.get(f"{base}/v1/tracks", params={"limit": 1}, headers=auth).json()["tracks"][0][
            "track_id"
        ]
        script = data / "users.lua"
        paths = ", ".join(f'"/v1/users/{u}/recommendations?n=10"' for u in users)
        script.write_text(
            f"paths = {{{paths}}}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
        )
        ingest = data / "events.lua"
        ingest.write_text(
            "math.randomseed(os.time())\nwrk.method = 'POST'\n"
            "wrk.headers['Content-Type'] = 'application/json'\n"
            "request = function()\n"
            f"  local user = '{users[0]}'\n"
            "  local id = string.format('b%d-%d', math.random(1, 2147483647), math.random(1, 2147483647))\n"
            f'  local body = \'{{"events": [{{"user_id": "\' .. user .. \'", "track_id": "{track}", '
            '"event_id": "\' .. id .. \'"}]}\'\n'
            "  return wrk.format(nil, '/v1/events', nil, body)\nend\n"
        )
        bare_url = f"http://127.0.0.1:{bare_port}/ping"
        rows = []
        for connections in (4, 32):
            rows.append(
                (
                    f"bare FastAPI /ping, {connections} conn (reference)",
                    run_wrk(bare_url, seconds=args.seconds, script=None, connections=connections),
                )
            )
            rows.append(
                (
                    f"selecta cached recommendations, {connections} conn",
                    run_wrk(base, seconds=args.seconds, script=script, connections=connections, key=key),
                )
            )
        rows.append(
            (
                "selecta POST /v1/events (1 event), 4 conn",
                run_wrk(base, seconds=args.seconds, script=ingest, connections=4, key=key),
            )
        )
    finally:
        for proc in (server, bare):
            proc.terminate()
            proc.wait(timeout=20)
    print(f"\nuncached recommendation through HTTP (cache warm-up): {cold_ms:.1f} ms per request")
    print(f"\n{'endpoint':48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in rows:
        print(f"{name:48} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non2xx']:8.0f}")
    print("\nwrk: 2 threads, on the same 2 cores as the server (4 connections: light load; 32: saturation)")


if __name__ == "__main__":
    main()
