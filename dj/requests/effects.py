"""Turn an understood request into a change to the set: new recommender constraints, tracks to put next,
and the line the DJ answers with. Pure: no model, no store; the caller re-plans with what this returns.

Relative requests ("calmer", "faster") step from the playing track by a share of the catalogue, not by a
fixed amount: with :class:`Levels` (the energies and tempos of the tracks the set could move to) the band
skips the nearest quarter of the candidates in the asked direction but always keeps the furthest few,
so it holds tracks whenever any candidate is calmer (faster, ...) at all, whether the catalogue's
energies span 0.1..0.9 or 0.46..0.63. Without levels, fixed bands are the fallback. Asked twice,
"calmer" steps from the band already set, so it goes further.

How a request combines with what the session already asks for (what a listener expects):

- exclusions (skips, dislikes) accumulate for the whole session;
- "calmer"/"more energetic" change only the energy band, "faster"/"slower" only the tempo band: "play
  some jazz" then "more energetic" is energetic jazz;
- "play" with a subject (artist, genre, track, album) sets a new direction: the subject replaces the old
  one ("play Daft Punk" after jazz is Daft Punk, not jazz by Daft Punk), and the energy and tempo bands
  are cleared so a stale "calmer" cannot make an explicit request fail; a mood said with it ("calm
  jazz") sets the band again;
- a mood or an era alone refines the current subject: "play Daft Punk" then "something happy" is happy
  Daft Punk, "from the 80s" keeps the artist; a calm or energetic mood beside a genre becomes an energy
  band (tags match any-of, so "jazz" and "happy" as tags would widen the set, not narrow it); any
  other mood replaces a genre;
- "something new" only raises discovery; a bare "play something" starts over (exclusions kept);
- "I like jazz" steers the set to jazz, "I hate Coldplay" keeps Coldplay out for the session; neither
  is feedback on the playing track;
- a streaming service ("on youtube") is recognised and ignored, and the answer says so; playlists and
  adding to them are recognised and politely declined (Selecta has none of the listener's playlists).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from core.moods import MOODS
from core.tempo_rules import AUDIBLE_TEMPO_CHANGE
from dj.host.spoken import spoken_artist, spoken_title
from dj.requests.answers import pick
from dj.requests.entities import CatalogIndex, Entity
from dj.requests.intents import Intent, Slot, SlotName
from dj.requests.lexicon import era_range
from recommender.types import Constraints

__all__ = [
    "RELATIVE_DIMENSIONS",
    "Effect",
    "Levels",
    "NowPlaying",
    "RelativeDimension",
    "apply_intent",
    "constraints_from_json",
    "constraints_to_json",
]

ENERGY_STEP = 0.12
"""Fallback without levels: how much calmer/more energetic (energy is 0..1) counts as noticeable."""
TEMPO_STEP = AUDIBLE_TEMPO_CHANGE
"""Fallback without levels: relative tempo change (6 %) that a listener hears as faster or slower."""
QUANTILE_STEP = 0.25
"""With levels: the share of the candidates nearest the playing track (in the asked direction) that a
relative request steps over, so the change is noticeable within this catalogue."""
TEMPO_REACH = 1.4
"""A tempo band reaches at most this ratio from the playing tempo: under an octave either way (the
recommender matches half and double time), and more than the mixer would stretch anyway."""
RelativeDimension = Literal["energy_range", "tempo_range"]
RELATIVE_DIMENSIONS: dict[str, RelativeDimension] = {
    "energy_down": "energy_range",
    "energy_up": "energy_range",
    "tempo_down": "tempo_range",
    "tempo_up": "tempo_range",
}
"""The constraint each relative request moves; the caller builds :class:`Levels` without it."""
SLIGHT = {"energy_range": 0.03, "tempo_range": math.log(1.03)}
"""Below this reach (energy, or log tempo ratio) the furthest candidate is only a little calmer (faster,
...) than the playing track, and the answer says so."""
SUBJECTS = ("artist", "genre", "track", "album")
"""Slots that name what the set is about; a play request with one of them sets a new direction."""
MOOD_BANDS: dict[str, tuple[float, float]] = {"calm": (0.0, 0.45), "energetic": (0.55, 1.0)}
"""Moods that beside a genre become an energy band (tags match any-of, so they cannot narrow a genre)."""
MOOD_TAGS = frozenset(MOODS) | frozenset(word for words in MOODS.values() for word in words)


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
class Levels:
    """The energies and tempos of the tracks the set could move to (the candidates under the session's
    other constraints, what has played left out), and how many upcoming tracks the set wants."""

    energies: tuple[float, ...] = ()
    tempos: tuple[float, ...] = ()
    wanted: int = 4


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
    levels: Levels | None = None,
) -> Effect:
    """The effect of ``intent`` on a session whose constraints are ``current``; ``levels`` make relative
    requests relative to the catalogue (see the module docstring)."""
    current = current or Constraints()
    seed = intent.text
    kind = intent.kind
    if kind in RELATIVE_DIMENSIONS:
        step = _energy if RELATIVE_DIMENSIONS[kind] == "energy_range" else _tempo
        constraints, reach = step(current, playing, levels, up=kind.endswith("_up"))
        # Honest when the catalogue barely goes further that way: "only a little calmer from here".
        slight = reach is not None and reach < SLIGHT[RELATIVE_DIMENSIONS[kind]]
        return Effect(
            intent=intent,
            constraints=constraints,
            answer=pick(f"{kind}_slight" if slight else kind, seed=seed),
        )
    playing_id = (playing.track_id,) if playing is not None else ()
    if kind == "skip" or (kind == "dislike" and _subject(intent) is None):
        # Both leave the playing track now and keep it out of the set; only the recorded feedback differs.
        return Effect(
            intent=intent,
            constraints=_exclude(current, playing_id),
            answer=pick(kind, seed=seed),
            skip=True,
            feedback="skipped" if kind == "skip" else "disliked",
        )
    if kind in ("like", "dislike") and _subject(intent) is not None:
        return _preference(intent, current, index)
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
    if kind == "add_to_playlist":
        return Effect(
            intent=intent, constraints=current, answer=pick("add_to_playlist", seed=seed), replan=False
        )
    if kind == "more_like_this":
        return _more_like(intent, current, playing_id)
    return _play(intent, current, index)


def _quantile_edge(distances: list[float], *, n: int, wanted: int) -> float | None:
    """The distance (from the reference, in the asked direction, all positive) of the nearest track a
    relative band keeps: the nearest ``QUANTILE_STEP`` of the ``n`` candidates are stepped over, but the
    furthest ``wanted`` (or all, when fewer) always stay in. None when no candidate lies that way."""
    if not distances:
        return None
    far_first = sorted(distances, reverse=True)
    keep = max(len(far_first) - math.ceil(QUANTILE_STEP * n), min(wanted, len(far_first)), 1)
    return far_first[keep - 1]


def _energy(
    current: Constraints, playing: NowPlaying | None, levels: Levels | None, *, up: bool
) -> tuple[Constraints, float | None]:
    """The energy band, and how far the furthest candidate lies that way (None without levels)."""
    level = playing.energy if playing is not None and playing.energy is not None else 0.5
    if current.energy_range is not None:  # asked again: step from the band already set
        level = max(level, current.energy_range[0]) if up else min(level, current.energy_range[1])
    sign = 1.0 if up else -1.0
    edge, reach = None, None
    if levels is not None and playing is not None and playing.energy is not None and levels.energies:
        distances = [sign * (e - level) for e in levels.energies if sign * (e - level) > 1e-9]
        edge = _quantile_edge(distances, n=len(levels.energies), wanted=levels.wanted)
        reach = max(distances, default=None)
    if edge is not None:
        bound = level + sign * edge
        band = (math.floor(bound * 1000) / 1000, 1.0) if up else (0.0, math.ceil(bound * 1000) / 1000)
    elif up:
        band = (min(1.0, level + ENERGY_STEP), 1.0) if level + ENERGY_STEP < 1.0 else (0.85, 1.0)
    else:
        band = (0.0, max(0.0, level - ENERGY_STEP)) if level - ENERGY_STEP > 0.0 else (0.0, 0.15)
    return replace(current, energy_range=(round(band[0], 3), round(band[1], 3))), reach


def _tempo_ratio(bpm: float, reference: float) -> float:
    """``bpm`` over ``reference``, moved by an octave when half or double time is nearer (the
    recommender's tempo constraint matches half and double time)."""
    return min((bpm * f / reference for f in (0.5, 1.0, 2.0)), key=lambda r: abs(math.log(r)))


def _tempo(
    current: Constraints, playing: NowPlaying | None, levels: Levels | None, *, up: bool
) -> tuple[Constraints, float | None]:
    """The tempo band, and how far (log tempo ratio) the furthest candidate lies that way."""
    if playing is None or playing.bpm is None:
        band = (120.0, 200.0) if up else (50.0, 105.0)
        return replace(current, tempo_range=band), None
    reference = playing.bpm
    if current.tempo_range is not None:  # asked again: step from the band already set
        low, high = current.tempo_range
        reference = max(reference, low) if up and low < 2 * reference else reference
        reference = min(reference, high) if not up and high > reference / 2 else reference
    edge, reach = None, None
    if levels is not None and levels.tempos:
        sign = 1.0 if up else -1.0
        logs = [sign * math.log(_tempo_ratio(t, reference)) for t in levels.tempos if t > 0]
        distances = [d for d in logs if 1e-3 < d <= math.log(TEMPO_REACH)]
        edge = _quantile_edge(distances, n=len(levels.tempos), wanted=levels.wanted)
        reach = max(distances, default=None)
    if edge is not None:
        near = reference * math.exp(edge if up else -edge)
        if up:
            band = (math.floor(near * 10) / 10, round(reference * TEMPO_REACH, 1))
        else:
            band = (round(reference / TEMPO_REACH, 1), math.ceil(near * 10) / 10)
    elif up:
        band = (round(reference * (1 + TEMPO_STEP), 1), round(reference * 1.35, 1))
    else:
        band = (round(reference * 0.65, 1), round(reference * (1 - TEMPO_STEP), 1))
    return replace(current, tempo_range=band), reach


def _exclude(current: Constraints, track_ids: tuple[str, ...]) -> Constraints:
    return replace(current, exclude=current.exclude | frozenset(track_ids))


def _why(playing: NowPlaying | None) -> str:
    if playing is None:
        return "Nothing is playing right now; ask me for something and I'll tell you why I picked it."
    # Said aloud as well as shown: a file name, an id or "Unknown artist" is never read out.
    title, artist = spoken_title(playing.title or "", playing.artist), spoken_artist(playing.artist)
    name = " by ".join(x for x in (title, artist) if x) or "this track"
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


def _subject(intent: Intent) -> Slot | None:
    """The first slot that names what the set is about (artist, genre, track, album), or None."""
    return next((s for s in intent.slots if s.name in SUBJECTS), None)


def _preference(intent: Intent, current: Constraints, index: CatalogIndex | None) -> Effect:
    """ "I like jazz", "I hate Coldplay", "i like jazz and hate disco": about the named subjects, not the
    playing track. A liked subject steers the set towards it (the first, when several); a disliked one
    keeps its tracks out of the session. The answer says what was understood of each, and nothing is
    recorded against the track that happens to be playing."""
    subjects = [s for s in intent.slots if s.name in SUBJECTS]
    known = [s for s in subjects if s.available]
    if not known:
        return Effect(
            intent=intent,
            constraints=current,
            replan=False,
            answer=_unavailable(subjects[0], seed=intent.text),
        )
    liked = [s for s in known if (s.opinion or intent.kind) == "like"]
    disliked = [s for s in known if (s.opinion or intent.kind) == "dislike"]
    effect = Effect(intent=intent, constraints=current, answer="")
    answers = []
    if liked:
        played = _play(replace(intent, kind="play", slots=(liked[0],)), current, index)
        effect = replace(played, intent=intent)
        answers.append(pick("like_subject", seed=intent.text, name=_name(liked[0])))
    if disliked:
        tracks: set[str] = set()
        for subject in disliked:
            tracks.update(_tracks_of(subject, index))
        effect = replace(effect, constraints=_exclude(effect.constraints, tuple(sorted(tracks))), replan=True)
        names = " or ".join(_name(s) for s in disliked)
        answers.append(pick("dislike_subject", seed=intent.text, name=names))
    return replace(effect, answer=" ".join(answers))


def _name(subject: Slot) -> str:
    return subject.entity.name if subject.entity is not None else subject.value


def _tracks_of(subject: Slot, index: CatalogIndex | None) -> tuple[str, ...]:
    """The tracks a disliked subject keeps out: a genre's by its tag, a name's by its entity."""
    if subject.name == "genre" and index is not None:
        return tuple(index.tracks_with_tags(frozenset({_name(subject)})))
    return subject.entity.track_ids if subject.entity is not None else ()


def _play(intent: Intent, current: Constraints, index: CatalogIndex | None) -> Effect:
    effect = _play_subject(intent, current, index)
    service = intent.slot("service")
    if service is None:
        return effect
    said = service.raw.title() if service.raw.islower() else service.raw
    return replace(effect, answer=f"{effect.answer} {pick('service', seed=intent.text, service=said)}")


def _play_subject(intent: Intent, current: Constraints, index: CatalogIndex | None) -> Effect:
    slots = {s.name: s for s in intent.slots}
    missing = [s for s in intent.slots if not s.available and s.name in SUBJECTS]
    if missing:
        return _play_unavailable(intent, missing[0], Constraints(exclude=current.exclude), current)
    if "playlist" in slots and _subject(intent) is None:
        return Effect(
            intent=intent, constraints=current, replan=False, answer=pick("playlist", seed=intent.text)
        )
    artist = slots.get("artist")
    artists = frozenset({artist.entity.name}) if artist is not None and artist.entity is not None else None
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
    constraints = _merge_play(slots, current, artists=artists)
    discovery = 0.8 if "novelty" in slots else 0.0
    if "novelty" in slots and len(slots) == 1:
        answer = pick("novelty", seed=intent.text)
    elif what:
        answer = pick("play", seed=intent.text, what=what)
    else:
        answer = pick("play_generic", seed=intent.text)
    return Effect(intent=intent, constraints=constraints, pinned=pinned, discovery=discovery, answer=answer)


def _merge_play(
    slots: Mapping[SlotName, Slot], current: Constraints, *, artists: frozenset[str] | None
) -> Constraints:
    """A play request's constraints combined with the session's (rules in the module docstring)."""
    mood = slots["mood"].value if "mood" in slots else None
    era = era_range(slots["era"].value) if "era" in slots and slots["era"].value[:4].isdigit() else None
    if any(name in slots for name in SUBJECTS):  # a new direction
        genre = slots.get("genre")
        tags, energy = None, None
        if genre is not None:
            tags = frozenset({genre.entity.name if genre.entity is not None else genre.value})
            energy = MOOD_BANDS.get(mood or "")
        elif mood is not None:
            tags = frozenset({mood, *MOODS.get(mood, ())})
        return Constraints(
            exclude=current.exclude, tags=tags, artists=artists, year_range=era, energy_range=energy
        )
    if mood is None and era is None and "novelty" not in slots:  # a bare "play something": start over
        return Constraints(exclude=current.exclude)
    merged = current if era is None else replace(current, year_range=era)
    if mood is None:
        return merged
    has_genre = merged.tags is not None and not merged.tags <= MOOD_TAGS
    if has_genre and mood in MOOD_BANDS:
        return replace(merged, energy_range=MOOD_BANDS[mood])
    return replace(merged, tags=frozenset({mood, *MOODS.get(mood, ())}), energy_range=None)


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

    def group(key: str) -> frozenset[str] | None:
        return frozenset(_listed(payload[key])) if payload.get(key) is not None else None

    def pair(key: str) -> tuple[Any, ...] | None:
        return tuple(_listed(payload[key])) if payload.get(key) else None

    return Constraints(
        tempo_range=pair("tempo_range"),
        camelot=group("camelot"),
        tags=group("tags"),
        energy_range=pair("energy_range"),
        exclude=frozenset(_listed(payload.get("exclude"))),
        artists=group("artists"),
        year_range=pair("year_range"),
    )


def _listed(value: object) -> list[Any]:
    """A JSON array's items; anything else (null, a missing key) as none."""
    return list(value) if isinstance(value, list | tuple | set | frozenset) else []
