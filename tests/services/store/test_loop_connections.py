"""The event-loop connections against a real redis-server we own (stopped with SIGSTOP to stall it)."""

from __future__ import annotations

import asyncio
import hashlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio

from services.store.loop_connections import IDLE_KEPT, LoopConnections
from tests.conftest import RedisServer, free_port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    client = server.client()
    client.set("k1", "one")
    client.set("k2", "two")
    yield server
    assert server.process is not None
    server.process.send_signal(signal.SIGCONT)
    server.kill()


class Counting:
    """Makes connections to the server and counts them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.made = 0

    def __call__(self) -> redis.asyncio.Connection:
        self.made += 1
        return redis.asyncio.Connection(port=self.port, decode_responses=True, client_name="loop")


def _stall(server: RedisServer) -> None:
    assert server.process is not None
    server.process.send_signal(signal.SIGSTOP)


def _resume(server: RedisServer) -> None:
    assert server.process is not None
    server.process.send_signal(signal.SIGCONT)


def test_a_command_that_timed_out_never_hands_its_late_reply_to_the_next(server: RedisServer) -> None:
    """The reply to GET k1 arrives after the timeout; the next command must read its own reply, not it."""
    make = Counting(server.port)
    connections = LoopConnections(make, timeout_s=0.3)

    async def scenario() -> tuple[str, str]:
        first = await connections.command("GET", "k1")
        _stall(server)
        with pytest.raises(redis.TimeoutError):
            await connections.command("GET", "k1")
        _resume(server)
        await asyncio.sleep(0.1)  # the server answers the GET it had queued
        return first, await connections.command("GET", "k2")

    assert asyncio.run(scenario()) == ("one", "two")
    assert make.made == 2  # the connection that timed out was dropped


def test_a_cancelled_command_drops_its_connection(server: RedisServer) -> None:
    """A request cancelled mid-command (its client went away) leaves no reply behind for the next one."""
    make = Counting(server.port)
    connections = LoopConnections(make, timeout_s=5.0)

    async def scenario() -> str:
        await connections.command("PING")
        _stall(server)
        task = asyncio.create_task(connections.command("GET", "k1"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        _resume(server)
        await asyncio.sleep(0.1)
        return str(await connections.command("GET", "k2"))

    assert asyncio.run(scenario()) == "two"
    assert make.made == 2


def test_an_error_reply_is_raised_and_keeps_the_connection(server: RedisServer) -> None:
    make = Counting(server.port)
    connections = LoopConnections(make, timeout_s=1.0)

    async def scenario() -> str:
        with pytest.raises(redis.ResponseError, match="not an integer"):
            await connections.command("INCR", "k1")
        return str(await connections.command("GET", "k2"))

    assert asyncio.run(scenario()) == "two"
    assert make.made == 1


def test_a_script_is_sent_whole_when_the_server_does_not_have_it(server: RedisServer) -> None:
    source = "return redis.call('GET', KEYS[1]) .. ARGV[1]"
    sha = hashlib.sha1(source.encode()).hexdigest()
    connections = LoopConnections(Counting(server.port), timeout_s=1.0)

    async def scenario() -> list[str]:
        replies = [await connections.script(sha, source, ["k1"], ["!"])]  # a fresh server: NOSCRIPT
        replies.append(await connections.script(sha, source, ["k2"], ["?"]))  # cached by the first
        await connections.command("SCRIPT", "FLUSH")  # as after a restart
        replies.append(await connections.script(sha, source, ["k1"], ["."]))
        return replies

    assert asyncio.run(scenario()) == ["one!", "two?", "one."]


def test_a_refused_connection_is_a_redis_connection_error(tmp_path: Path) -> None:
    connections = LoopConnections(Counting(free_port()), timeout_s=1.0)
    with pytest.raises(redis.ConnectionError):
        asyncio.run(connections.command("PING"))


def test_a_burst_keeps_at_most_the_idle_cap_open(server: RedisServer) -> None:
    """A hundred commands at once open a hundred connections; afterwards the server holds the cap of them,
    and the kept ones are reused."""
    make = Counting(server.port)
    connections = LoopConnections(make, timeout_s=5.0)
    burst = IDLE_KEPT + 36

    counter = server.client()

    async def scenario() -> list[str]:
        replies = await asyncio.gather(*(connections.command("GET", "k1") for _ in range(burst)))
        await asyncio.sleep(0.1)  # let the server see the dropped sockets close
        assert sum(c["name"] == "loop" for c in counter.client_list()) == IDLE_KEPT
        made = make.made
        await asyncio.gather(*(connections.command("GET", "k2") for _ in range(IDLE_KEPT)))
        assert make.made == made  # all reused
        return list(replies)

    assert asyncio.run(scenario()) == ["one"] * burst
    assert make.made == burst
