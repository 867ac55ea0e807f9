"""Import a folder of audio files: tags read with mutagen, the file name as fallback.

A file whose tags cannot be read is not fatal for the folder: it is reported with its reason and the
rest import. File names like ``Artist - Title.mp3`` give artist and title when tags are missing; the
mood/genre folder a file sits in becomes a tag.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mutagen
import polars as pl

from services.data.errors import ValidationError
from services.data.file_names import parse_file_name
from services.data.schema import validate_catalog

AUDIO_SUFFIXES = (".mp3", ".flac", ".ogg", ".opus", ".oga", ".wav", ".m4a", ".mp4", ".aac")


@dataclass(frozen=True, kw_only=True)
class FolderImport:
    catalog: pl.DataFrame
    skipped: dict[str, str]  # file -> reason


def _first(tags: dict[str, list[str]] | None, key: str) -> str | None:
    values = (tags or {}).get(key)
    return str(values[0]).strip() or None if values else None


def _year(text: str | None) -> int | None:
    match = re.match(r"\s*(\d{4})", text or "")
    return int(match.group(1)) if match else None


def read_track(path: Path, *, root: Path) -> dict[str, object]:
    """One catalogue row from one file; raises ValidationError when the file is not readable audio."""
    try:
        audio = mutagen.File(path, easy=True)
    except mutagen.MutagenError as exc:
        raise ValidationError(f"cannot read audio tags: {exc}", file=path) from exc
    if audio is None or audio.info is None:
        raise ValidationError("not a recognised audio file", file=path)
    duration = float(getattr(audio.info, "length", 0.0) or 0.0)
    if duration <= 0:
        raise ValidationError("audio has no duration (empty or truncated)", file=path)
    tags = dict(audio.tags or {}) if audio.tags is not None else {}
    named = parse_file_name(path)
    title = _first(tags, "title") or named.title
    artist = _first(tags, "artist") or _first(tags, "albumartist") or named.artist
    genres = [
        g.strip().lower() for g in (tags.get("genre") or []) for g in re.split(r"[;,/]", str(g)) if g.strip()
    ]
    relative = path.relative_to(root)
    folder_tags = [part.lower() for part in relative.parts[:-1]]
    return {
        "track_id": "file:" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16],
        "title": title,
        "artist": artist,
        "album": _first(tags, "album"),
        "duration_s": duration,
        "tags": sorted(set(genres + folder_tags)),
        "year": _year(_first(tags, "date")),
        "path": str(path.resolve()),
        "source": "folder",
        "synthetic": False,
    }


def import_folder(root: str | Path, *, on_progress: Callable[[int, int], None] | None = None) -> FolderImport:
    """Every audio file under ``root`` (recursively) as catalogue rows, plus the files skipped and why."""
    root = Path(root)
    if not root.is_dir():
        raise ValidationError("not a folder", file=root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    rows, skipped = [], {}
    for i, path in enumerate(files, start=1):
        try:
            rows.append(read_track(path, root=root))
        except ValidationError as exc:
            skipped[str(path)] = exc.reason
        if on_progress:
            on_progress(i, len(files))
    if not rows:
        raise ValidationError(
            f"no readable audio files ({', '.join(AUDIO_SUFFIXES)}) found"
            + (f"; {len(skipped)} skipped" if skipped else ""),
            file=root,
        )
    return FolderImport(
        catalog=validate_catalog(pl.DataFrame(rows), file=root, source="folder"), skipped=skipped
    )
