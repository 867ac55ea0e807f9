"""App keys and listener tokens: issued once, kept hashed in Redis, expiring and revocable.

An **app key** is the streaming backend's credential: it may act for any listener and issue listener
tokens. A **listener token** reaches one listener's own history, recommendations, sessions, answers and
uploads. Both look like ``sel_<kind>_<id>_<secret>``: the id names the record (``keys list`` and
``keys revoke`` use it), the secret is 32 random bytes that only its holder ever sees; Redis keeps its
SHA-256. A plain hash is enough because the secret is random, not a password: nobody can guess it to
test hashes against, so a slow salted hash would only cost every request time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal

from services.store.errors import StoreError
from services.store.store import Store

Kind = Literal["app", "listener"]
PREFIX = "sel"
KIND_TAGS: dict[str, Kind] = {"app": "app", "lst": "listener"}


class CredentialNotFoundError(StoreError):
    """``keys revoke`` named an id the store has no credential for."""

    code = "credential_not_found"
    status = 404


@dataclass(frozen=True)
class Credential:
    """What a verified credential may do: ``user_id`` is the listener a token is bound to (None for keys)."""

    key_id: str
    kind: Kind
    user_id: str | None
    name: str
    created_at: float
    expires_at: float | None
    revoked: bool

    def is_valid(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return not self.revoked and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class Issued:
    """A new credential and its secret, which is shown this once and never stored."""

    credential: Credential
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _from_record(key_id: str, record: dict[str, str]) -> Credential:
    return Credential(
        key_id=key_id,
        kind="app" if record["kind"] == "app" else "listener",
        user_id=record.get("user_id") or None,
        name=record.get("name", ""),
        created_at=float(record["created_at"]),
        expires_at=float(record["expires_at"]) if record.get("expires_at") else None,
        revoked=record.get("revoked") == "1",
    )


def issue(
    store: Store, kind: Kind, *, name: str = "", user_id: str | None = None, ttl_s: float | None = None
) -> Issued:
    """Create and keep a credential; a listener token needs ``user_id``, an app key must not have one."""
    if (kind == "listener") != (user_id is not None):
        raise ValueError("a listener token is bound to one user_id; an app key to none")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = time.time()
    expires_at = now + ttl_s if ttl_s is not None else None
    store.save_credential(
        key_id,
        {
            "kind": kind,
            "user_id": user_id or "",
            "name": name,
            "hash": _digest(secret),
            "created_at": f"{now:.3f}",
            "expires_at": f"{expires_at:.3f}" if expires_at is not None else "",
            "revoked": "0",
        },
        expires_at=expires_at,
    )
    tag = "app" if kind == "app" else "lst"
    credential = Credential(key_id, kind, user_id, name, now, expires_at, revoked=False)
    return Issued(credential=credential, secret=f"{PREFIX}_{tag}_{key_id}_{secret}")


def verify(store: Store, presented: str) -> Credential | None:
    """The credential a presented secret stands for, if it is well formed, known, unexpired and not
    revoked; None otherwise (the caller answers 401 without saying which)."""
    parts = presented.split("_", 3)
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in KIND_TAGS:
        return None
    _, tag, key_id, secret = parts
    record = store.load_credential(key_id)
    if record is None or not hmac.compare_digest(record.get("hash", ""), _digest(secret)):
        return None
    credential = _from_record(key_id, record)
    if credential.kind != KIND_TAGS[tag] or not credential.is_valid():
        return None
    return credential


def listing(store: Store, *, kind: Kind | None = None) -> list[Credential]:
    """Every kept credential (of one kind), oldest first, without secrets."""
    found = [_from_record(i, record) for i, record in store.credential_records().items()]
    return sorted((c for c in found if kind is None or c.kind == kind), key=lambda c: c.created_at)


def revoke(store: Store, key_id: str) -> None:
    if not store.revoke_credential(key_id):
        raise CredentialNotFoundError(f"no key or token with id {key_id!r}")


class CredentialCache:
    """Verified credentials by presented secret, trusted for ``ttl_s``: a revocation reaches this
    process within ``ttl_s``, and a catalogue read costs no Redis round trip for the check."""

    def __init__(self, store: Store, ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, Credential]] = {}
        self._lock = threading.Lock()

    def cached(self, presented: str) -> Credential | None:
        """The credential if this process verified it within ``ttl_s`` (no I/O: safe on the event loop)."""
        with self._lock:
            hit = self._entries.get(presented)
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s and hit[1].is_valid():
            return hit[1]
        return None

    def verify(self, presented: str) -> Credential | None:
        hit = self.cached(presented)
        if hit is not None:
            return hit
        now = time.monotonic()
        credential = verify(self.store, presented)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            if credential is not None and self.ttl_s > 0:
                self._entries[presented] = (now, credential)
            else:
                self._entries.pop(presented, None)
        return credential
