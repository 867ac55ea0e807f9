"""Writing a mix to disk: every supported format carries the tags; other formats are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from tinytag import TinyTag

from dj.output.export import UnsupportedFormatError, read_tags, write_mix


@pytest.mark.parametrize("suffix", ["wav", "flac", "ogg", "mp3"])
def test_every_format_carries_the_tags(tmp_path: Path, suffix: str) -> None:
    y = (0.1 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)).astype(np.float32)
    path = write_mix(
        tmp_path / f"m.{suffix}",
        y=np.stack([y, y]),
        sr=22050,
        tags={
            "title": "T",
            "artist": "A",
            "comment": "c",
            "provenance": '{"x": 1}',
            "synthetic_voice": "yes",
        },
    )
    tags = read_tags(path)
    assert tags["title"] == "T" and tags["provenance"] == '{"x": 1}' and tags["synthetic_voice"] == "yes"
    # Tagging leaves the audio intact (an Ogg remux once lost its length), and a second reader agrees.
    assert sf.info(str(path)).frames == 22050
    other = TinyTag.get(path)
    assert other.title == "T" and other.other["synthetic_voice"] == ["yes"]
    with pytest.raises(UnsupportedFormatError):
        write_mix(tmp_path / "m.aiff", y=np.stack([y, y]), sr=22050, tags={})
