"""Writing a mix to disk: WAV, FLAC, OGG Vorbis or MP3 (libsndfile encodes all four), with tags
(written by :mod:`dj.output.tags`, without GPL code).

The tags carry the same facts as the cue sheet's header: title, the tracklist, provenance as JSON and
the statement that the host voice is synthetic with the model that made it, so the file says what it is
even without its JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from dj.errors import DJError
from dj.output.tags import read_tags, write_tags

__all__ = ["FORMATS", "UnsupportedFormatError", "audio_format", "mix_tags", "read_tags", "write_mix"]

if TYPE_CHECKING:
    from dj.output.cuesheet import CueSheet

FORMATS = {
    "wav": ("WAV", "PCM_24"),
    "flac": ("FLAC", "PCM_24"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


class UnsupportedFormatError(DJError):
    """An output format we cannot write (or cannot encode on this machine)."""

    code = "unsupported_audio_format"
    status = 422


def audio_format(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt`` or, failing that, by the file's extension."""
    name = (fmt or path.suffix.lstrip(".")).lower()
    if name not in FORMATS:
        raise UnsupportedFormatError(f"cannot write {name!r}; choose one of {', '.join(FORMATS)}")
    if FORMATS[name][0] not in sf.available_formats():
        raise UnsupportedFormatError(f"this libsndfile has no {name} encoder")
    return name


def write_mix(path: Path, *, y: np.ndarray, sr: int, fmt: str | None = None, tags: Mapping[str, str]) -> Path:
    """Encode (channels, n) float audio to ``path`` and tag it."""
    name = audio_format(path, fmt)
    container, subtype = FORMATS[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.clip(y.T, -1.0, 1.0)
    # libsndfile's Vorbis encoder crashes on very large single writes; blocks of 64k frames are safe.
    channels = data.shape[1]
    with sf.SoundFile(
        str(path), "w", samplerate=sr, channels=channels, format=container, subtype=subtype
    ) as f:
        for k in range(0, data.shape[0], 65536):
            f.write(data[k : k + 65536])
    write_tags(path, tags, fmt=name)
    return path


def mix_tags(sheet: CueSheet) -> dict[str, str]:
    """Tags from a cue sheet: title, artist, a readable tracklist, provenance JSON, the synthetic note."""
    lines = [f"{t.position}. {t.start_s:.1f}s {t.title}" for t in sheet.tracks]
    return {
        "title": sheet.title,
        "artist": "Selecta DJ (synthetic host voice)",
        "comment": f"{sheet.synthetic_voice} Tracklist: " + "; ".join(lines),
        "provenance": json.dumps(sheet.provenance.to_dict(), sort_keys=True),
        "synthetic_voice": "yes",
        **({"synthetic_voice_model": sheet.provenance.tts_model} if sheet.provenance.tts_model else {}),
    }
