"""The tempo a file's own tags state (ID3 TBPM, Vorbis/FLAC BPM, MP4 tmpo), read with tinytag.

A BPM tag was usually set by the producer's DAW or by the DJ software that played the track before:
it knows the octave a listener counts in, which no onset statistic can be sure of. So analysis takes
it as a strong prior (:func:`dj.analysis.tempo.estimate_tempo`), not as the answer: the beat grid is
still fitted to the audio, and a tag the audio does not support at all loses to the audio.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["bpm_tag"]

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_PLAUSIBLE = (30.0, 300.0)


def bpm_tag(path: str | Path) -> float | None:
    """The file's BPM tag as a number, or None (no tag, an unreadable file, or an implausible value)."""
    try:
        from tinytag import TinyTag

        tag = TinyTag.get(str(path))
    except Exception:  # any unreadable or unsupported file simply has no tag to offer
        return None
    for value in tag.other.get("bpm") or []:
        found = _NUMBER.search(str(value))
        if found:
            bpm = float(found.group().replace(",", "."))
            if _PLAUSIBLE[0] <= bpm <= _PLAUSIBLE[1]:
                return bpm
    return None
