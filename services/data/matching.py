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


def match_listens(listens: pl.DataFrame, catalog: pl.DataFrame) -> MatchResult:
    """Turn raw listens into events on catalogue tracks.

    ``listens`` columns: ``user_id``, ``artist``, ``title``, optional ``track_id`` (an id that may be in
    the catalogue), ``ts``, ``ms_played``, ``reason``, and ``skip_reason`` (why a row is not music, or
    null). Returns validated events, the report, and the unmatched rows with a ``reason`` column.
    """
    known_ids = set(catalog["track_id"].to_list())
    exact_index: dict[str, str] = {}
    for tid, artist, title in catalog.select("track_id", "artist", "title").iter_rows():
        exact_index.setdefault(f"{normalise(artist)}\x1f{normalise(title)}", tid)
    titles = [normalise(t) for t in catalog["title"].to_list()]
    artists = [normalise(a) for a in catalog["artist"].to_list()]
    ids = catalog["track_id"].to_list()

    cache: dict[tuple[str, str], tuple[str | None, str]] = {}

    def resolve(artist: str, title: str) -> tuple[str | None, str]:
        key = (artist, title)
        if key in cache:
            return cache[key]
        found = exact_index.get(f"{artist}\x1f{title}")
        if found is not None:
            cache[key] = (found, "exact")
            return cache[key]
        candidates = process.extract(title, titles, scorer=fuzz.ratio, score_cutoff=TITLE_CUTOFF, limit=20)
        best: tuple[float, str | None] = (0.0, None)
        for _, title_score, idx in candidates:
            artist_score = fuzz.token_set_ratio(artist, artists[idx])
            if artist_score >= ARTIST_CUTOFF and title_score + artist_score > best[0]:
                best = (title_score + artist_score, ids[idx])
        cache[key] = (
            (best[1], "fuzzy")
            if best[1]
            else (None, "no catalogue track with this id or a close artist + title")
        )
        return cache[key]

    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    matched_rows, unmatched_rows = [], []
    has_id = "track_id" in listens.columns
    for row in listens.iter_rows(named=True):
        skip = row.get("skip_reason")
        if skip:
            reasons[skip] += 1
            unmatched_rows.append({**row, "reason_unmatched": skip})
            continue
        if has_id and row.get("track_id") in known_ids:
            counts["by_id"] += 1
            matched_rows.append({**row, "matched_id": row["track_id"]})
            continue
        artist, title = normalise(row.get("artist")), normalise(row.get("title"))
        if not artist or not title:
            why = "missing artist or title"
            reasons[why] += 1
            unmatched_rows.append({**row, "reason_unmatched": why})
            continue
        tid, how = resolve(artist, title)
        if tid is None:
            reasons[how] += 1
            unmatched_rows.append({**row, "reason_unmatched": how})
        else:
            counts[how] += 1
            matched_rows.append({**row, "matched_id": tid})

    event_columns = ["user_id", "ts", "ms_played", "reason"]
    if matched_rows:
        frame = pl.DataFrame(matched_rows, infer_schema_length=None)
        events = validate_events(
            frame.select(
                [c for c in event_columns if c in frame.columns] + [pl.col("matched_id").alias("track_id")]
            )
        )
    else:
        events = validate_events(
            pl.DataFrame(
                {"user_id": [], "track_id": []}, schema={"user_id": pl.String, "track_id": pl.String}
            )
        )
    report = MatchReport(
        total=listens.height,
        by_id=counts["by_id"],
        exact=counts["exact"],
        fuzzy=counts["fuzzy"],
        unmatched=len(unmatched_rows),
        reasons=dict(reasons.most_common()),
    )
    unmatched = pl.DataFrame(unmatched_rows, infer_schema_length=None) if unmatched_rows else pl.DataFrame()
    return MatchResult(events=events, report=report, unmatched=unmatched)
