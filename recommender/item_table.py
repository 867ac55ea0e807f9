"""The catalogue columns ranking needs at serving time, as arrays, and the constraint filter over them.

Constraints are strict (a track lacking the constrained value is left out). Tempo matches at half and
double time too (:data:`core.tempo_rules.TEMPO_MULTIPLIERS`), because a DJ can mix a 70 bpm track into a
140 bpm set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from core.tempo_rules import TEMPO_MULTIPLIERS
from recommender.features import ItemFeatures
from recommender.types import Constraints


@dataclass(frozen=True, kw_only=True)
class ItemTable:
    """Per-item metadata in item-index order; missing numbers are NaN, missing strings empty."""

    item_ids: np.ndarray
    titles: np.ndarray
    artists: np.ndarray
    bpm: np.ndarray
    camelot: np.ndarray
    energy: np.ndarray
    year: np.ndarray

    @classmethod
    def from_frame(cls, items: pl.DataFrame) -> ItemTable:
        def text(name: str, fallback: str | None = None) -> np.ndarray:
            if name in items.columns:
                col = items.get_column(name).cast(pl.Utf8)
                if fallback is not None:
                    col = col.fill_null(items.get_column(fallback).cast(pl.Utf8))
                return np.asarray(col.fill_null("").to_list(), dtype=str)
            if fallback is not None:
                return text(fallback)
            return np.full(items.height, "", dtype=str)

        def number(name: str) -> np.ndarray:
            if name not in items.columns:
                return np.full(items.height, np.nan)
            values: np.ndarray = items.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()
            return values.astype(np.float64)

        return cls(
            item_ids=text("track_id"),
            titles=text("title", fallback="track_id"),
            artists=text("artist"),
            bpm=number("bpm"),
            camelot=np.char.upper(text("camelot")),
            energy=number("energy"),
            year=number("year"),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"items.{k}": v for k, v in self.__dict__.items()}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ItemTable:
        return cls(**{k: arrays[f"items.{k}"] for k in cls.__dataclass_fields__})

    def artist_codes(self) -> np.ndarray:
        """Integer artist code per item (case-insensitive; items without an artist get their own code)."""
        names = np.char.lower(self.artists.astype(str))
        names = np.where(names == "", np.char.add("\0", self.item_ids.astype(str)), names)
        return np.unique(names, return_inverse=True)[1].astype(np.int64)

    def label(self, item: int) -> str:
        """How an explanation names a track: "Title by Artist", or the title alone when they coincide."""
        title, artist = str(self.titles[item]), str(self.artists[item])
        return title if not artist or artist == title else f"{title} by {artist}"


def _in_range(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    lo, hi = bounds
    with np.errstate(invalid="ignore"):
        return (values >= lo) & (values <= hi)


def constraint_mask(table: ItemTable, features: ItemFeatures, constraints: Constraints | None) -> np.ndarray:
    """Boolean (n_items,): True where a track satisfies every constraint."""
    n = len(table.item_ids)
    allowed = np.ones(n, dtype=bool)
    if constraints is None:
        return allowed
    c = constraints
    if c.tempo_range is not None:
        in_time = [_in_range(table.bpm * m, c.tempo_range) for m in TEMPO_MULTIPLIERS]
        allowed &= np.logical_or.reduce(in_time)
    if c.camelot is not None:
        allowed &= np.isin(table.camelot, [k.upper() for k in c.camelot])
    if c.energy_range is not None:
        allowed &= _in_range(table.energy, c.energy_range)
    if c.year_range is not None:
        allowed &= _in_range(table.year, c.year_range)
    if c.artists is not None:
        allowed &= np.isin(np.char.lower(table.artists), [a.lower() for a in c.artists])
    if c.tags is not None:
        vocab = {t: i for i, t in enumerate(features.tag_vocab)}
        cols = [vocab[t.lower()] for t in c.tags if t.lower() in vocab]
        has = np.zeros(n, dtype=bool)
        if cols:
            has = features.tags[:, cols].getnnz(axis=1) > 0
        allowed &= has
    if c.exclude:
        allowed &= ~np.isin(table.item_ids, list(c.exclude))
    return allowed
