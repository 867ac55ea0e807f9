"""Match listens from outside exports (artist + title, maybe an id) to catalogue tracks.

Order of evidence: an exact ``track_id``; then an exact normalised "artist - title"; then a fuzzy match
(rapidfuzz) of title and artist that must both clear a threshold, so "Daft Punk - One More Time
(Remastered)" finds "Daft Punk - One More Time" but another artist's song of the same name does not.
Every listen that does not match is counted under the reason why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process

from core.names import normalize_name
from services.data.schema import validate_events

TITLE_CUTOFF = 88.0
ARTIST_CUTOFF = 85.0

_BRACKETS = re.compile(r"[\(\[][^\)\]]*(remaster|live|edit|version|mix|mono|stereo|feat)[^\)\]]*[\)\]]", re.I)
_FEAT = re.compile(r"\s+(feat\.?|ft\.?|featuring)\s+.*$", re.I)
_VERSION_SUFFIX = re.compile(r"\s+-\s+.*(remaster|version|edit|live).*$", re.I)


def normalise(text: str | None) -> str:
    """Version suffixes and "feat." credits dropped, then :func:`core.names.normalize_name` (the same
    spelling rules as a spoken request: case, accents, "&" = "and", punctuation, a leading "the")."""
    if not text:
        return ""
    text = _FEAT.sub("", _BRACKETS.sub("", text))
    return normalize_name(_VERSION_SUFFIX.sub("", text))


@dataclass(frozen=True, kw_only=True)
class MatchReport:
    """How many listens matched, by which evidence, and why the rest did not."""

    total: int
    by_id: int
    exact: int
    fuzzy: int
    unmatched: int
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return self.by_id + self.exact + self.fuzzy


@dataclass(frozen=True, kw_only=True)
class MatchResult:
    events: pl.DataFrame
    report: MatchReport
    unmatched: pl.DataFrame


class _Matcher:
    """One catalogue's lookup tables: ids, exact "artist - title" keys, and the normalised names that the
    fuzzy step searches. A (artist, title) pair is resolved once however often it was played."""

    def __init__(self, catalog: pl.DataFrame) -> None:
        self.known_ids = set(catalog["track_id"].to_list())
        self.exact: dict[str, str] = {}
        for tid, artist, title in catalog.select("track_id", "artist", "title").iter_rows():
            self.exact.setdefault(f"{normalise(artist)}\x1f{normalise(title)}", tid)
        self.titles = [normalise(t) for t in catalog["title"].to_list()]
        self.artists = [normalise(a) for a in catalog["artist"].to_list()]
        self.ids = catalog["track_id"].to_list()
        self._cache: dict[tuple[str, str], tuple[str | None, str]] = {}

    def match(self, row: dict[str, Any], *, has_id: bool) -> tuple[str | None, str]:
        """The catalogue id of a listen and how it was found, or None and why not."""
        skip = row.get("skip_reason")
        if skip:
            return None, skip
        if has_id and row.get("track_id") in self.known_ids:
            return row["track_id"], "by_id"
        artist, title = normalise(row.get("artist")), normalise(row.get("title"))
        if not artist or not title:
            return None, "missing artist or title"
        key = (artist, title)
        if key not in self._cache:
            self._cache[key] = self._resolve(artist, title)
        return self._cache[key]

    def _resolve(self, artist: str, title: str) -> tuple[str | None, str]:
        found = self.exact.get(f"{artist}\x1f{title}")
        if found is not None:
            return found, "exact"
        candidates = process.extract(
            title, self.titles, scorer=fuzz.ratio, score_cutoff=TITLE_CUTOFF, limit=20
        )
        best: tuple[float, str | None] = (0.0, None)
        for _, title_score, idx in candidates:
            artist_score = fuzz.token_set_ratio(artist, self.artists[idx])
            if artist_score >= ARTIST_CUTOFF and title_score + artist_score > best[0]:
                best = (title_score + artist_score, self.ids[idx])
        if best[1] is None:
            return None, "no catalogue track with this id or a close artist + title"
        return best[1], "fuzzy"


def match_listens(listens: pl.DataFrame, catalog: pl.DataFrame) -> MatchResult:
    """Turn raw listens into events on catalogue tracks.

    ``listens`` columns: ``user_id``, ``artist``, ``title``, optional ``track_id`` (an id that may be in
    the catalogue), ``ts``, ``ms_played``, ``reason``, and ``skip_reason`` (why a row is not music, or
    null). Returns validated events, the report, and the unmatched rows with a ``reason`` column.
    """
    matcher = _Matcher(catalog)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    matched_rows, unmatched_rows = [], []
    has_id = "track_id" in listens.columns
    for row in listens.iter_rows(named=True):
        tid, how = matcher.match(row, has_id=has_id)
        if tid is None:
            reasons[how] += 1
            unmatched_rows.append({**row, "reason_unmatched": how})
        else:
            counts[how] += 1
            matched_rows.append({**row, "matched_id": tid})
    report = MatchReport(
        total=listens.height,
        by_id=counts["by_id"],
        exact=counts["exact"],
        fuzzy=counts["fuzzy"],
        unmatched=len(unmatched_rows),
        reasons=dict(reasons.most_common()),
    )
    unmatched = pl.DataFrame(unmatched_rows, infer_schema_length=None) if unmatched_rows else pl.DataFrame()
    return MatchResult(events=_events(matched_rows), report=report, unmatched=unmatched)


def _events(matched_rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Validated events from the matched listens (their catalogue id as ``track_id``)."""
    if not matched_rows:
        return validate_events(
            pl.DataFrame(
                {"user_id": [], "track_id": []}, schema={"user_id": pl.String, "track_id": pl.String}
            )
        )
    frame = pl.DataFrame(matched_rows, infer_schema_length=None)
    event_columns = [c for c in ("user_id", "ts", "ms_played", "reason") if c in frame.columns]
    return validate_events(frame.select([*event_columns, pl.col("matched_id").alias("track_id")]))
