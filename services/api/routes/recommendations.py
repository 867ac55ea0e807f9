from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from core.camelot import canonical_camelot, is_camelot
from recommender import Constraints
from services.api.auth import AnyCaller, UserCaller
from services.api.deps import StateDep
from services.data.demo import is_synthetic_user
from services.recommending import RecommendationService, bundle_id

router = APIRouter(tags=["recommendations"])


class RecommendationPublic(BaseModel):
    track_id: str
    score: float
    explanation: str
    reason_code: str


class RecommendationList(BaseModel):
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


@router.get("/users/{user_id}/recommendations", response_model=RecommendationList)
def recommend(
    caller: UserCaller,
    user_id: str,
    state: StateDep,
    n: Annotated[int, Query(ge=1, le=200)] = 10,
    discovery: Annotated[float, Query(ge=0.0, le=1.0, description="0 familiar .. 1 only new artists")] = 0.0,
    artist_cap: Annotated[int | None, Query(ge=1, le=50)] = None,
    include_played: bool = False,
    tag: Annotated[list[str] | None, Query(max_length=20, description="Any of these tags.")] = None,
    exclude: Annotated[list[str] | None, Query(max_length=500)] = None,
    bpm_min: Annotated[float | None, Query(gt=0, le=400)] = None,
    bpm_max: Annotated[float | None, Query(gt=0, le=400)] = None,
    energy_min: Annotated[float | None, Query(ge=0, le=1)] = None,
    energy_max: Annotated[float | None, Query(ge=0, le=1)] = None,
    camelot: Annotated[list[str] | None, Query(max_length=24, description="Camelot codes, e.g. 8A")] = None,
) -> Response:
    """Ranked tracks with an explanation each. New events show up without retraining; an unknown user
    gets what is popular within the constraints."""
    bad = [code for code in camelot or () if not is_camelot(code)]
    if bad:
        raise RequestValidationError(
            [{"loc": ("query", "camelot"), "msg": f"not a Camelot code: {bad[0]!r}"}]
        )
    constraints = Constraints(
        tempo_range=_range(bpm_min, bpm_max),
        energy_range=_range(energy_min, energy_max),
        tags=frozenset(t.lower() for t in tag) if tag else None,
        camelot=frozenset(canonical_camelot(code) for code in camelot) if camelot else None,
        exclude=frozenset(exclude or ()),
    )
    service = state.recommendations()  # the state the auth check resolved: no dependency of its own
    ranked, cached = service.recommend(
        user_id,
        n=n,
        discovery=discovery,
        artist_cap=artist_cap,
        include_played=include_played,
        constraints=None if constraints.is_empty() else constraints,
    )
    body = RecommendationList(
        user_id=user_id,
        synthetic_user=is_synthetic_user(user_id),
        count=len(ranked),
        cached=cached,
        model=bundle_id(service.model()),
        recommendations=[RecommendationPublic(**r.__dict__) for r in ranked],
    )
    # Serialised here, once: returning the model would have FastAPI validate and serialise it again,
    # a fifth of a cached request's time (``response_model`` still documents it).
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/tracks/{track_id:path}/similar", response_model=list[RecommendationPublic])
def similar(
    caller: AnyCaller, track_id: str, service: ServiceDep, n: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[RecommendationPublic]:
    """Tracks like this one: co-listening neighbours, or sound and tags for a track nobody played yet."""
    return [RecommendationPublic(**r.__dict__) for r in service.model().similar_tracks(track_id, n)]
