"""The embedded demo catalogue (28 bundled tracks) and a seeded generator of synthetic demo listeners.

The music comes from the MIT-licensed ``immich-memories-music`` package: 28 Ogg Opus tracks of about
30 s, generated with ACE-Step and grouped by mood folder, with ``acoustic``/``electronic`` in each file
name. We show them for what they are: no invented artists or titles. The listeners are made up by a
seeded generator, and everything that shows them says they are synthetic.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import polars as pl

from core.moods import MOODS, mood_of
from services.data.schema import validate_catalog, validate_events

DEMO_ARTIST = "immich-memories-music (AI-generated)"
DEMO_SOURCE = "immich-memories-music"
STYLES = ("acoustic", "electronic")

_NAME = re.compile(r"^(?P<mood>[a-z]+)_(?P<style>acoustic|electronic)_(?P<variant>s?\d+)$")


def demo_tracks_dir() -> Path:
    """Folder of the bundled demo tracks (one sub-folder per mood)."""
    import immich_memories_music

    return Path(immich_memories_music.tracks_dir())


def _display_title(mood: str, style: str, variant: str) -> str:
    """``calm``, ``acoustic``, ``s411`` -> ``Calm, acoustic (seed 411)``; ``1`` -> ``Calm, acoustic #1``."""
    suffix = f"(seed {variant[1:]})" if variant.startswith("s") else f"#{variant}"
    return f"{mood.capitalize()}, {style} {suffix}"


def demo_catalog(tracks_dir: Path | None = None) -> pl.DataFrame:
    """The demo catalogue: one row per bundled track, tags = [mood, style, "ai-generated"]."""
    import soundfile as sf

    root = tracks_dir or demo_tracks_dir()
    rows = []
    for path in sorted(root.glob("*/*.opus")):
        match = _NAME.match(path.stem)
        if match is None:
            continue
        mood, style, variant = match["mood"], match["style"], match["variant"]
        if mood not in MOODS:
            raise ValueError(f"demo track {path.name}: {mood!r} is not a mood in core.moods")
        rows.append(
            {
                "track_id": f"demo:{path.parent.name}/{path.stem}",
                "title": _display_title(mood, style, variant),
                "artist": DEMO_ARTIST,
                "album": f"{mood.capitalize()} ({style})",
                "duration_s": float(sf.info(str(path)).duration),
                "tags": [mood, style, "ai-generated"],
                "year": None,
                "path": str(path),
                "source": DEMO_SOURCE,
                "synthetic": False,
            }
        )
    return validate_catalog(pl.DataFrame(rows), file=root, source=DEMO_SOURCE)


def demo_events(
    *,
    catalog: pl.DataFrame | None = None,
    n_users: int = 50,
    seed: int = 7,
    days: int = 60,
    mean_plays: int = 40,
    start: datetime = datetime(2026, 9, 1, tzinfo=timezone.utc),
) -> pl.DataFrame:
    """Synthetic listening histories whose choices follow a mood/style taste per listener.

    Each listener loves one or two moods and leans to one style; plays are drawn in proportion to that
    affinity, low-affinity tracks are often skipped, and the best-loved are sometimes liked. Same seed,
    same histories. User ids are ``demo-user-NN``; every surface that shows them says they are synthetic.
    """
    catalog = demo_catalog() if catalog is None else catalog
    rng = np.random.default_rng(seed)
    track_ids = catalog["track_id"].to_list()
    durations = catalog["duration_s"].fill_null(30.0).to_numpy()
    moods = [mood_of(tags) for tags in catalog["tags"].to_list()]
    styles = [next(t for t in tags if t in STYLES) for tags in catalog["tags"].to_list()]
    # The moods a listener can love are the catalogue's own (the bundled folders: calm, energetic, happy,
    # nostalgic, tender), in a fixed order so the same seed draws the same listeners.
    catalog_moods = sorted({m for m in moods if m is not None})
    rows: list[dict[str, object]] = []
    for u in range(n_users):
        loved = set(rng.choice(catalog_moods, size=int(rng.integers(1, 3)), replace=False))
        style_lean = rng.choice(STYLES)
        affinity = np.array(
            [
                (3.0 if mood in loved else 0.3) * (1.6 if style == style_lean else 1.0)
                for mood, style in zip(moods, styles, strict=True)
            ]
        )
        p = affinity / affinity.sum()
        n_events = max(5, int(rng.poisson(mean_plays)))
        picks = rng.choice(len(track_ids), size=n_events, p=p)
        offsets = np.sort(rng.uniform(0, days * 86400, size=n_events))
        for idx, offset in zip(picks, offsets, strict=True):
            like_prob = affinity[idx] / affinity.max()
            if rng.random() > like_prob * 0.9 + 0.1:
                reason, fraction = "skipped", rng.uniform(0.05, 0.3)
            elif like_prob > 0.9 and rng.random() < 0.15:
                reason, fraction = "liked", 1.0
            else:
                reason, fraction = "played", rng.uniform(0.8, 1.0)
            rows.append(
                {
                    "user_id": f"demo-user-{u + 1:02d}",
                    "track_id": track_ids[idx],
                    "ts": start + timedelta(seconds=float(offset)),
                    "ms_played": int(durations[idx] * 1000 * fraction),
                    "reason": reason,
                    "plays": 1,
                }
            )
    return validate_events(pl.DataFrame(rows))


def is_synthetic_user(user_id: str) -> bool:
    """Demo listeners are generated, never real people."""
    return user_id.startswith("demo-user-")
