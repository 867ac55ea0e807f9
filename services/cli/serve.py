"""``selecta serve``: run the API with uvicorn.

On its first start (no app key in the store yet) it creates one and prints it, once. On a loopback
address it lets the listening page mint listener tokens for itself (``SELECTA_PAGE_TOKENS``), so the page
works without ever holding the key; on any other address the page needs a token from the app.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from services.cli.output import console
from services.settings import Settings, get_settings
from services.store import credentials, open_store


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def first_key(settings: Settings) -> str | None:
    """A new app key's secret if the store has no usable app key yet; None otherwise."""
    store = open_store(settings)
    if any(c.is_valid() for c in credentials.listing(store, kind="app")):
        return None
    return credentials.issue(store, "app", name="first start of selecta serve").secret


def prepare(host: str) -> str | None:
    """Turn page tokens on for a loopback bind, then make the first app key if there is none. The
    environment is set before the settings are first read: they are read once per process."""
    if is_loopback(host):
        os.environ.setdefault("SELECTA_PAGE_TOKENS", "1")
    return first_key(get_settings())


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(help="A log line per request (/metrics counts them too; the line costs CPU on each)."),
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). BLAS is kept to one thread per process."""
    import uvicorn

    secret = prepare(host)
    if secret is not None:
        console.print("created an app key (shown once; `selecta keys create` makes more):")
        print(secret, flush=True)
    # Thread oversubscription between the server's pool and BLAS costs ~17x in throughput.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    uvicorn.run(
        "services.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
