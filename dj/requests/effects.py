"""Turn an understood request into a change to the set: new recommender constraints, tracks to put next,
and the line the DJ answers with. Pure: no model, no store; the caller re-plans with what this returns.

Relative requests ("calmer", "faster") are relative to the playing track when its analysis is known,
and fall back to fixed bands when it is not. A "play ..." request replaces what the set is about
(artists, tags, era) but keeps what the listener excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from dj.requests.answers import pick
from dj.requests.entities import CatalogIndex, Entity
from dj.requests.intents import Intent, Slot
from dj.requests.lexicon import MOODS, era_range
from recommender.types import Constraints

__all__ = ["Effect", "NowPlaying", "apply_intent", "constraints_from_json", "constraints_to_json"]

ENERGY_STEP = 0.12
"""How much calmer/more energetic (energy is 0..1) counts as a noticeable change."""
TEMPO_STEP = 0.06
"""Relative tempo change (6 %) that a listener hears as faster or slower."""


@dataclass(frozen=True, kw_only=True)
class NowPlaying:
    """What the request is relative to: the playing track and its analysis, when known."""

    track_id: str
    title: str | None = None
    artist: str | None = None
    energy: float | None = None
    bpm: float | None = None
    explanation: str | None = None


@dataclass(frozen=True, kw_only=True)
class Effect:
    """What to do with the session. ``pinned`` tracks go next, in order; ``seeds`` drive "more like";
    ``feedback`` is the listening-event reason to record for the playing track."""

    intent: Intent
    constraints: Constraints
    answer: str
    replan: bool = True
    skip: bool = False
    pinned: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    discovery: float = 0.0
    feedback: Literal["liked", "disliked", "skipped"] | None = None


def apply_intent(
    intent: Intent,
    *,
    current: Constraints | None = None,
    playing: NowPlaying | None = None,
    index: CatalogIndex | None = None,
) -> Effect:
    """The effect of ``intent`` on a session whose constraints are ``current``."""
    current = current or Constraints()
    seed = intent.text
    kind = intent.kind
    if kind in ("energy_down", "energy_up"):
        return Effect(
            intent=intent,
            constraints=_energy(current, playing, up=kind == "energy_up"),
            answer=pick(kind, seed=seed),
        )
    if kind in ("tempo_down", "tempo_up"):
        return Effect(
            intent=intent,
            constraints=_tempo(current, playing, up=kind == "tempo_up"),
            answer=pick(kind, seed=seed),
        )
    playing_id = (playing.track_id,) if playing is not None else ()
    if kind in ("skip", "dislike"):
        # Both leave the playing track now and keep it out of the set; only the recorded feedback differs.
        return Effect(
            intent=intent,
            constraints=_exclude(current, playing_id),
            answer=pick(kind, seed=seed),
            skip=True,
            feedback="skipped" if kind == "skip" else "disliked",
        )
    if kind == "like":
        return Effect(
            intent=intent, constraints=current, answer=pick("like", seed=seed), replan=False, feedback="liked"
        )
    if kind == "why":
        return Effect(intent=intent, constraints=current, answer=_why(playing), replan=False)
    if kind == "out_of_scope":
        return Effect(
            intent=intent, constraints=current, answer=pick("out_of_scope", seed=seed), replan=False
        )
    if kind == "more_like_this":
        return _more_like(intent, current, playing_id)
    return _play(intent, current, index)


def _energy(current: Constraints, playing: NowPlaying | None, *, up: bool) -> Constraints:
    level = playing.energy if playing is not None and playing.energy is not None else 0.5
    if up:
        band = (min(1.0, level + ENERGY_STEP), 1.0) if level + ENERGY_STEP < 1.0 else (0.85, 1.0)
    else:
        band = (0.0, max(0.0, level - ENERGY_STEP)) if level - ENERGY_STEP > 0.0 else (0.0, 0.15)
    return replace(current, energy_range=(round(band[0], 3), round(band[1], 3)))


def _tempo(current: Constraints, playing: NowPlaying | None, *, up: bool) -> Constraints:
    if playing is None or playing.bpm is None:
        band = (120.0, 200.0) if up else (50.0, 105.0)
    elif up:
        band = (playing.bpm * (1 + TEMPO_STEP), playing.bpm * 1.35)
    else:
        band = (playing.bpm * 0.65, playing.bpm * (1 - TEMPO_STEP))
    return replace(current, tempo_range=(round(band[0], 1), round(band[1], 1)))


def _exclude(current: Constraints, track_ids: tuple[str, ...]) -> Constraints:
    return replace(current, exclude=current.exclude | frozenset(track_ids))


def _why(playing: NowPlaying | None) -> str:
    if playing is None:
        return "Nothing is playing right now; ask me for something and I'll tell you why I picked it."
    name = " by ".join(x for x in (playing.title, playing.artist) if x) or "this track"
    reason = playing.explanation or "it fits where the set is going"
    return f"You're hearing {name}: {reason.rstrip('.')}."


def _more_like(intent: Intent, current: Constraints, playing_id: tuple[str, ...]) -> Effect:
    seed_slot = next((s for s in intent.slots if s.name in ("artist", "track", "album")), None)
    if seed_slot is None:
        return Effect(
            intent=intent,
            constraints=current,
            seeds=playing_id,
            answer=pick("more_like_this", seed=intent.text),
        )
    if seed_slot.entity is None:
        return Effect(
            intent=intent, constraints=current, replan=False, answer=_unavailable(seed_slot, seed=intent.text)
        )
    return Effect(
        intent=intent,
        constraints=current,
        seeds=seed_slot.entity.track_ids[:20],
        answer=pick("more_like_seed", seed=intent.text, name=seed_slot.entity.name),
    )


def _play(intent: Intent, current: Constraints, index: CatalogIndex | None) -> Effect:
    slots = {s.name: s for s in intent.slots}
    # A play request sets a new direction: what the set is about is replaced, exclusions are kept.
    base = Constraints(exclude=current.exclude)
    missing = [s for s in intent.slots if not s.available and s.name in ("artist", "track", "album", "genre")]
    if missing:
        return _play_unavailable(intent, missing[0], base, current)
    tags: frozenset[str] | None = None
    energy: tuple[float, float] | None = None
    if "genre" in slots:
        genre = slots["genre"]
        tags = frozenset({genre.entity.name if genre.entity is not None else genre.value})
        if "mood" in slots:  # tags match any-of, so a mood beside a genre becomes an energy band instead
            energy = {"calm": (0.0, 0.45), "energetic": (0.55, 1.0)}.get(slots["mood"].value)
    elif "mood" in slots:
        mood = slots["mood"].value
        tags = frozenset({mood, *MOODS.get(mood, ())})
    artist = slots.get("artist")
    artists = frozenset({artist.entity.name}) if artist is not None and artist.entity is not None else None
    year_range = era_range(slots["era"].value) if "era" in slots else None
    pinned: tuple[str, ...] = ()
    what = _describe(intent.slots)
    if "track" in slots and slots["track"].entity is not None:
        pinned = slots["track"].entity.track_ids
    elif "album" in slots and slots["album"].entity is not None:
        pinned = slots["album"].entity.track_ids
    elif "recency" in slots and artists and index is not None:
        album = index.latest_album(next(iter(artists)))
        if album is not None:
            pinned = album.track_ids
            what = f"{album.name}, the latest album by {album.artist}"
    constraints = replace(base, tags=tags, artists=artists, year_range=year_range, energy_range=energy)
    discovery = 0.8 if "novelty" in slots else 0.0
    if "novelty" in slots and len(slots) == 1:
        answer = pick("novelty", seed=intent.text)
    elif what:
        answer = pick("play", seed=intent.text, what=what)
    else:
        answer = pick("play_generic", seed=intent.text)
    return Effect(intent=intent, constraints=constraints, pinned=pinned, discovery=discovery, answer=answer)


def _play_unavailable(intent: Intent, missing: Slot, base: Constraints, current: Constraints) -> Effect:
    """Say so honestly; re-plan only when there is a real alternative (artists tagged like the name)."""
    if missing.alternatives:
        alternatives: tuple[Entity, ...] = missing.alternatives
        constraints = replace(base, artists=frozenset(a.name for a in alternatives))
        return Effect(intent=intent, constraints=constraints, answer=_unavailable(missing, seed=intent.text))
    return Effect(
        intent=intent, constraints=current, replan=False, answer=_unavailable(missing, seed=intent.text)
    )


def _unavailable(slot: Slot, *, seed: str) -> str:
    name = slot.raw.title() if slot.raw.islower() else slot.raw
    if slot.alternatives:
        return pick("unavailable_alt", seed=seed, name=name, alt=slot.alternatives[0].name)
    return pick("unavailable", seed=seed, name=name)


def _describe(slots: tuple[Slot, ...]) -> str:
    """'some 1980s synth pop', 'Daft Punk', 'Get Lucky by Daft Punk'."""
    by = {s.name: s for s in slots}
    if "track" in by and by["track"].entity is not None:
        entity = by["track"].entity
        return f"{entity.name} by {entity.artist}" if entity.artist else entity.name
    if "album" in by and by["album"].entity is not None:
        return f"the album {by['album'].entity.name}"
    parts = [by[name].value for name in ("mood", "era", "genre") if name in by]
    if "artist" in by:
        parts.append(("by " if parts else "") + by["artist"].value)
    elif parts:
        parts.append("music" if "genre" not in by else "")
    text = " ".join(p for p in parts if p)
    return f"some {text}" if text and "artist" not in by else text


def constraints_to_json(constraints: Constraints) -> dict[str, object]:
    """The JSON-safe form a ``DJSession`` keeps (sets as sorted lists, ranges as pairs, unset left out)."""
    out: dict[str, object] = {}
    for name in ("tempo_range", "camelot", "tags", "energy_range", "exclude", "artists", "year_range"):
        value = getattr(constraints, name)
        if value is None or (name == "exclude" and not value):
            continue
        out[name] = sorted(value) if isinstance(value, frozenset) else list(value)
    return out


def constraints_from_json(payload: Mapping[str, object]) -> Constraints:
    """Inverse of :func:`constraints_to_json`; unknown keys are ignored (older sessions stay readable)."""
    sets = {k: frozenset(payload[k]) for k in ("camelot", "tags", "artists") if payload.get(k) is not None}
    pairs = {k: tuple(payload[k]) for k in ("tempo_range", "energy_range", "year_range") if payload.get(k)}
    return Constraints(exclude=frozenset(payload.get("exclude") or ()), **sets, **pairs)  # type: ignore[arg-type]
