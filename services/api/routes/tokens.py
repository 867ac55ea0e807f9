"""Listener tokens, issued to a streaming backend holding an app key: it signs its listener in, asks
for a token and hands it to the listener's device, which can then reach only that listener's resources."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.auth import AppCaller
from services.api.deps import StateDep
from services.api.schemas import TokenCreate, TokenIssued
from services.store import credentials

router = APIRouter(prefix="/tokens", tags=["auth"])


@router.post("", response_model=TokenIssued, status_code=201)
def issue_token(caller: AppCaller, body: TokenCreate, state: StateDep) -> TokenIssued:
    """A listener token for ``user_id`` (app keys only), valid ``ttl_s`` seconds; the secret is shown once.
    Revoke it with `selecta keys revoke <key_id>`."""
    issued = credentials.issue(
        state.store,
        "listener",
        name=f"issued by {caller.key_id}",
        user_id=body.user_id,
        ttl_s=body.ttl_s or state.settings.listener_token_ttl_s,
    )
    return TokenIssued(
        token=issued.secret,
        key_id=issued.credential.key_id,
        user_id=body.user_id,
        expires_at=issued.credential.expires_at or 0.0,
    )
