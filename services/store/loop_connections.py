"""Redis commands on the API's event loop over a stack of connections of their own.

The hot routes (a cached recommendation, an event write) are one Redis command each. Through redis-py's
asyncio client a command also paid for its connection pool (a lock, a liveness read of the socket and
observability counters on every checkout), its retry wrapper and one timer for the write and another for
the read: in one run on this machine 85-140 us of CPU for an MGET against 35-70 us for the same command
sent on a connection taken from a plain stack (``benchmarks/api.py`` prints both). Here each command
takes an idle connection (or opens one), runs under one timeout (``asyncio.wait_for``) that covers
connecting, writing and reading, and puts the connection back only when its reply was read whole: any
failure, a timeout or a cancellation drops it, so a reply that never arrived cannot be read as the
answer to the next command.
The connections are redis-py's own (its protocol encoder and hiredis parser), so replies are the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import NoScriptError
from redis.typing import EncodableT

IDLE_KEPT = 64
"""Idle connections kept for reuse; one more than this is closed when it comes back (a burst of
concurrent requests opens many at once, and the server need not keep them all)."""


class LoopConnections:
    """Commands for one event loop (an asyncio connection belongs to the loop that opened it).

    ``make`` opens an unconnected redis-py asyncio connection (it connects on its first command);
    ``timeout_s`` bounds each command from checkout to reply, connecting included. A timeout is a
    :class:`redis.TimeoutError`, so the store reports it as it reports the blocking client's."""

    def __init__(
        self, make: Callable[[], redis.asyncio.connection.AbstractConnection], *, timeout_s: float
    ) -> None:
        self._make = make
        self._timeout_s = timeout_s
        self._idle: list[redis.asyncio.connection.AbstractConnection] = []

    async def command(self, *args: EncodableT) -> Any:
        """One command's reply (a Redis error reply is raised as redis-py's exception for it)."""
        connection = self._idle.pop() if self._idle else self._make()
        try:
            reply = await asyncio.wait_for(self._exchange(connection, args), self._timeout_s)
        except redis.ResponseError:
            await self._put_back(connection)  # an error reply was read whole: the connection is in step
            raise
        except BaseException as exc:
            await connection.disconnect(nowait=True)
            if isinstance(exc, asyncio.TimeoutError):
                raise redis.TimeoutError(f"no reply within {self._timeout_s:g}s") from exc
            raise
        await self._put_back(connection)
        return reply

    @staticmethod
    async def _exchange(
        connection: redis.asyncio.connection.AbstractConnection, args: tuple[EncodableT, ...]
    ) -> Any:
        await connection.send_packed_command(connection.pack_command(*args), check_health=False)
        return await connection.read_response(disconnect_on_error=False)

    async def script(self, sha: str, source: str, keys: Sequence[str], args: Sequence[EncodableT]) -> Any:
        """A Lua script by its SHA1, sent whole (which also caches it on the server) when the server does
        not have it yet: after a restart, or on a fresh server."""
        try:
            return await self.command("EVALSHA", sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self.command("EVAL", source, len(keys), *keys, *args)

    async def _put_back(self, connection: redis.asyncio.connection.AbstractConnection) -> None:
        if len(self._idle) < IDLE_KEPT:
            self._idle.append(connection)
        else:
            await connection.disconnect(nowait=True)
