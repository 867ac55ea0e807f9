from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.api.auth import AnyCaller
from services.api.deps import CatalogDep
from services.api.schemas import TrackList, TrackPublic
from services.data.catalog import filter_catalog, get_track

router = APIRouter(prefix="/tracks", tags=["tracks"])


def to_public(row: dict[str, Any]) -> TrackPublic:
    return TrackPublic(
        **{k: row[k] for k in TrackPublic.model_fields if k in row}, has_audio=row["path"] is not None
    )


@router.get("", response_model=TrackList)
def list_tracks(
    caller: AnyCaller,
    catalog: CatalogDep,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in title or artist.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> TrackList:
    """Browse the catalogue, filtered by tag and text."""
    catalog = filter_catalog(catalog, tag=tag, text=q)
    page = catalog.slice(offset, limit)
    return TrackList(
        count=page.height, total=catalog.height, tracks=[to_public(r) for r in page.iter_rows(named=True)]
    )


@router.get("/{track_id:path}", response_model=TrackPublic)
def read_track(caller: AnyCaller, track_id: str, catalog: CatalogDep) -> TrackPublic:
    """One track; 404 JSON for an unknown id."""
    return to_public(get_track(catalog, track_id))
