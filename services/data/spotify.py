"""Spotify's "extended streaming history" export (``Streaming_History_Audio_*.json``).

Each file is a JSON array of plays with ``ts``, ``ms_played``, ``master_metadata_track_name``,
``master_metadata_album_artist_name``, ``master_metadata_album_album_name``, ``spotify_track_uri``,
``skipped``, ``reason_end`` and more. Rows without track metadata are podcast episodes or audiobooks.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from services.data.errors import ValidationError
from services.data.listens import listens_frame

REQUIRED = ("ts", "ms_played", "master_metadata_track_name", "master_metadata_album_artist_name")
SKIP_MS = 30_000  # Spotify itself counts a stream only after 30 s.


def read_spotify_history(path: str | Path, *, user_id: str) -> pl.DataFrame:
    """Listens from one export file; plays under 30 s or flagged ``skipped`` become ``skipped`` events."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"not a Spotify streaming-history JSON file: {exc}", file=path) from exc
    if not isinstance(data, list):
        raise ValidationError("expected a JSON array of plays", file=path)
    rows = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValidationError("each play must be a JSON object", file=path, row=i)
        missing = [k for k in REQUIRED if k not in item]
        if missing:
            raise ValidationError(
                f"missing field(s) {', '.join(missing)}", file=path, row=i, column=missing[0]
            )
        ms = item["ms_played"]
        if not isinstance(ms, int) or ms < 0:
            raise ValidationError(
                f"ms_played {ms!r} is not a non-negative integer", file=path, row=i, column="ms_played"
            )
        title, artist = item["master_metadata_track_name"], item["master_metadata_album_artist_name"]
        uri = item.get("spotify_track_uri")
        skipped = bool(item.get("skipped")) or ms < SKIP_MS
        rows.append(
            {
                "user_id": user_id,
                "track_id": uri,
                "artist": artist,
                "title": title,
                "album": item.get("master_metadata_album_album_name"),
                "ts": item["ts"],
                "ms_played": ms,
                "reason": "skipped" if skipped else "played",
                "skip_reason": None
                if title and artist
                else "not a music track (podcast, audiobook or no metadata)",
            }
        )
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else listens_frame([])
    if rows:
        parsed = frame["ts"].str.to_datetime(time_zone="UTC", strict=False, time_unit="us")
        bad = parsed.is_null()
        if bad.any():
            row = int(bad.arg_true()[0]) + 1
            raise ValidationError(
                f"timestamp {frame['ts'][row - 1]!r} is not ISO 8601", file=path, row=row, column="ts"
            )
        frame = listens_frame(frame.with_columns(parsed.alias("ts")).to_dicts())
    return frame
