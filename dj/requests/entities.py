"""Find the artist, track, album or tag a listener named, even through transcription errors.

Whisper hears "DAF Punk", "Norajones", "Beyonsay". We compare normalised spellings (rapidfuzz), spellings
with the spaces removed, and sound-alike keys (jellyfish metaphone), and keep the best with a confidence.
A name that matches nothing well enough is still reported, as unavailable, with an honest alternative:
artists that listeners tagged with that name, or none at all; we never pretend a near spelling is it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import jellyfish
import polars as pl
from rapidfuzz import fuzz, process

from core.names import normalize_name

__all__ = ["CatalogIndex", "Entity", "EntityKind", "Resolution", "normalize_name"]

EntityKind = Literal["artist", "track", "album", "tag"]

RESOLVED_AT = 0.82
"""Confidence from which a match counts as the entity named (tuned on misspellings, see tests)."""


@dataclass(frozen=True, kw_only=True)
class Entity:
    """A catalogue entity: for an artist or tag, ``track_ids`` are all its tracks."""

    kind: EntityKind
    name: str
    artist: str | None = None
    year: int | None = None
    track_ids: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, kw_only=True)
class Resolution:
    """How a spoken name maps onto the catalogue. ``entity`` is None when nothing is close enough."""

    query: str
    kind: EntityKind
    entity: Entity | None
    confidence: float
    method: Literal["exact", "fuzzy", "phonetic", "none"]
    alternatives: tuple[Entity, ...] = ()

    @property
    def available(self) -> bool:
        return self.entity is not None


def _phonetic(norm: str) -> str:
    return " ".join(jellyfish.metaphone(word) for word in norm.split())


@dataclass(frozen=True)
class _Names:
    """One kind's searchable names, with three keys each and the entities behind them."""

    entities: tuple[Entity, ...]
    norms: tuple[str, ...]
    compact: tuple[str, ...]
    sounds: tuple[str, ...]

    @classmethod
    def build(cls, entities: list[Entity]) -> _Names:
        norms = tuple(normalize_name(e.name) for e in entities)
        return cls(
            entities=tuple(entities),
            norms=norms,
            compact=tuple(n.replace(" ", "") for n in norms),
            sounds=tuple(_phonetic(n) for n in norms),
        )

    def search(self, query: str, *, limit: int = 5) -> list[tuple[Entity, float, str]]:
        """Best matches as (entity, score in [0, 1], method), best first."""
        norm = normalize_name(query)
        if not norm or not self.entities:
            return []
        scores: dict[int, tuple[float, str]] = {}

        def keep(i: int, score: float, method: str) -> None:
            if score > scores.get(i, (0.0, ""))[0]:
                scores[i] = (score, method)

        for _, score, i in process.extract(norm, self.norms, scorer=fuzz.ratio, limit=limit):
            keep(i, score / 100, "exact" if score == 100 else "fuzzy")
        for _, score, i in process.extract(
            norm.replace(" ", ""), self.compact, scorer=fuzz.ratio, limit=limit
        ):
            keep(i, 0.98 * score / 100, "fuzzy")
        sound = _phonetic(norm)
        # Metaphone reads Latin letters only: a name in another script has no sound key to compare.
        sound_hits = process.extract(sound, self.sounds, scorer=fuzz.ratio, limit=limit) if sound else []
        for _, score, i in sound_hits:
            # Sound-alike keys are short and collide easily: require the spelling to agree in part too.
            spelled = fuzz.ratio(norm, self.norms[i]) / 100
            if score == 100 and spelled >= 0.6 and len(norm) >= 4:
                keep(i, 0.88 + 0.1 * spelled, "phonetic")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], len(self.entities[kv[0]].track_ids) * -1))
        return [(self.entities[i], round(score, 4), method) for i, (score, method) in ranked[:limit]]


class CatalogIndex:
    """Searchable names of one catalogue. Build once per catalogue (a 17k-artist build takes ~1 s)."""

    def __init__(
        self,
        *,
        artists: list[Entity],
        tracks: list[Entity],
        albums: list[Entity],
        tags: list[Entity],
        titles: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self._names = {
            "artist": _Names.build(artists),
            "track": _Names.build(tracks),
            "album": _Names.build(albums),
            "tag": _Names.build(tags),
        }
        self._titles = titles or {}
        self._tag_by_norm = {normalize_name(t.name): t for t in tags}
        self._albums_by_artist: dict[str, list[Entity]] = defaultdict(list)
        for album in albums:
            self._albums_by_artist[normalize_name(album.artist or "")].append(album)

    @classmethod
    def from_catalog(cls, catalog: pl.DataFrame) -> CatalogIndex:
        """Index a catalogue DataFrame (track_id, title, artist; album, tags, year when present)."""
        cols = set(catalog.columns)
        rows = catalog.select(
            "track_id",
            "title",
            "artist",
            pl.col("album") if "album" in cols else pl.lit(None, dtype=pl.String).alias("album"),
            pl.col("tags") if "tags" in cols else pl.lit([], dtype=pl.List(pl.String)).alias("tags"),
            pl.col("year") if "year" in cols else pl.lit(None, dtype=pl.Int32).alias("year"),
        ).iter_rows()
        by_artist: dict[str, list[str]] = defaultdict(list)
        by_tag: dict[str, list[str]] = defaultdict(list)
        by_album: dict[tuple[str, str], list[str]] = defaultdict(list)
        album_year: dict[tuple[str, str], int | None] = {}
        tracks: list[Entity] = []
        titles: dict[str, tuple[str, str]] = {}
        for track_id, title, artist, album, tags, year in rows:
            if artist:  # an untagged file may have no artist: it is no artist entity a listener can name
                by_artist[artist].append(track_id)
            titles[track_id] = (title, artist)
            for tag in tags or ():
                by_tag[tag].append(track_id)
            if album:
                by_album[(album, artist)].append(track_id)
                album_year[(album, artist)] = year
            if title and normalize_name(title) != normalize_name(artist):  # hetrec: artists stand as tracks
                tracks.append(
                    Entity(kind="track", name=title, artist=artist, year=year, track_ids=(track_id,))
                )
        return cls(
            artists=[Entity(kind="artist", name=a, track_ids=tuple(ids)) for a, ids in by_artist.items()],
            tracks=tracks,
            albums=[
                Entity(kind="album", name=al, artist=ar, year=album_year[(al, ar)], track_ids=tuple(ids))
                for (al, ar), ids in by_album.items()
            ],
            tags=[Entity(kind="tag", name=t, track_ids=tuple(ids)) for t, ids in by_tag.items()],
            titles=titles,
        )

    def names(self, kind: EntityKind) -> tuple[str, ...]:
        """Every name of ``kind`` in the catalogue (the request tagger's gazetteer reads them)."""
        return tuple(e.name for e in self._names[kind].entities)

    def track(self, track_id: str) -> Entity | None:
        """The track with this id (title and artist), or None."""
        if track_id not in self._titles:
            return None
        title, artist = self._titles[track_id]
        return Entity(kind="track", name=title, artist=artist, track_ids=(track_id,))

    def resolve(self, query: str, *, kind: EntityKind, artist: str | None = None) -> Resolution:
        """Best entity of ``kind`` for a spoken ``query``; for tracks and albums ``artist`` narrows it."""
        found = self._names[kind].search(query, limit=8)
        if artist is not None and kind in ("track", "album"):
            by = normalize_name(artist)
            found = [f for f in found if fuzz.ratio(normalize_name(f[0].artist or ""), by) >= 80] or found
        if found and found[0][1] >= RESOLVED_AT:
            entity, score, method = found[0]
            return Resolution(query=query, kind=kind, entity=entity, confidence=score, method=method)  # type: ignore[arg-type]
        confidence = found[0][1] if found else 0.0
        return Resolution(
            query=query,
            kind=kind,
            entity=None,
            confidence=confidence,
            method="none",
            alternatives=self.alternatives_for(query),
        )

    def resolve_any(self, query: str) -> Resolution:
        """For a bare name ("play Daft Punk"): the best of artist, track, album; ties favour artists."""
        best: Resolution | None = None
        for kind in ("artist", "track", "album"):
            res = self.resolve(query, kind=kind)
            if res.available and (
                best is None or not best.available or res.confidence > best.confidence + 0.02
            ):
                best = res
        return best or self.resolve(query, kind="artist")

    def tag(self, phrase: str) -> Entity | None:
        """A tag the phrase names exactly (after normalisation, also without spaces or hyphens)."""
        norm = normalize_name(phrase)
        return self._tag_by_norm.get(norm) or self._tag_by_norm.get(norm.replace(" ", ""))

    def alternatives_for(self, name: str, *, limit: int = 3) -> tuple[Entity, ...]:
        """Artists listeners tagged with this name (how people say "sounds like X"); empty if none."""
        tag = self.tag(name)
        if tag is None:
            return ()
        members = set(tag.track_ids)
        artists = [e for e in self._names["artist"].entities if members.intersection(e.track_ids)]
        artists.sort(key=lambda e: -len(members.intersection(e.track_ids)))
        return tuple(artists[:limit])

    def latest_album(self, artist: str) -> Entity | None:
        """The artist's most recent album with a known year (the catalogue's view of "latest")."""
        albums = [a for a in self._albums_by_artist.get(normalize_name(artist), []) if a.year is not None]
        return max(albums, key=lambda a: a.year or 0) if albums else None

    def tracks_with_tags(self, tags: frozenset[str]) -> frozenset[str]:
        """Track ids carrying any of ``tags``."""
        out: set[str] = set()
        for tag in tags:
            entity = self._tag_by_norm.get(normalize_name(tag))
            if entity is not None:
                out.update(entity.track_ids)
        return frozenset(out)
