"""Listener profiles: a new listener, optionally seeded with a few liked artists or tags (cold start).

A profile is a listener id; what the recommender knows of it is its events. Seeding records a few of the
catalogue's tracks by the named artists (or with the named tags) as ``liked`` events, so the first set
follows them instead of the catalogue's most popular tracks. The seed events carry ids derived from the
listener and the track, so a retried creation stores them once. An app key creates any listener's
profile; a listener token only its own (the page mints one for the name, then creates the profile).
"""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
from fastapi import APIRouter

from core.errors import SelectaError
from core.names import normalize_name
from services.api.auth import BodyCaller
from services.api.deps import CatalogDep, StoreDep
from services.api.schemas import ErrorBody, ProfileCreate, ProfilePublic

router = APIRouter(tags=["profiles"])

SEEDS_PER_NAME = 3
"""Tracks recorded as liked for each named artist or tag: enough to steer the ranking, few enough that the
listener's own plays soon outweigh them."""


class ProfileExistsError(SelectaError):
    """The listener already has a history: seeding it again would pile guesses on real evidence."""

    code = "profile_exists"
    status = 409


class UnknownSeedError(SelectaError):
    """A seed artist or tag the catalogue does not have."""

    code = "unknown_seed"
    status = 422


@router.post(
    "/profiles",
    response_model=ProfilePublic,
    status_code=201,
    responses={409: {"model": ErrorBody, "description": "The listener already has a history."}},
)
def create_profile(
    caller: BodyCaller, body: ProfileCreate, store: StoreDep, catalog: CatalogDep
) -> ProfilePublic:
    """Create a listener, seeded with liked tracks of ``artists`` and ``tags``. 409 ``profile_exists`` when
    the listener has events already; 422 ``unknown_seed`` for an artist or tag the catalogue lacks
    (nothing is written then)."""
    caller.act_for(body.user_id)
    if not store.recent_history(body.user_id, 1).is_empty():
        raise ProfileExistsError(f"listener {body.user_id!r} already has a listening history")
    artists, by_artist = _match(catalog, "artist", body.artists)
    tags, by_tag = _match(catalog, "tags", body.tags)
    seeded = list(dict.fromkeys(by_artist + by_tag))
    if seeded:
        now = datetime.now(timezone.utc)
        frame = pl.DataFrame(
            {
                "user_id": [body.user_id] * len(seeded),
                "track_id": seeded,
                "ts": [now] * len(seeded),
                "ms_played": [None] * len(seeded),
                "reason": ["liked"] * len(seeded),
            },
            schema_overrides={"ms_played": pl.Int64},
        )
        store.append_events(frame, event_ids=[f"profile-seed:{t}" for t in seeded])
    return ProfilePublic(user_id=body.user_id, artists=artists, tags=tags, seeded=seeded)


def _match(catalog: pl.DataFrame, column: str, names: list[str]) -> tuple[list[str], list[str]]:
    """The catalogue's spelling of each name and up to ``SEEDS_PER_NAME`` track ids for each, in
    catalogue order; ``UnknownSeedError`` naming every name that matched nothing."""
    if not names:
        return [], []
    rows = catalog.select("track_id", column).to_dicts()
    spelled, tracks, unknown = [], [], []
    for name in names:
        wanted = normalize_name(name)
        hits = [r for r in rows if wanted and wanted in _names(r[column])]
        if not hits:
            unknown.append(name)
            continue
        spelled.append(next(v for v in _values(hits[0][column]) if normalize_name(v) == wanted))
        tracks += [r["track_id"] for r in hits[:SEEDS_PER_NAME]]
    if unknown:
        what = "artist" if column == "artist" else "tag"
        raise UnknownSeedError(f"the catalogue has no {what} {', '.join(repr(u) for u in unknown[:5])}")
    return spelled, tracks


def _values(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _names(value: str | list[str] | None) -> set[str]:
    return {normalize_name(v) for v in _values(value)}
