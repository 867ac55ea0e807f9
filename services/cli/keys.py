"""``selecta keys create|list|revoke``: app keys for streaming backends (and a look at listener tokens).

A key's secret is printed once, when it is created: Redis keeps only its hash, so a lost key is revoked
and replaced, never recovered.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from services.cli.output import console
from services.settings import get_settings
from services.store import credentials, open_store

keys_app = typer.Typer(help="App keys (and listener tokens): create, list, revoke.", no_args_is_help=True)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="What the key is for (shown by `keys list`).")] = "app",
    ttl_days: Annotated[float | None, typer.Option(help="Days until it expires (never if unset).")] = None,
) -> None:
    """Create an app key and print its secret, once."""
    store = open_store(get_settings())
    issued = credentials.issue(store, "app", name=name, ttl_s=ttl_days * 86400 if ttl_days else None)
    console.print(f"app key {issued.credential.key_id} ({name}): keep it secret, it is not shown again")
    print(issued.secret)


@keys_app.command("list")
def list_keys(
    tokens: Annotated[bool, typer.Option("--tokens", help="List listener tokens as well.")] = False,
) -> None:
    """Every app key (and with --tokens, listener token) the store keeps; secrets are never shown."""
    found = credentials.listing(open_store(get_settings()), kind=None if tokens else "app")
    table = Table(title=f"{len(found)} credential(s)")
    for column in ("id", "kind", "name", "listener", "created", "expires", "state"):
        table.add_column(column)
    now = time.time()
    for c in found:
        state = "revoked" if c.revoked else ("expired" if not c.is_valid(now) else "active")
        table.add_row(
            c.key_id,
            c.kind,
            c.name,
            c.user_id or "",
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(c.created_at)),
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(c.expires_at)) if c.expires_at else "never",
            state,
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The id `keys list` shows.")]) -> None:
    """Revoke a key or token: every request with it is a 401 from then on (within the API's auth cache)."""
    credentials.revoke(open_store(get_settings()), key_id)
    console.print(f"revoked {key_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
