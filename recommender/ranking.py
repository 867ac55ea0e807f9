"""Turning a score vector into a ranked list under a per-artist cap."""

from __future__ import annotations

import numpy as np


def pick_with_artist_cap(
    scores: np.ndarray, artist_codes: np.ndarray, *, n: int, cap: int | None
) -> list[int]:
    """The ``n`` best finite-scored items, best first, with at most ``cap`` per artist (None: no cap).

    Sorts only a window of the best candidates, widening it when the cap rejects too many.
    """
    finite = np.flatnonzero(np.isfinite(scores))
    window = n if cap is None else 4 * n
    while True:
        k = min(window, len(finite))
        if k == 0:
            return []
        top = finite[np.argpartition(-scores[finite], k - 1)[:k]]
        top = top[np.argsort(-scores[top], kind="stable")]
        if cap is None:
            return [int(i) for i in top[:n]]
        counts: dict[int, int] = {}
        picked: list[int] = []
        for item in top.tolist():
            artist = int(artist_codes[item])
            if counts.get(artist, 0) < cap:
                counts[artist] = counts.get(artist, 0) + 1
                picked.append(item)
                if len(picked) == n:
                    return picked
        if k == len(finite):
            return picked
        window *= 4
