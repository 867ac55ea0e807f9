"""A listener's stated tastes: "i like jazz", "i hate disco", kept per listener and respected by every
set the DJ plans for them afterwards.

Said to the DJ, a like or dislike of a genre is about the listener, not the session: it is kept in the
Store (``{ns}:user:{user_id}:tastes``, the latest word on a tag winning) and read whenever candidates
are drawn for that listener (a new session, a re-plan). A disliked tag's tracks are left out, unless the
session is asking for that very tag now ("play disco" after "i hate disco" is the listener changing their
mind for the moment); a liked tag's tracks rank above the rest, in the recommender's own order, so the
planner prefers them without being limited to them. Artists liked or disliked stay session effects
(``dj.requests.effects``); tastes are kept for genres, which is what the recommender's tags can honour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.names import normalize_name
from dj.requests.entities import CatalogIndex
from dj.requests.intents import Intent
from recommender import Recommendation
from services.store import Store

__all__ = ["Tastes", "load_tastes", "record_tastes", "respect_tastes"]


@dataclass(frozen=True)
class Tastes:
    """Tags (normal form) the listener said they like and dislike."""

    liked: frozenset[str] = frozenset()
    disliked: frozenset[str] = frozenset()


def load_tastes(store: Store, user_id: str) -> Tastes:
    kept = store.tastes(user_id)
    return Tastes(
        liked=frozenset(t for t, o in kept.items() if o == "like"),
        disliked=frozenset(t for t, o in kept.items() if o == "dislike"),
    )


def record_tastes(store: Store, user_id: str, intent: Intent) -> list[tuple[str, str]]:
    """Keep the genres a like/dislike request names, each with its own opinion ("i like jazz and hate
    disco" keeps both); returns what was kept. Genres the catalogue lacks are not kept: nothing could
    honour them, and the answer already said so."""
    if intent.kind not in ("like", "dislike"):
        return []
    kept: list[tuple[str, str]] = []
    for slot in intent.slots:
        if slot.name != "genre" or not slot.available:
            continue
        tag = normalize_name(slot.entity.name if slot.entity is not None else slot.value)
        opinion = slot.opinion or intent.kind
        store.set_taste(user_id, tag, opinion)
        kept.append((tag, opinion))
    return kept


def respect_tastes(
    candidates: Sequence[Recommendation],
    tastes: Tastes,
    index: CatalogIndex | None,
    *,
    asked: frozenset[str] | None = None,
) -> list[Recommendation]:
    """``candidates`` without the disliked tags' tracks (but for tags in ``asked``, the session's own tag
    constraint), the liked tags' tracks first with their scores lifted above every other candidate's."""
    if index is None or not (tastes.liked or tastes.disliked):
        return list(candidates)
    asked_tags = {normalize_name(t) for t in asked or ()}
    out = index.tracks_with_tags(frozenset(tastes.disliked - asked_tags))
    liked = index.tracks_with_tags(tastes.liked)
    kept = [c for c in candidates if c.track_id not in out]
    favoured = [c for c in kept if c.track_id in liked]
    if not favoured:
        return kept
    rest = [c for c in kept if c.track_id not in liked]
    lift = max(c.score for c in kept) - min(c.score for c in kept) + 1.0
    return [*(replace(c, score=c.score + lift) for c in favoured), *rest]
