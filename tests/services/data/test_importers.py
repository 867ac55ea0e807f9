"""Importers on small real-format files written by the tests, and their bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import soundfile as sf

from dj.output.tags import write_tags
from services.data.audio_folder import import_folder
from services.data.errors import UnsupportedFormatError, ValidationError
from services.data.hetrec import load_hetrec
from services.data.listenbrainz import read_listenbrainz
from services.data.matching import match_listens, normalise
from services.data.schema import validate_catalog, validate_events
from services.data.spotify import read_spotify_history
from services.data.tables import read_catalog, read_events

CATALOG = validate_catalog(
    pl.DataFrame(
        {
            "track_id": ["t1", "t2", "t3"],
            "title": ["One More Time", "Harder, Better, Faster, Stronger", "Don't Know Why"],
            "artist": ["Daft Punk", "Daft Punk", "Norah Jones"],
            "tags": ["house|french", "electronic", "jazz"],
        }
    )
)


def tone(seconds: float = 0.5, sr: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_audio_folder_reads_tags_and_falls_back_to_file_names(tmp_path: Path) -> None:
    mood = tmp_path / "Chill"
    mood.mkdir()
    sf.write(mood / "Norah Jones - Sunrise.wav", tone(), 8000)
    sf.write(mood / "untagged.ogg", tone(), 8000, format="OGG", subtype="VORBIS")
    tagged = tmp_path / "tagged.flac"
    sf.write(tagged, tone(1.0), 8000)
    write_tags(
        tagged,
        {
            "title": "Digital Love",
            "artist": "Daft Punk",
            "album": "Discovery",
            "date": "2001",
            "genre": "House; French",
        },
    )
    (tmp_path / "broken.mp3").write_bytes(b"not audio at all" * 10)

    result = import_folder(tmp_path)
    rows = {r["title"]: r for r in result.catalog.iter_rows(named=True)}
    assert rows["Digital Love"]["artist"] == "Daft Punk"
    assert rows["Digital Love"]["year"] == 2001
    assert rows["Digital Love"]["tags"] == ["french", "house"]
    assert rows["Digital Love"]["duration_s"] == pytest.approx(1.0, abs=0.01)
    assert rows["Sunrise"]["artist"] == "Norah Jones"
    assert rows["Sunrise"]["tags"] == ["chill"]
    # No artist in the tags or the name: none, rather than an "Unknown artist" the host would say.
    assert rows["untagged"]["artist"] is None
    assert list(result.skipped) == [str(tmp_path / "broken.mp3")]


def test_audio_folder_reads_raw_aac_length(tmp_path: Path) -> None:
    """Raw AAC (ADTS) goes through PyAV: tinytag misreads it as MPEG audio a few milliseconds long."""
    import av

    path = tmp_path / "Nils Frahm - Says.aac"
    with av.open(str(path), "w", format="adts") as out:
        stream = out.add_stream("aac", rate=44100)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(tone(2.0, 44100)[None, :], format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    row = import_folder(tmp_path).catalog.row(0, named=True)
    assert row["artist"] == "Nils Frahm" and row["title"] == "Says"
    assert row["duration_s"] == pytest.approx(2.0, abs=0.1)


def test_audio_folder_without_audio_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValidationError, match="no readable audio"):
        import_folder(tmp_path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_catalog_and_events_tables_in_every_format(tmp_path: Path, suffix: str) -> None:
    catalog = pl.DataFrame(
        {
            "track_id": ["t1", "t2"],
            "title": ["A", "B"],
            "artist": ["X", "Y"],
            "tags": ["calm|acoustic", "happy"],
        }
    )
    events = pl.DataFrame(
        {
            "user_id": ["u1", "u1"],
            "track_id": ["t1", "t2"],
            "ts": ["2026-01-01T10:00:00Z", "2026-01-01T10:05:00Z"],
            "plays": ["2", "1"],
        }
    )
    cpath, epath = tmp_path / f"catalog{suffix}", tmp_path / f"events{suffix}"
    for frame, path in ((catalog, cpath), (events, epath)):
        {".csv": frame.write_csv, ".parquet": frame.write_parquet, ".jsonl": frame.write_ndjson}[suffix](path)
    assert read_catalog(cpath)["tags"].to_list() == [["calm", "acoustic"], ["happy"]]
    read = read_events(epath)
    assert read["plays"].to_list() == [2, 1]
    assert read["reason"].to_list() == ["played", "played"]


def test_malformed_event_file_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,track_id,ts\nu1,t1,2026-01-01T00:00:00Z\nu1,t2,yesterday\n")
    with pytest.raises(ValidationError) as info:
        read_events(path)
    assert (info.value.file, info.value.row, info.value.column) == (str(path), 2, "ts")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("title,artist\nA,B\n", "missing required column"),
        ("track_id,title,artist\nt1,,B\n", "row 1"),
    ],
)
def test_bad_catalog_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(content)
    with pytest.raises(ValidationError, match=message):
        read_catalog(path)


def test_unsupported_table_format(tmp_path: Path) -> None:
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(UnsupportedFormatError):
        read_catalog(path)


def test_spotify_export_matches_by_artist_and_title(tmp_path: Path) -> None:
    plays = [
        {
            "ts": "2026-03-01T20:00:00Z",
            "ms_played": 215000,
            "master_metadata_track_name": "One More Time - Remastered",
            "master_metadata_album_artist_name": "Daft Punk",
            "master_metadata_album_album_name": "Discovery",
            "spotify_track_uri": "spotify:track:0DiWol3AO6WpXZgp0goxAV",
            "skipped": False,
        },
        {
            "ts": "2026-03-01T20:04:00Z",
            "ms_played": 5000,
            "master_metadata_track_name": "Dont Know Why",
            "master_metadata_album_artist_name": "Norah Jones",
            "master_metadata_album_album_name": "Come Away",
            "spotify_track_uri": "spotify:track:x",
            "skipped": True,
        },
        {
            "ts": "2026-03-01T20:05:00Z",
            "ms_played": 200000,
            "master_metadata_track_name": "Unknown Song",
            "master_metadata_album_artist_name": "Nobody",
            "master_metadata_album_album_name": None,
            "spotify_track_uri": "spotify:track:y",
            "skipped": None,
        },
        {
            "ts": "2026-03-01T21:00:00Z",
            "ms_played": 900000,
            "master_metadata_track_name": None,
            "master_metadata_album_artist_name": None,
            "master_metadata_album_album_name": None,
            "spotify_track_uri": None,
            "episode_name": "A podcast",
        },
    ]
    path = tmp_path / "Streaming_History_Audio_2026.json"
    path.write_text(json.dumps(plays))
    result = match_listens(read_spotify_history(path, user_id="me"), CATALOG)
    assert result.events["track_id"].to_list() == ["t1", "t3"]
    assert result.events["reason"].to_list() == ["played", "skipped"]
    assert result.report.matched == 2 and result.report.unmatched == 2
    assert set(result.report.reasons) == {
        "no catalogue track with this id or a close artist + title",
        "not a music track (podcast, audiobook or no metadata)",
    }


def test_spotify_export_with_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text(
        json.dumps(
            [
                {
                    "ts": "2026-03-01T20:00:00Z",
                    "ms_played": -1,
                    "master_metadata_track_name": "x",
                    "master_metadata_album_artist_name": "y",
                }
            ]
        )
    )
    with pytest.raises(ValidationError, match=r"row 1.*ms_played"):
        read_spotify_history(path, user_id="me")
    path.write_text("{not json")
    with pytest.raises(ValidationError, match="not a Spotify"):
        read_spotify_history(path, user_id="me")


def test_listenbrainz_export(tmp_path: Path) -> None:
    lines = [
        {
            "listened_at": 1767225600,
            "user_name": "lb-user",
            "track_metadata": {
                "artist_name": "Daft Punk",
                "track_name": "Harder Better Faster Stronger",
                "release_name": "Discovery",
                "additional_info": {"recording_msid": "abc"},
            },
        },
        {
            "listened_at": 1767225900,
            "user_name": "lb-user",
            "track_metadata": {"artist_name": "Norah Jones", "track_name": "Don't Know Why"},
        },
    ]
    path = tmp_path / "listens.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    listens = read_listenbrainz(path)
    assert listens["user_id"].to_list() == ["lb-user", "lb-user"]
    assert listens["track_id"][0] == "lb:abc"
    result = match_listens(listens, CATALOG)
    assert result.events["track_id"].to_list() == ["t2", "t3"]
    path.write_text('{"listened_at": "soon", "track_metadata": {}}')
    with pytest.raises(ValidationError, match="listened_at"):
        read_listenbrainz(path)


def test_fuzzy_matching_needs_the_artist_too() -> None:
    other = validate_catalog(
        pl.DataFrame({"track_id": ["x"], "title": ["One More Time"], "artist": ["Britney Spears"]})
    )
    listens = pl.DataFrame(
        {"user_id": ["u"], "artist": ["Daft Punk"], "title": ["One More Time"], "skip_reason": [None]},
        schema_overrides={"skip_reason": pl.String},
    )
    assert match_listens(listens, other).report.unmatched == 1
    assert normalise("The Beatles") == "beatles"
    assert normalise("Song (feat. Someone) - 2011 Remaster") == "song"


def test_hetrec_counts_match_its_readme(hetrec_dir: Path) -> None:
    data = load_hetrec(hetrec_dir)
    assert (data.n_users, data.n_artists, data.n_relations, data.n_tag_assignments) == (
        1892,
        17632,
        92834,
        186479,
    )
    assert data.events.height == 92834
    assert data.catalog.filter(pl.col("title") == "Daft Punk")["tags"][0].len() > 0


@pytest.mark.parametrize(
    ("validate", "frame", "column"),
    [
        (
            validate_catalog,
            {"track_id": ["a", "b"], "title": ["x", "y"], "artist": ["q", "r"], "duration_s": [3.0, -1.0]},
            "duration_s",
        ),
        (
            validate_events,
            {"user_id": ["u", "u"], "track_id": ["a", "b"], "ms_played": [10, -5]},
            "ms_played",
        ),
    ],
)
def test_negative_durations_are_refused_with_row_and_column(validate, frame, column) -> None:
    with pytest.raises(ValidationError) as info:
        validate(pl.DataFrame(frame), file="in.csv")
    assert (info.value.row, info.value.column) == (2, column)
