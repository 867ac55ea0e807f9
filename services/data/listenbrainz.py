"""ListenBrainz listen exports: JSON lines (or one JSON array) of ``{listened_at, track_metadata}``.

``track_metadata`` has ``artist_name``, ``track_name``, ``release_name`` and ``additional_info`` (with
``recording_msid``/``recording_mbid`` and sometimes ``duration_ms``).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

from services.data.errors import ValidationError
from services.data.listens import listens_frame


def _items(path: Path) -> list[tuple[int, Any]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            return list(enumerate(json.loads(text), start=1))
        return [(i, json.loads(line)) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"not valid JSON: {exc.msg}", file=path, row=exc.lineno if not stripped.startswith("[") else None
        ) from exc


def read_listenbrainz(path: str | Path, *, user_id: str | None = None) -> pl.DataFrame:
    """Listens from an export; the user is the export's ``user_name`` unless ``user_id`` is given."""
    path = Path(path)
    try:
        items = _items(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read: {exc}", file=path) from exc
    rows = []
    for i, item in items:
        if not isinstance(item, dict) or "listened_at" not in item or "track_metadata" not in item:
            raise ValidationError("expected an object with listened_at and track_metadata", file=path, row=i)
        meta = item["track_metadata"] or {}
        info = meta.get("additional_info") or {}
        try:
            ts = datetime.fromtimestamp(int(item["listened_at"]), tz=timezone.utc)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValidationError(
                f"listened_at {item['listened_at']!r} is not a unix time",
                file=path,
                row=i,
                column="listened_at",
            ) from exc
        who = user_id or item.get("user_name")
        if not who:
            raise ValidationError("no user_name in the listen; pass a user id", file=path, row=i)
        mbid = info.get("recording_mbid") or (meta.get("mbid_mapping") or {}).get("recording_mbid")
        msid = info.get("recording_msid") or item.get("recording_msid")
        rows.append(
            {
                "user_id": who,
                "track_id": f"mbid:{mbid}" if mbid else (f"lb:{msid}" if msid else None),
                "artist": meta.get("artist_name"),
                "title": meta.get("track_name"),
                "album": meta.get("release_name"),
                "ts": ts,
                "ms_played": info.get("duration_ms"),
                "reason": "played",
                "skip_reason": None,
            }
        )
    return listens_frame(rows)
