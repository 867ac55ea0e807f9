"""Index events and the catalogue into one item order and one user order (the id maps of a bundle)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from recommender.features import ItemFeatures, build_item_features
from recommender.interactions import UserRows, aggregate_events, build_rows, index_frame
from recommender.user_features import UserFeatures, build_user_features


@dataclass(frozen=True, kw_only=True)
class Dataset:
    """``items`` is the catalogue in item-index order (tracks known only from events get a bare row);
    ``user_features`` rows follow ``user_ids`` (no columns when no user table was given)."""

    user_ids: list[str]
    item_ids: list[str]
    rows: UserRows
    items: pl.DataFrame
    features: ItemFeatures
    user_features: UserFeatures


def align_items(events: pl.DataFrame, items: pl.DataFrame | None) -> pl.DataFrame:
    """The catalogue (first occurrence of each track_id) followed by event tracks missing from it."""
    known = (
        items.unique("track_id", keep="first", maintain_order=True)
        if items is not None and items.height
        else pl.DataFrame({"track_id": []}, schema={"track_id": pl.Utf8})
    )
    extra = (
        events.select(pl.col("track_id").cast(pl.Utf8))
        .unique(maintain_order=True)
        .join(known.select("track_id"), on="track_id", how="anti")
    )
    return pl.concat([known, extra], how="diagonal_relaxed")


def build_dataset(
    events: pl.DataFrame, items: pl.DataFrame | None = None, users: pl.DataFrame | None = None
) -> Dataset:
    aggregated = aggregate_events(events)
    catalog = align_items(aggregated, items)
    item_ids = catalog.get_column("track_id").to_list()
    user_ids = aggregated.get_column("user_id").unique(maintain_order=True).to_list()
    rows = build_rows(
        aggregated,
        users=index_frame(user_ids, "user_id", "row"),
        items=index_frame(item_ids, "track_id", "col"),
    )
    return Dataset(
        user_ids=user_ids,
        item_ids=item_ids,
        rows=rows,
        items=catalog,
        features=build_item_features(catalog),
        user_features=build_user_features(users, user_ids),
    )
