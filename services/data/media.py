"""Audio locations a client may name: a relative path to an audio file under the configured media root.

Why so strict: the API's catalogue sync lets a remote app tell the worker which file to decode. An
absolute path, a ``..`` step or a symlink leading out of the root would let it make the server read any
file it can open, so each is refused; errors name the row and column, never a path (they go back to the
client).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from services.data.audio_folder import AUDIO_SUFFIXES
from services.data.errors import ValidationError

COLUMN = "audio"


def media_file(root: Path | None, location: str, *, row: int) -> Path:
    """The resolved file ``location`` names under ``root``, or a :class:`ValidationError` for row ``row``."""
    if root is None:
        raise ValidationError(
            "this server has no media root (SELECTA_MEDIA_ROOT), so tracks synced over the API cannot carry "
            "audio",
            row=row,
            column=COLUMN,
        )
    relative = PurePosixPath(location)
    if (
        not location
        or "\\" in location
        or "\x00" in location
        or relative.is_absolute()
        or ".." in relative.parts
    ):
        raise ValidationError(
            "must be a relative path under the media root, without '..'", row=row, column=COLUMN
        )
    if relative.suffix.lower() not in AUDIO_SUFFIXES:
        raise ValidationError(
            f"must name an audio file ({', '.join(AUDIO_SUFFIXES)})", row=row, column=COLUMN
        )
    base = root.resolve()
    resolved = (base / relative).resolve()
    if not resolved.is_relative_to(base):  # a symlink inside the root that leads out of it
        raise ValidationError("leads outside the media root", row=row, column=COLUMN)
    if not resolved.is_file():
        raise ValidationError("no file at this location under the media root", row=row, column=COLUMN)
    return resolved
