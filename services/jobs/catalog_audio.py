"""The queued job behind the API's catalogue sync: analyse the new audio, then retrain.

Why a job: analysing a track takes seconds of CPU and training more, far too long for a request. The
sync route answers at once with the job's id; the worker decodes and analyses the new files into the
analysis cache (so a DJ session planning with them later finds them there) and trains a new bundle on
the catalogue as it is now, which the API's recommendation service loads by itself when the bundle's
manifest changes: new tracks reach recommendations and sessions without a restart.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from services.data.catalog import load_catalog
from services.recommending import bundle_id, train
from services.settings import Settings
from services.store import Store
from services.track_analysis import analyse_catalog

KIND = "catalog_audio"


def analyse_and_retrain(
    settings: Settings,
    store: Store,
    track_ids: list[str],
    *,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, object]:
    """Analyse ``track_ids`` that are still in the catalogue with audio, then retrain the bundle."""
    catalog = load_catalog(settings.catalog_path)
    wanted = catalog.filter(pl.col("track_id").is_in(pl.Series(track_ids, dtype=pl.String).implode()))

    def progress(done: int, total: int, _path: str) -> None:
        if on_progress:
            on_progress(0.8 * done / max(1, total))

    analysed = analyse_catalog(settings, wanted, on_progress=progress)
    model = train(settings, store)
    return {"analysed": sorted(analysed), "bundle": bundle_id(model), "tracks": len(model.item_ids)}
