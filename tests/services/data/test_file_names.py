"""Titles and artists read from the names of untagged files: the noise goes, no artist is made up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from services.api.routes.tracks import to_public
from services.data.audio_folder import import_folder
from services.data.file_names import NameParts, parse_file_name


@pytest.mark.parametrize(
    ("name", "title", "artist"),
    [
        # The file names of the folder of CC-licensed songs:
        ("147793 setuniman sweet-waltz-0i-22mi.hq.ogg", "sweet waltz 0i 22mi", "setuniman"),
        ("147793__setuniman__sweet-waltz-0i-22mi.hq.ogg", "sweet waltz 0i 22mi", "setuniman"),
        ("admiralbob77 - Choice - Drum-bass.mp3", "Choice - Drum-bass", "admiralbob77"),
        ("Kevin MacLeod - Vibe Ace.mp3", "Vibe Ace", "Kevin MacLeod"),
        # Track numbers, quality suffixes, underscores:
        ("07. Daft Punk - Digital Love.mp3", "Digital Love", "Daft Punk"),
        ("01 - Intro.flac", "Intro", None),
        ("03_track_name.mp3", "track name", None),
        ("brahms_hungarian_dance_5.hq.ogg", "brahms hungarian dance 5", None),
        ("My Song (Official Audio).mp3", "My Song", None),
        # A number that is the title's own stays:
        ("99 Luftballons.mp3", "99 Luftballons", None),
        ("untagged.wav", "untagged", None),
    ],
)
def test_title_and_artist_from_a_file_name(name: str, title: str, artist: str | None) -> None:
    assert parse_file_name(f"/music/chill/{name}") == NameParts(title=title, artist=artist)


def test_an_imported_folder_of_untagged_downloads_reads_names_and_makes_up_no_artist(tmp_path: Path) -> None:
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(4000) / 8000)).astype(np.float32)
    for name in (
        "147793 setuniman sweet-waltz-0i-22mi.hq.ogg",
        "admiralbob77 - Choice - Drum-bass.ogg",
        "waltz.ogg",
    ):
        sf.write(tmp_path / name, tone, 8000, format="OGG", subtype="VORBIS")
    rows = {r["title"]: r["artist"] for r in import_folder(tmp_path).catalog.iter_rows(named=True)}
    assert rows == {"sweet waltz 0i 22mi": "setuniman", "Choice - Drum-bass": "admiralbob77", "waltz": None}
    # What the page and the API show for the track without an artist: its title alone.
    public = [to_public({**r, "path": None}) for r in import_folder(tmp_path).catalog.iter_rows(named=True)]
    assert {p.title: p.artist for p in public}["waltz"] is None
