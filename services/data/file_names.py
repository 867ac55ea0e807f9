"""Title and artist read from an audio file's name, for files without tags.

A folder of downloaded songs rarely has tags, and the file names carry the noise of where they came from:
the host would read "147793 setuniman sweet-waltz-0i-22mi.hq" aloud by "Unknown artist". The rules, each
for a real kind of name:

- ``Artist - Title`` (the first spaced dash splits; the title may hold more dashes:
  "admiralbob77 - Choice - Drum-bass" is "Choice - Drum-bass" by admiralbob77);
- a leading track number goes ("01 - Title", "07. Title", "3_Title"), but not a number that is part of
  the title ("99 Luftballons");
- freesound downloads are ``<id>__<user>__<name>``: the numeric id goes and the uploader is the artist
  ("147793__setuniman__sweet-waltz-0i-22mi" is "sweet waltz 0i 22mi" by setuniman); a name that lost its
  double underscores ("147793 setuniman sweet-waltz") is read the same way, the word after an id of five
  or more digits being the uploader;
- quality and source suffixes go (".hq", ".lq", "[hq]", "(official audio)", "(lyrics)");
- underscores are spaces, and a title written as one hyphenated word ("sweet-waltz") gets its spaces
  back. Case is left as written.

Without an artist in the name the artist is ``None``: nothing is better than a made-up "Unknown artist"
that the host would say and the page would show, and that would make every untagged file "the same
artist" to the planner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NameParts", "parse_file_name"]

_QUALITY = re.compile(r"([._ -](hq|lq|hd|128k|320k|preview))+$", re.IGNORECASE)
_BRACKETED_NOISE = re.compile(
    r"\s*[\[(](hq|hd|lq|official( music)? (audio|video)|audio|lyrics?( video)?|free download)[\])]",
    re.IGNORECASE,
)
_FREESOUND = re.compile(r"^(\d{3,})__([^_].*?)__(.+)$")
_LOOSE_FREESOUND = re.compile(r"^(\d{5,})[ _]+([^\s\-\u2013\u2014]\S*)\s+(.+)$")
_TRACK_NUMBER = re.compile(r"^\d{1,3}(\s*[-.]\s+|\s*\.\s*|_+)(?=\D)")
_ARTIST_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+")


@dataclass(frozen=True, kw_only=True)
class NameParts:
    """What a file name says: a title (never empty) and an artist, when the name has one."""

    title: str
    artist: str | None


def _clean(text: str) -> str:
    """Underscores as spaces, runs of spaces as one, and no stray separators at the ends."""
    text = re.sub(r"\s+", " ", text.replace("_", " "))
    return text.strip(" -.\u2013\u2014")


def _title_words(text: str) -> str:
    """A title as words: "sweet-waltz-0i-22mi" -> "sweet waltz 0i 22mi"; "Choice - Drum-bass" unchanged."""
    text = _clean(text)
    if " " not in text and text.count("-") >= 1:
        text = text.replace("-", " ")
    return text


def parse_file_name(path: str | Path) -> NameParts:
    """Title and artist from a file's name (its folders are not read: they are moods and genres)."""
    stem = Path(path).name
    stem = stem[: -len(Path(stem).suffix)] if Path(stem).suffix else stem
    stem = _BRACKETED_NOISE.sub("", _QUALITY.sub("", stem)).strip()
    artist: str | None = None
    if (match := _FREESOUND.match(stem)) or (match := _LOOSE_FREESOUND.match(stem.replace("_", " "))):
        artist, stem = match.group(2), match.group(3)
    else:
        stem = _TRACK_NUMBER.sub("", stem)
        parts = _ARTIST_SEPARATOR.split(_clean(stem), maxsplit=1)
        if len(parts) == 2 and parts[0] and parts[1]:
            artist, stem = parts
    title = _title_words(stem) or _clean(Path(path).stem) or Path(path).name
    artist = _clean(artist) if artist else None
    return NameParts(title=title, artist=artist or None)
