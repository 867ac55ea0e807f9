"""``selecta keys create|list|revoke`` and the key ``selecta serve`` makes on its first start."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from services.cli.serve import first_key, is_loopback, prepare
from services.settings import Settings, get_settings
from services.store import Store, credentials


def test_create_list_revoke(cli_env: Settings, store: Store) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--name", "backend"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    verified = credentials.verify(store, secret)
    assert verified is not None and verified.kind == "app" and verified.name == "backend"
    listed = runner.invoke(app, ["keys", "list"])
    assert verified.key_id in listed.stdout and "active" in listed.stdout and secret not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", verified.key_id]).exit_code == 0
    assert credentials.verify(store, secret) is None
    assert "revoked" in runner.invoke(app, ["keys", "list"]).stdout
    missing = runner.invoke(app, ["keys", "revoke", "nosuchid"])
    assert missing.exit_code != 0


def test_serve_makes_a_key_on_its_first_start_only(settings: Settings, store: Store) -> None:
    secret = first_key(settings)
    assert secret is not None and credentials.verify(store, secret) is not None
    assert first_key(settings) is None  # a second start prints nothing
    only = credentials.listing(store, kind="app")
    credentials.revoke(store, only[0].key_id)
    assert first_key(settings) is not None  # no usable key left: a new one


def test_page_tokens_follow_a_loopback_bind() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_serve_on_loopback_lets_the_page_mint_tokens(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTA_PAGE_TOKENS", "0")  # recorded, so prepare()'s setting is undone after
    monkeypatch.delenv("SELECTA_PAGE_TOKENS")
    assert prepare("0.0.0.0") is not None and get_settings().page_tokens is False
    get_settings.cache_clear()
    assert prepare("127.0.0.1") is None  # the key exists already
    assert get_settings().page_tokens is True
