"""Loader for the HetRec 2011 Last.fm 2k data set (artists as items, play counts as events, tags).

The data's licence allows non-commercial use only, so the project never ships it: point the loader at
the unpacked folder of ``hetrec2011-lastfm-2k.zip`` (published by GroupLens, "HetRec 2011" data sets).
Files are tab separated with CRLF line ends; ``tags.dat`` is ISO-8859-1, the rest UTF-8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from services.data.errors import NotFoundError, ValidationError
from services.data.schema import validate_catalog, validate_events

SOURCE = "hetrec2011-lastfm-2k"
TAGS_PER_ARTIST = 10
_FILES = ("artists.dat", "user_artists.dat", "tags.dat", "user_taggedartists.dat", "user_friends.dat")


@dataclass(frozen=True, kw_only=True)
class HetrecData:
    """The data set in the project's schemas, plus the raw counts its readme states."""

    catalog: pl.DataFrame
    events: pl.DataFrame
    tag_assignments: pl.DataFrame
    user_friends: pl.DataFrame
    n_users: int
    n_artists: int
    n_relations: int
    n_tag_assignments: int


def track_id(artist_id: int | str) -> str:
    return f"lastfm:artist:{artist_id}"


def user_id(user: int | str) -> str:
    return f"lastfm:{user}"


def _read(
    path: Path, schema: Mapping[str, pl.DataType | type[pl.DataType]], encoding: str = "utf8"
) -> pl.DataFrame:
    if encoding == "utf8":
        source: Path | bytes = path
    else:
        source = path.read_bytes().decode(encoding).encode("utf8")
    try:
        df = pl.read_csv(
            source,
            separator="\t",
            has_header=True,
            quote_char=None,
            schema_overrides=schema,
            eol_char="\n",
        )
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, OSError) as exc:
        raise ValidationError(f"cannot parse as tab-separated data: {exc}", file=path) from exc
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {', '.join(missing)}", file=path)
    # CRLF: the last column may carry a trailing carriage return.
    last = df.columns[-1]
    if df.schema[last] == pl.String:
        df = df.with_columns(pl.col(last).str.strip_chars_end("\r"))
    return df


def load_hetrec(path: str | Path) -> HetrecData:
    """Read the folder into the catalogue and event schemas; artists become tracks, weights become plays."""
    root = Path(path)
    missing = [name for name in _FILES if not (root / name).is_file()]
    if missing:
        raise NotFoundError(
            f"{root} is not a hetrec2011-lastfm-2k folder: missing {', '.join(missing)} "
            "(download hetrec2011-lastfm-2k.zip from GroupLens and unpack it)"
        )
    artists = _read(root / "artists.dat", {"id": pl.Int64, "name": pl.String, "url": pl.String})
    plays = _read(root / "user_artists.dat", {"userID": pl.Int64, "artistID": pl.Int64, "weight": pl.Int64})
    tags = _read(root / "tags.dat", {"tagID": pl.Int64, "tagValue": pl.String}, encoding="latin-1")
    tagged = _read(
        root / "user_taggedartists.dat",
        {
            "userID": pl.Int64,
            "artistID": pl.Int64,
            "tagID": pl.Int64,
            "day": pl.Int64,
            "month": pl.Int64,
            "year": pl.Int64,
        },
    )
    friends = _read(root / "user_friends.dat", {"userID": pl.Int64, "friendID": pl.Int64})

    top_tags = (
        tagged.join(tags, on="tagID", how="inner")
        .group_by("artistID", "tagValue")
        .len()
        .sort(["artistID", "len", "tagValue"], descending=[False, True, False])
        .group_by("artistID", maintain_order=True)
        .head(TAGS_PER_ARTIST)
        .group_by("artistID", maintain_order=True)
        .agg(pl.col("tagValue").alias("tags"))
    )
    catalog = artists.join(top_tags, left_on="id", right_on="artistID", how="left").select(
        pl.col("id").map_elements(track_id, return_dtype=pl.String).alias("track_id"),
        pl.col("name").alias("title"),
        pl.col("name").alias("artist"),
        pl.col("tags").fill_null([]),
    )
    events = plays.select(
        pl.col("userID").map_elements(user_id, return_dtype=pl.String).alias("user_id"),
        pl.col("artistID").map_elements(track_id, return_dtype=pl.String).alias("track_id"),
        pl.col("weight").alias("plays"),
    )
    return HetrecData(
        catalog=validate_catalog(catalog, file=root / "artists.dat", source=SOURCE),
        events=validate_events(events, file=root / "user_artists.dat"),
        tag_assignments=tagged.join(tags, on="tagID", how="left"),
        user_friends=friends,
        n_users=plays["userID"].n_unique(),
        n_artists=artists.height,
        n_relations=plays.height,
        n_tag_assignments=tagged.height,
    )


def friend_features(friends: pl.DataFrame) -> pl.DataFrame:
    """``user_friends`` as the recommender's user table: ``user_id`` and ``friend:<user_id>`` features."""
    return (
        friends.select(
            pl.col("userID").map_elements(user_id, return_dtype=pl.String).alias("user_id"),
            ("friend:" + pl.col("friendID").map_elements(user_id, return_dtype=pl.String)).alias("feature"),
        )
        .group_by("user_id", maintain_order=True)
        .agg(pl.col("feature").alias("features"))
    )
