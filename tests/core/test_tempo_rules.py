"""The recommender's tempo filter and the planner's tempo match allow the same tempo relations."""

from __future__ import annotations

import polars as pl
import pytest

from core.tempo_rules import TEMPO_MULTIPLIERS
from dj.planning.tempo_match import match_tempo
from recommender.features import build_item_features
from recommender.item_table import ItemTable, constraint_mask
from recommender.types import Constraints


def _passes_filter(bpm: float, tempo_range: tuple[float, float]) -> bool:
    items = pl.DataFrame({"track_id": ["t"], "bpm": [bpm]})
    mask = constraint_mask(
        ItemTable.from_frame(items), build_item_features(items), Constraints(tempo_range=tempo_range)
    )
    return bool(mask[0])


@pytest.mark.parametrize("multiplier", TEMPO_MULTIPLIERS)
@pytest.mark.parametrize("bpm", [70.0, 96.0, 128.0, 174.0])
def test_every_relation_the_filter_allows_the_planner_matches(bpm: float, multiplier: float) -> None:
    set_tempo = bpm * multiplier
    assert _passes_filter(bpm, (set_tempo - 0.5, set_tempo + 0.5))
    match = match_tempo(bpm_a=set_tempo, bpm_b=bpm)
    assert match.multiplier == multiplier and match.stretch == pytest.approx(0.0)


@pytest.mark.parametrize("factor", [1.5, 3.0, 4.0, 0.25])
def test_other_relations_are_neither_filtered_in_nor_matched(factor: float) -> None:
    bpm, set_tempo = 90.0, 90.0 * factor
    assert not _passes_filter(bpm, (set_tempo - 0.5, set_tempo + 0.5))
    assert match_tempo(bpm_a=set_tempo, bpm_b=bpm).stretch > 0.12
