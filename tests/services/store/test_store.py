"""The Redis store against a real redis-server: events, history, cache, sessions, jobs, durability."""

from __future__ import annotations

import asyncio
import inspect
import signal
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl
import psutil
import pytest
import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from services.data.errors import NotFoundError, ValidationError
from services.settings import Settings
from services.store import Store, StoreUnavailableError, open_store
from services.store.loop_connections import LoopConnections
from services.store.store import EventRow, MixProgressFields
from tests.conftest import RedisServer, free_port

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def events(user: str, tracks: list[str], *, start: datetime = T0, reason: str = "played") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "user_id": [user] * len(tracks),
            "track_id": tracks,
            "ts": [start + timedelta(minutes=i) for i in range(len(tracks))],
            "ms_played": [30_000] * len(tracks),
            "reason": [reason] * len(tracks),
        }
    )


def test_events_round_trip_through_the_stream(store: Store) -> None:
    written = store.append_events(events("u1", ["a", "b", "c"]))
    assert written == 3
    frame = store.events_frame()
    assert frame["track_id"].to_list() == ["a", "b", "c"]
    assert frame["ts"][0] == T0
    assert frame["plays"].to_list() == [1, 1, 1]


def test_events_frame_pages_through_long_streams(store: Store) -> None:
    store.append_events(events("u1", [f"t{i}" for i in range(25)]))
    assert store.events_frame(page=4)["track_id"].to_list() == [f"t{i}" for i in range(25)]


def test_invalid_events_write_nothing(store: Store) -> None:
    bad = events("u1", ["a", "b"]).with_columns(pl.Series("reason", ["played", "zapped"]))
    with pytest.raises(ValidationError, match=r"row 2.*reason"):
        store.append_events(bad)
    assert store.count_events() == 0


def test_recent_history_is_newest_first_and_capped(store: Store, redis_server: RedisServer) -> None:
    capped = Store(redis_server.client(), namespace=store.keys.ns, history_length=3)
    capped.append_events(events("u1", ["a", "b", "c", "d", "e"]))
    assert capped.recent_history("u1", 10)["track_id"].to_list() == ["e", "d", "c"]
    assert capped.recent_history("nobody", 10).is_empty()
    assert capped.known_users() == ["u1"]


def test_new_events_invalidate_cached_rankings(store: Store) -> None:
    store.cache_ranked("u1", "ctx", [{"track_id": "a", "score": 1.0}])
    assert store.get_ranked("u1", "ctx") == [{"track_id": "a", "score": 1.0}]
    store.append_events(events("u1", ["b"]))
    assert store.get_ranked("u1", "ctx") is None


def test_checked_rows_are_stored_in_time_order_once_per_event_id(store: Store) -> None:
    """What the API hands the store: rows out of time order (one without ``ts``, which goes first), an id
    repeated in the batch (the first in time order is kept), then the whole batch retried."""
    late, early = T0 + timedelta(minutes=5), T0
    rows = [
        EventRow(
            user_id="u1", track_id="b", ts=late, ms_played=None, reason="played", plays=1, event_id="e1"
        ),
        EventRow(
            user_id="u1", track_id="a", ts=early, ms_played=None, reason="played", plays=1, event_id="e2"
        ),
        EventRow(user_id="u1", track_id="c", ts=None, ms_played=7, reason="liked", plays=3, event_id="e1"),
        EventRow(
            user_id="u2", track_id="d", ts=early, ms_played=None, reason="played", plays=1, event_id=None
        ),
    ]
    store.cache_ranked("u1", "ctx", [{"track_id": "x"}])
    assert store.append_checked(rows) == 3  # b repeats c's id "e1"
    assert store.append_checked(rows) == 1  # a retry: only the event without an id is new
    assert store.get_ranked("u1", "ctx") is None
    history = store.recent_history("u1", 10)
    assert history["track_id"].to_list() == ["a", "c"]  # newest first
    assert history["ts"].to_list() == [early, None]
    assert history.row(1, named=True) | {"ts": None} == {
        "user_id": "u1",
        "track_id": "c",
        "ts": None,
        "ms_played": 7,
        "reason": "liked",
        "plays": 3,
    }
    assert store.events_frame()["track_id"].to_list() == ["c", "a", "d", "d"]


def test_a_cached_ranking_and_the_catalogue_version_come_in_one_read(store: Store) -> None:
    assert store.ranked_at_version("u1", "ctx") == (0, None)
    store.cache_ranked("u1", "ctx", [{"track_id": "a"}])
    store.bump_catalog_version()
    assert store.ranked_at_version("u1", "ctx") == (1, [{"track_id": "a"}])
    store.append_events(events("u1", ["b"]))
    assert store.ranked_at_version("u1", "ctx") == (1, None)


def test_cached_rankings_expire(store: Store, redis_server: RedisServer) -> None:
    # Redis does the expiring; the test checks the TTL the store sets, then moves the key's expiry into
    # the past (PEXPIREAT) so Redis expires it now, instead of sleeping out the TTL.
    redis = redis_server.client()
    key = store.keys.ranked("u1", "ctx")
    store.cache_ranked("u1", "ctx", [{"track_id": "a"}], ttl_s=30)
    assert 25_000 < redis.pttl(key) <= 30_000
    store.cache_ranked("u2", "ctx", [{"track_id": "a"}])  # without ttl_s: the store's default
    default_ms = store.ranked_ttl_s * 1000
    assert default_ms - 5_000 < redis.pttl(store.keys.ranked("u2", "ctx")) <= default_ms
    assert store.get_ranked("u1", "ctx") == [{"track_id": "a"}]
    assert redis.pexpireat(key, 1)
    assert store.get_ranked("u1", "ctx") is None


def test_consumer_group_delivers_once_until_acknowledged(store: Store) -> None:
    store.append_events(events("u1", ["a", "b"]))
    first = store.read_new_events("updater-1")
    assert [e.track_id for e in first] == ["a", "b"]
    assert store.read_new_events("updater-1") == []
    assert store.pending_events() == 2
    assert store.ack_events([e.id for e in first]) == 2
    assert store.pending_events() == 0


def test_sessions_round_trip_and_unknown_session_is_404(store: Store) -> None:
    store.save_session("s1", {"user_id": "u1", "tracks": ["a", "b"]})
    assert store.load_session("s1")["tracks"] == ["a", "b"]
    with pytest.raises(NotFoundError) as info:
        store.load_session("missing")
    assert info.value.status == 404


def test_job_queue_is_fifo_with_status(store: Store) -> None:
    first = store.enqueue_job("playlists", {"users": 2})
    second = store.enqueue_job("playlists", {"users": 3})
    claimed = store.claim_job()
    assert claimed is not None and claimed.job_id == first and claimed.state == "running"
    store.update_job(first, progress=0.5)
    assert store.job_status(first).progress == 0.5
    store.update_job(first, state="done", result={"written": 2})
    assert store.job_status(first).result == {"written": 2}
    assert store.claim_job().job_id == second  # type: ignore[union-attr]
    assert store.claim_job() is None
    with pytest.raises(ValueError, match="job state"):
        store.update_job(second, state="exploded")


def test_acknowledged_events_survive_a_killed_server(tmp_path: Path) -> None:
    """Write, SIGKILL the server (no shutdown save), start it again on the same directory, read back."""
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    try:
        store = Store(server.client(), namespace="restart")
        store.append_events(events("u1", ["a", "b", "c"]))
        store.save_session("s1", {"tracks": ["a"]})
        server.kill()
        server.start()
        again = Store(server.client(), namespace="restart")
        assert again.events_frame()["track_id"].to_list() == ["a", "b", "c"]
        assert again.recent_history("u1")["track_id"].to_list() == ["c", "b", "a"]
        assert again.load_session("s1") == {"tracks": ["a"]}
    finally:
        server.kill()


@pytest.mark.slow
def test_embedded_redis_persists_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    store.append_events(events("u1", ["a", "b"]))
    # like a crash: only the append-only file remains (the embedded server is reachable only through the
    # store's own client, so this white-box test uses it)
    store._client.shutdown(nosave=True)
    reopened = open_store(settings)
    assert reopened.events_frame()["track_id"].to_list() == ["a", "b"]
    assert (tmp_path / "redis").is_dir()
    reopened._client.shutdown(nosave=True)


@pytest.mark.slow
@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_embedded_redis_keeps_acknowledged_events_through_a_kill(tmp_path: Path, fsync: str) -> None:
    """Either fsync policy runs on the embedded server. Under ``always`` an acknowledged event is in the
    append-only file before the answer, so a kill right after it loses nothing. Under ``everysec`` Redis
    may hold the write back while a background fsync is slow (up to about 2 s: a CI run lost a whole
    batch killed at once), so the kill waits until Redis reports its AOF buffer written; from then on a
    kill of the process loses nothing either (a power loss may still take the last second or two)."""
    settings = Settings(data_dir=tmp_path, redis_fsync=fsync)
    store = open_store(settings)
    assert store._client.config_get("appendfsync") == {"appendfsync": fsync}
    store.append_events(events("u1", ["a", "b", "c"]))
    unwritten = int(store._client.info("persistence")["aof_buffer_length"])
    if fsync == "always":
        assert unwritten == 0
    deadline = time.monotonic() + 10
    while unwritten and time.monotonic() < deadline:
        time.sleep(0.05)
        unwritten = int(store._client.info("persistence")["aof_buffer_length"])
    assert unwritten == 0
    server = psutil.Process(int(store._client.info("server")["process_id"]))
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)  # reaped, so the reopening store starts a new server, not trusts a zombie
    reopened = open_store(settings)
    assert reopened.events_frame()["track_id"].to_list() == ["a", "b", "c"]
    reopened._client.shutdown(nosave=True)


def test_redis_going_away_is_a_clear_503(tmp_path: Path) -> None:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    store = Store(server.client(), namespace="gone")
    store.append_events(events("u1", ["a"]))
    server.kill()
    with pytest.raises(StoreUnavailableError, match="append_events") as info:
        store.append_events(events("u1", ["b"]))
    assert info.value.status == 503


# Arguments for every public Store method, to call each one with Redis gone.
ROW = {"user_id": "u1", "track_id": "b", "ts": T0, "ms_played": None, "reason": "played", "plays": 1}
ROW["event_id"] = None

CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "ping": ((), {}),
    "append_events": ((events("u1", ["b"]),), {}),
    "append_checked": (([EventRow(**ROW)],), {}),  # type: ignore[typeddict-item]
    "count_events": ((), {}),
    "events_frame": ((), {}),
    "ensure_group": ((), {}),
    "read_new_events": (("updater",), {}),
    "ack_events": ((["1-0"],), {}),
    "pending_ids": (("updater",), {}),
    "pending_events": ((), {}),
    "recent_history": (("u1",), {}),
    "known_users": ((), {}),
    "cache_ranked": (("u1", "ctx", []), {}),
    "get_ranked": (("u1", "ctx"), {}),
    "ranked_json_at_version": (("u1", "ctx"), {}),
    "append_checked_async": (([],), {}),
    "ranked_at_version": (("u1", "ctx"), {}),
    "invalidate_ranked": (("u1",), {}),
    "set_taste": (("u1", "jazz", "like"), {}),
    "tastes": (("u1",), {}),
    "save_session": (("s1", {}), {}),
    "load_session": (("s1",), {}),
    "delete_session": (("s1",), {}),
    "swap_session": (("s1", {}), {"expected": {}}),
    "save_mix_progress": (
        ("s1", MixProgressFields(state="done", rendered_s=1.0, duration_s=1.0)),
        {"ttl_s": 60},
    ),
    "mix_progress": (("s1",), {}),
    "bump_catalog_version": ((), {}),
    "catalog_version": ((), {}),
    "set_retired": ((), {"retire": ["t1"]}),
    "retired_tracks": ((), {}),
    "enqueue_job": (("playlists", {}), {}),
    "claim_job": ((), {}),
    "update_job": (("j1",), {"state": "done"}),
    "job_status": (("j1",), {}),
    "save_credential": (("k1", {"kind": "app"}), {"expires_at": None}),
    "load_credential": (("k1",), {}),
    "credential_records": ((), {}),
    "revoke_credential": (("k1",), {}),
    "count_request": (("k1", "voice"), {"window_s": 60}),
}


def test_every_store_operation_is_a_503_when_redis_is_gone(tmp_path: Path) -> None:
    """Each public method, found on the class (a new one cannot skip this), fails as StoreUnavailableError
    naming its operation, with no host, port or socket in the message."""
    methods = sorted(
        name for name, _ in inspect.getmembers(Store, inspect.isfunction) if not name.startswith("_")
    )
    assert methods == sorted(CALLS)
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    # Without redis-py's retries and backoff each call fails at once (the error is the same either way).
    client = redis.Redis(port=server.port, decode_responses=True, retry=Retry(NoBackoff(), 0))
    store = Store(
        client,
        namespace="gone",
        connect_async=lambda: LoopConnections(
            lambda: redis.asyncio.Connection(
                port=server.port, decode_responses=True, retry=AsyncRetry(NoBackoff(), 0)
            ),
            timeout_s=1.0,
        ),
    )
    server.kill()
    for name in methods:
        args, kwargs = CALLS[name]
        call = getattr(store, name)
        with pytest.raises(StoreUnavailableError) as info:
            if inspect.iscoroutinefunction(call):  # the API's event-loop paths, on the asyncio client
                asyncio.run(call(*args, **kwargs))
            else:
                call(*args, **kwargs)
        message = str(info.value)
        assert "Redis did not answer" in message, name
        assert "127.0.0.1" not in message and str(server.port) not in message, name


def test_tastes_are_kept_per_listener_and_the_latest_word_wins(store: Store) -> None:
    assert store.tastes("ana") == {}
    store.set_taste("ana", "jazz", "like")
    store.set_taste("ana", "disco", "like")
    store.set_taste("ana", "disco", "dislike")  # changed her mind
    store.set_taste("ben", "jazz", "dislike")
    assert store.tastes("ana") == {"jazz": "like", "disco": "dislike"}
    assert store.tastes("ben") == {"jazz": "dislike"}


def test_catalog_version_counts_imports(store: Store) -> None:
    assert store.catalog_version() == 0
    assert store.bump_catalog_version() == 1
    assert store.bump_catalog_version() == 2
    assert store.catalog_version() == 2


def test_retired_tracks_are_kept_and_restored_and_each_change_is_a_new_catalogue_version(
    store: Store,
) -> None:
    assert store.retired_tracks() == frozenset()
    assert store.set_retired(retire=["a", "b"]) == 1
    assert store.retired_tracks() == {"a", "b"}
    assert store.set_retired(restore=["a", "never-retired"]) == 2
    assert store.retired_tracks() == {"b"} and store.catalog_version() == 2


def test_mix_progress_round_trip_with_expiry(store: Store, redis_server: RedisServer) -> None:
    assert store.mix_progress("s1") is None
    store.save_mix_progress(
        "s1", MixProgressFields(state="rendering", rendered_s=1.23456, duration_s=60.0), ttl_s=30
    )
    assert store.mix_progress("s1") == MixProgressFields(state="rendering", rendered_s=1.235, duration_s=60.0)
    assert 0 < redis_server.client().ttl(store.keys.mix_progress("s1")) <= 30
    assert store.keys.mix_progress("s1") == f"{store.keys.session('s1')}:mix"
    timed = MixProgressFields(
        state="done", rendered_s=60.0, duration_s=60.0, from_position=2, handovers_s=[0.0, 21.5, 44.25]
    )
    store.save_mix_progress("s2", timed, ttl_s=30)
    assert store.mix_progress("s2") == timed


def test_unreachable_redis_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="cannot reach Redis"):
        open_store(Settings(data_dir=tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))


def test_a_password_in_the_redis_url_is_never_printed(tmp_path: Path) -> None:
    url = f"redis://selecta:s3cret@127.0.0.1:{free_port()}/0"
    with pytest.raises(StoreUnavailableError, match=r"selecta:\*\*\*@127\.0\.0\.1") as info:
        open_store(Settings(data_dir=tmp_path, REDIS_URL=url))
    assert "s3cret" not in str(info.value)


def test_swap_session_writes_only_over_what_was_read(store: Store) -> None:
    store.save_session("cas", {"n": 0})
    read = store.load_session("cas")
    assert store.swap_session("cas", {"n": 1}, expected=read)
    assert not store.swap_session("cas", {"n": 2}, expected=read)  # stale: someone wrote since
    assert store.load_session("cas") == {"n": 1}
    assert not store.swap_session("never-saved", {"n": 1}, expected={"n": 0})
    with pytest.raises(NotFoundError):
        store.load_session("never-saved")


def test_two_threads_swapping_one_session_lose_no_update(store: Store, redis_server: RedisServer) -> None:
    import threading

    store.save_session("counter", {"n": 0})
    rounds = 40

    def bump() -> None:
        mine = Store(redis_server.client(), namespace=store.keys.ns)  # a client per thread, as in the API
        for _ in range(rounds):
            while True:
                read = mine.load_session("counter")
                if mine.swap_session("counter", {"n": read["n"] + 1}, expected=read):
                    break

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert store.load_session("counter") == {"n": 2 * rounds}


def test_a_retried_batch_with_event_ids_is_stored_once(store: Store) -> None:
    batch = events("u1", ["a", "b"])
    assert store.append_events(batch, event_ids=["e1", "e2"]) == 2
    assert store.append_events(batch, event_ids=["e1", "e2"]) == 0  # the retry
    assert store.append_events(events("u1", ["c", "c"]), event_ids=["e3", "e3"]) == 1  # repeated in a batch
    assert store.append_events(events("u2", ["a"]), event_ids=["e1"]) == 1  # ids are per listener
    assert store.append_events(events("u1", ["d"])) == 1  # no id: always stored
    assert store.count_events() == 5
    assert store.recent_history("u1", 10)["track_id"].to_list() == ["d", "c", "b", "a"]


def test_requests_are_counted_per_credential_and_window(store: Store) -> None:
    assert [store.count_request("k1", "voice", window_s=60)[0] for _ in range(3)] == [1, 2, 3]
    count, reset_s = store.count_request("k2", "voice", window_s=60)
    assert count == 1 and 0 < reset_s <= 60


def test_an_event_drops_every_cached_context_of_its_user_only(store: Store) -> None:
    for context in ("a", "b"):
        store.cache_ranked("u1", context, [{"track_id": context}])
    store.cache_ranked("u2", "a", [{"track_id": "a"}])
    store.append_events(events("u1", ["x"]))
    assert store.get_ranked("u1", "a") is None and store.get_ranked("u1", "b") is None
    assert store.get_ranked("u2", "a") == [{"track_id": "a"}]
    assert store.invalidate_ranked("u1") == 0  # nothing left to drop


def test_the_event_loop_paths_read_and_write_as_the_blocking_ones(
    settings: Settings, redis_server: RedisServer
) -> None:
    """The API's async reads and writes, on the asyncio client (``open_store``) and, for a store built
    from a plain client, in a worker thread: the cached list comes back as the JSON text stored, an event
    is written once however often it is retried, and it drops the listener's cached lists. Each
    ``asyncio.run`` is a new event loop: the store opens a client for each."""
    with_loop = open_store(settings)
    plain = Store(redis_server.client(), namespace=settings.redis_namespace + "p")
    for store in (with_loop, plain):
        version = store.bump_catalog_version()
        store.cache_ranked("u1", "ctx", [{"track_id": "a", "score": 1.5}])
        assert asyncio.run(store.ranked_json_at_version("u1", "ctx")) == (
            version,
            '[{"track_id": "a", "score": 1.5}]',
        )
        row = EventRow(
            user_id="u1", track_id="b", ts=T0, ms_played=None, reason="played", plays=1, event_id="e-1"
        )
        assert asyncio.run(store.append_checked_async([row])) == 1
        fresh = EventRow(
            user_id="u1", track_id="c", ts=T0, ms_played=None, reason="played", plays=1, event_id=None
        )
        assert asyncio.run(store.append_checked_async([row, fresh])) == 1
        assert store.recent_history("u1")["track_id"].to_list() == ["c", "b"]
        assert asyncio.run(store.ranked_json_at_version("u1", "ctx")) == (version, None)
