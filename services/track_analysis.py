"""The catalogue joined with audio analysis: what the recommender's audio side and the DJ both read.

Tracks with an audio file are analysed once (cached by content hash under the data directory); the
recommender gets their ``bpm``, ``camelot``, ``energy`` and ``embedding`` columns, so tempo/key/energy
constraints and audio cold start work. Metadata-only tracks keep nulls there.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from dj.analysis import ProgressCallback, TrackAnalysis, analyze_many
from services.data.catalog import load_catalog
from services.settings import Settings

ANALYSIS_COLUMNS: dict[str, pl.DataType] = {
    "bpm": pl.Float64(),
    "camelot": pl.String(),
    "energy": pl.Float64(),
    "embedding": pl.List(pl.Float32()),
}


def analyse_catalog(
    settings: Settings, catalog: pl.DataFrame, *, on_progress: ProgressCallback | None = None
) -> dict[str, TrackAnalysis]:
    """Analysis of every catalogue row with an audio path, by track id (cached, two workers);
    ``on_progress(done, total, path)`` after each file."""
    with_audio = catalog.filter(pl.col("path").is_not_null())
    ids, paths = with_audio["track_id"].to_list(), with_audio["path"].to_list()
    results = analyze_many(paths, cache_dir=settings.cache_dir / "analysis", on_progress=on_progress)
    return dict(zip(ids, results, strict=True))


def with_analysis_columns(catalog: pl.DataFrame, analyses: Mapping[str, TrackAnalysis]) -> pl.DataFrame:
    """The catalogue with the analysis columns the recommender's content models and constraints use."""
    extra = pl.DataFrame(
        [
            {
                "track_id": t,
                "bpm": a.bpm,
                "camelot": a.camelot,
                "energy": a.energy,
                "embedding": a.embedding.tolist(),
            }
            for t, a in analyses.items()
        ],
        schema={"track_id": pl.String(), **ANALYSIS_COLUMNS},
    )
    return catalog.drop([c for c in ANALYSIS_COLUMNS if c in catalog.columns]).join(
        extra, on="track_id", how="left"
    )


def training_items(settings: Settings, *, on_progress: ProgressCallback | None = None) -> pl.DataFrame:
    """The persisted catalogue with analysis columns for its tracks that have audio."""
    catalog = load_catalog(settings.catalog_path)
    return with_analysis_columns(catalog, analyse_catalog(settings, catalog, on_progress=on_progress))
