from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.camelot import canonical_camelot, is_camelot
from recommender import Constraints
from services.api.auth import AnyCaller, UserCaller
from services.api.deps import StateDep, app_state
from services.api.hot_route import HotRoute
from services.api.query import query_parameters, read_query
from services.data.demo import is_synthetic_user
from services.recommending import RankingRequest, RecommendationService, bundle_id

router = APIRouter(tags=["recommendations"])


class RecommendationPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    track_id: str
    score: float
    explanation: str
    reason_code: str


class RecommendationList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str
    synthetic_user: bool
    count: int
    cached: bool
    model: str
    recommendations: list[RecommendationPublic]


async def get_service(state: StateDep) -> RecommendationService:
    """Async: it only hands out the process's service (built once), so it needs no thread-pool hop."""
    return state.recommendations()


ServiceDep = Annotated[RecommendationService, Depends(get_service)]


def _range(low: float | None, high: float | None) -> tuple[float, float] | None:
    if low is None and high is None:
        return None
    return (low if low is not None else float("-inf"), high if high is not None else float("inf"))


class RecommendationQuery(BaseModel):
    """What a recommendation request may ask, read by :func:`services.api.query.read_query` (one model
    check instead of FastAPI's per-parameter one: this is the hottest route)."""

    n: int = Field(10, ge=1, le=200)
    discovery: float = Field(0.0, ge=0.0, le=1.0, description="0 familiar .. 1 only new artists")
    artist_cap: int | None = Field(None, ge=1, le=50)
    include_played: bool = False
    tag: list[str] | None = Field(None, max_length=20, description="Any of these tags.")
    exclude: list[str] | None = Field(None, max_length=500)
    bpm_min: float | None = Field(None, gt=0, le=400)
    bpm_max: float | None = Field(None, gt=0, le=400)
    energy_min: float | None = Field(None, ge=0, le=1)
    energy_max: float | None = Field(None, ge=0, le=1)
    camelot: list[str] | None = Field(None, max_length=24, description="Camelot codes, e.g. 8A")

    @field_validator("camelot")
    @classmethod
    def _camelot_codes(cls, codes: list[str] | None) -> list[str] | None:
        bad = [code for code in codes or () if not is_camelot(code)]
        if bad:
            raise ValueError(f"not a Camelot code: {bad[0]!r}")
        return codes

    def ranking(self) -> RankingRequest:
        return RankingRequest(
            n=self.n,
            discovery=self.discovery,
            artist_cap=self.artist_cap,
            include_played=self.include_played,
            constraints=self._constraints(),
        )

    def _constraints(self) -> Constraints | None:
        constraints = Constraints(
            tempo_range=_range(self.bpm_min, self.bpm_max),
            energy_range=_range(self.energy_min, self.energy_max),
            tags=frozenset(t.lower() for t in self.tag) if self.tag else None,
            camelot=frozenset(canonical_camelot(code) for code in self.camelot) if self.camelot else None,
            exclude=frozenset(self.exclude or ()),
        )
        return None if constraints.is_empty() else constraints


def list_answer(user_id: str, *, cached: bool, model: str, ranked_json: str) -> Response:
    """The :class:`RecommendationList` body around a list already in JSON: a cached list is answered as
    Redis holds it, never decoded into objects and encoded again (that was a fifth of a cached request).
    ``count`` is read off the list's text: each item opens with its ``track_id`` key."""
    head = json.dumps(
        {
            "user_id": user_id,
            "synthetic_user": is_synthetic_user(user_id),
            "count": ranked_json.count(ITEM_OPENING),
            "cached": cached,
            "model": model,
        }
    )
    return Response(f'{head[:-1]}, "recommendations": {ranked_json}}}', media_type="application/json")


ITEM_OPENING = '{"track_id": '
"""How each item of a cached list begins: ``json.dumps`` of a :class:`Recommendation`'s fields, in order.
Inside a JSON string a quote is escaped, so this text cannot occur there."""


async def recommend(caller: UserCaller, request: Request, user_id: str) -> Response:
    """Ranked tracks with an explanation each. New events show up without retraining; an unknown user
    gets what is popular within the constraints.

    Async: a cached list is one Redis round trip on the event loop (same timeout); only a ranking (a
    miss) goes to the thread pool. A :class:`~services.api.hot_route.HotRoute`: called directly, it
    reads its query itself."""
    query = read_query(RecommendationQuery, request.query_params)
    service = app_state(request).recommendations()
    asked = query.ranking()
    hit = await service.cached_json(user_id, asked)
    if hit is not None:
        return list_answer(user_id, cached=True, model=hit[1], ranked_json=hit[0])

    def rank() -> Response:
        ranked, cached = service.recommend(user_id, asked)
        listed = json.dumps([asdict(r) for r in ranked])  # as the cache stores it
        return list_answer(user_id, cached=cached, model=bundle_id(service.model()), ranked_json=listed)

    return await run_in_threadpool(rank)


router.add_api_route(
    "/users/{user_id}/recommendations",
    recommend,
    methods=["GET"],
    response_model=RecommendationList,
    openapi_extra={"parameters": query_parameters(RecommendationQuery)},
    route_class_override=HotRoute,
)


@router.get("/tracks/{track_id:path}/similar", response_model=list[RecommendationPublic])
def similar(
    caller: AnyCaller, track_id: str, service: ServiceDep, n: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[RecommendationPublic]:
    """Tracks like this one: co-listening neighbours, or sound and tags for a track nobody played yet."""
    return [RecommendationPublic(**r.__dict__) for r in service.model().similar_tracks(track_id, n)]
