from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from services.api.auth import AnyCaller, AppCaller
from services.api.deps import CatalogDep, SettingsDep, StoreDep
from services.api.schemas import TrackList, TrackPublic
from services.data.catalog import filter_catalog, get_track
from services.importing import SyncSummary, retire_tracks, sync_tracks
from services.jobs import catalog_audio
from services.settings import Settings
from services.store import Store

router = APIRouter(prefix="/tracks", tags=["tracks"])


def to_public(row: dict[str, Any]) -> TrackPublic:
    return TrackPublic(
        **{k: row[k] for k in TrackPublic.model_fields if k in row}, has_audio=row["path"] is not None
    )


class TrackUpsert(BaseModel):
    """One track as the streaming app's catalogue has it; ``audio`` is where the worker finds its file."""

    track_id: str = Field(min_length=1, max_length=300, examples=["label:cat-0042"])
    title: str = Field(min_length=1, max_length=500)
    artist: str | None = Field(default=None, max_length=500)
    album: str | None = Field(default=None, max_length=500)
    duration_s: float | None = Field(default=None, ge=0, le=24 * 3600)
    tags: list[str] = Field(default_factory=list, max_length=50)
    year: int | None = Field(default=None, ge=0, le=3000)
    audio: str | None = Field(
        default=None,
        max_length=1000,
        description="A relative path to the audio file under the server's media root "
        "(SELECTA_MEDIA_ROOT); absolute paths, '..' and links out of the root are refused.",
        examples=["label/cat-0042.flac"],
    )


class TrackSync(BaseModel):
    tracks: list[TrackUpsert] = Field(min_length=1, max_length=5000)


class TrackSyncResult(BaseModel):
    added: int
    updated: int
    total: int
    catalog_version: int
    analysis_job: str | None = Field(
        description="The queued job analysing new audio and retraining (GET /v1/jobs/{job_id}); "
        "None when no track brought new audio."
    )


class TrackRetired(BaseModel):
    track_id: str
    catalog_version: int


def _sync(rows: list[dict[str, Any]], settings: Settings, store: Store) -> tuple[SyncSummary, str | None]:
    summary = sync_tracks(rows, settings=settings, store=store)
    job = None
    if summary.new_audio:
        job = store.enqueue_job(catalog_audio.KIND, {"track_ids": list(summary.new_audio)})
    return summary, job


@router.put("", response_model=TrackSyncResult)
async def upsert_tracks(
    caller: AppCaller, body: TrackSync, settings: SettingsDep, store: StoreDep
) -> TrackSyncResult:
    """Upsert tracks (app keys only), all or nothing: one bad row (a missing title, an audio location
    outside the media root) is a 422 naming the row, and nothing is written. Tracks with new audio are
    analysed by a queued job (`selecta worker`), which retrains; metadata shows at once."""
    summary, job = await run_in_threadpool(_sync, [t.model_dump() for t in body.tracks], settings, store)
    return TrackSyncResult(
        added=summary.added,
        updated=summary.updated,
        total=summary.total,
        catalog_version=summary.catalog_version,
        analysis_job=job,
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


@router.delete("/{track_id:path}", response_model=TrackRetired)
async def retire_track(
    caller: AppCaller, track_id: str, settings: SettingsDep, store: StoreDep
) -> TrackRetired:
    """Retire a track (app keys only): out of the catalogue, the recommendations and the DJ's pool at
    once, without retraining; 404 for an unknown id. Sending it again with PUT brings it back."""
    version = await run_in_threadpool(retire_tracks, [track_id], settings=settings, store=store)
    return TrackRetired(track_id=track_id, catalog_version=version)
