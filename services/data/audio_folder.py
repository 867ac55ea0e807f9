"""Import a folder of audio files: tags read with tinytag (MIT), the file name as fallback.

tinytag does not read raw AAC (``.aac``, ADTS): it mistakes the stream for MPEG audio and reports a
duration of a few milliseconds, so those files are read with PyAV (FFmpeg) instead.

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

import polars as pl
from tinytag import TinyTag, TinyTagException

from services.data.errors import ValidationError
from services.data.file_names import parse_file_name
from services.data.schema import validate_catalog

AUDIO_SUFFIXES = (".mp3", ".flac", ".ogg", ".opus", ".oga", ".wav", ".m4a", ".mp4", ".aac")


@dataclass(frozen=True, kw_only=True)
class FolderImport:
    catalog: pl.DataFrame
    skipped: dict[str, str]  # file -> reason


@dataclass(frozen=True, kw_only=True)
class _FileTags:
    duration_s: float
    title: str | None
    artist: str | None
    album: str | None
    genres: list[str]
    year: int | None


def _text(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _genres(values: list[str]) -> list[str]:
    return [g.strip().lower() for raw in values for g in re.split(r"[;,/]", raw) if g.strip()]


def _read_tinytag(path: Path) -> _FileTags:
    try:
        tag = TinyTag.get(path)
    except (TinyTagException, OSError) as exc:
        raise ValidationError(f"cannot read audio tags: {exc}", file=path) from exc
    return _FileTags(
        duration_s=float(tag.duration or 0.0),
        title=_text(tag.title),
        artist=_text(tag.artist) or _text(tag.albumartist),
        album=_text(tag.album),
        # tinytag keeps a field's first value in the attribute and any further ones in ``other``.
        genres=_genres([tag.genre or "", *tag.other.get("genre", [])]),
        year=_year(tag.year),
    )


def _read_av(path: Path) -> _FileTags:
    import av

    try:
        with av.open(str(path)) as container:
            meta = {k.lower(): v for k, v in container.metadata.items()}
            duration = (container.duration or 0) / 1_000_000
    except (av.FFmpegError, OSError) as exc:
        raise ValidationError(f"cannot read audio: {exc}", file=path) from exc
    return _FileTags(
        duration_s=float(duration),
        title=_text(meta.get("title")),
        artist=_text(meta.get("artist")) or _text(meta.get("album_artist")),
        album=_text(meta.get("album")),
        genres=_genres([meta.get("genre", "")]),
        year=_year(meta.get("date")),
    )


def _year(text: str | None) -> int | None:
    match = re.match(r"\s*(\d{4})", text or "")
    return int(match.group(1)) if match else None


def read_track(path: Path, *, root: Path) -> dict[str, object]:
    """One catalogue row from one file; raises ValidationError when the file is not readable audio."""
    read = _read_tinytag if path.suffix.lower() in TinyTag.SUPPORTED_FILE_EXTENSIONS else _read_av
    tags = read(path)
    if tags.duration_s <= 0:
        raise ValidationError("not readable audio (no duration: empty, truncated or not audio)", file=path)
    named = parse_file_name(path)
    title = tags.title or named.title
    artist = tags.artist or named.artist
    relative = path.relative_to(root)
    folder_tags = [part.lower() for part in relative.parts[:-1]]
    return {
        "track_id": "file:" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16],
        "title": title,
        "artist": artist,
        "album": tags.album,
        "duration_s": tags.duration_s,
        "tags": sorted(set(tags.genres + folder_tags)),
        "year": tags.year,
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
