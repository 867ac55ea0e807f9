"""A small known-answer world: two taste clusters that never mix.

Items 0-11 are "rock" (artists r0..r5, two tracks each), items 12-23 "jazz" (artists j0..j5). Users
u00-u19 play only rock, u20-u39 only jazz, each 6 of their cluster's 12 tracks (seeded). Any sensible
model must rank the unplayed tracks of a user's own cluster above the other cluster's. Tracks also carry
bpm/camelot/energy/year and an audio embedding pointing at their cluster, so constraints, "sounds like"
and cold start have known answers too.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

N_PER_CLUSTER = 12
N_USERS_PER_CLUSTER = 20


def item_id(i: int) -> str:
    return f"t{i:02d}"


def _cluster_of(track: str) -> str:
    return "rock" if int(track[1:]) < N_PER_CLUSTER else "jazz"


@pytest.fixture(scope="session")
def cluster_of():
    """Which cluster a track id belongs to ("rock" or "jazz"); the known answer of most tests."""
    return _cluster_of


@pytest.fixture(scope="session")
def catalog() -> pl.DataFrame:
    rows = []
    rng = np.random.default_rng(3)
    for i in range(2 * N_PER_CLUSTER):
        rock = i < N_PER_CLUSTER
        direction = np.array([1.0, 0.0, 0.0, 0.0] if rock else [0.0, 1.0, 0.0, 0.0])
        rows.append(
            {
                "track_id": item_id(i),
                "title": f"Song {i}",
                "artist": f"{'r' if rock else 'j'}{(i % N_PER_CLUSTER) // 2}",
                "tags": ["rock", "guitar"] if rock else ["jazz", "sax"],
                "bpm": 128.0 if rock else 90.0 + i,
                "camelot": "8A" if i % 2 == 0 else "9B",
                "energy": 0.8 if rock else 0.3,
                "year": 1990 + i,
                "embedding": (direction + 0.05 * rng.standard_normal(4)).astype(np.float32).tolist(),
            }
        )
    return pl.DataFrame(rows)


@pytest.fixture(scope="session")
def events() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for u in range(2 * N_USERS_PER_CLUSTER):
        base = 0 if u < N_USERS_PER_CLUSTER else N_PER_CLUSTER
        for i in rng.choice(N_PER_CLUSTER, size=6, replace=False):
            rows.append(
                {
                    "user_id": f"u{u:02d}",
                    "track_id": item_id(base + int(i)),
                    "plays": int(rng.integers(1, 30)),
                }
            )
    return pl.DataFrame(rows)


@pytest.fixture(scope="session")
def matrix(events, catalog):
    from recommender.dataset import build_dataset

    data = build_dataset(events, catalog)
    return data
