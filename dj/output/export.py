"""Writing a mix to disk: WAV, FLAC, OGG Vorbis or MP3 (libsndfile encodes all four), with tags.

The tags carry the same facts as the cue sheet's header: title, the tracklist, provenance as JSON and
the statement that the host voice is synthetic, so the file says what it is even without its JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from dj.errors import DJError

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
    _tag(path, name, tags)
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
    }


def _tag(path: Path, name: str, tags: Mapping[str, str]) -> None:
    if name in ("flac", "ogg"):
        from mutagen.flac import FLAC
        from mutagen.oggvorbis import OggVorbis

        audio = FLAC(str(path)) if name == "flac" else OggVorbis(str(path))
        for key, value in tags.items():
            audio[key.upper()] = value
        audio.save()
        return
    from mutagen.id3 import COMM, ID3, TIT2, TPE1, TXXX

    if name == "wav":
        from mutagen.wave import WAVE

        audio = WAVE(str(path))
        if audio.tags is None:
            audio.add_tags()
        id3 = audio.tags
    else:
        try:
            id3 = ID3(str(path))
        except Exception:
            id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.get("title", "")))
    id3.add(TPE1(encoding=3, text=tags.get("artist", "")))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.get("comment", "")))
    for key in ("provenance", "synthetic_voice"):
        id3.add(TXXX(encoding=3, desc=key.upper(), text=tags.get(key, "")))
    if name == "wav":
        audio.save()
    else:
        id3.save(str(path))


def read_tags(path: Path) -> dict[str, str]:
    """Tags back from a written mix (lower-case keys), for tests and for the API."""
    import mutagen

    audio = mutagen.File(str(path))
    out: dict[str, str] = {}
    if audio is None or audio.tags is None:
        return out
    for key, value in audio.tags.items():
        text = value.text if hasattr(value, "text") else value
        text = text[0] if isinstance(text, list) and text else text
        key = str(key).lower()
        if key.startswith("txxx:"):
            key = key[5:]
        out[
            {"tit2": "title", "tpe1": "artist"}.get(key, key.split(":")[0] if key.startswith("comm") else key)
        ] = str(text)
    return out
