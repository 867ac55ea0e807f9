"""Ducking: the music dips while the host speaks, with a smooth attack and release.

Simply adding the voice on top makes it fight the music; radio hosts pull the music down by about 9 dB
under speech and bring it back after. The gain is built in decibels (linear ramps in dB sound even) and
evaluated for any span of the mix, so a streamed mix ducks exactly like a rendered one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DUCK_DB = -9.0
ATTACK_S = 0.15
RELEASE_S = 0.5


def duck_gain(
    *,
    start: int,
    n: int,
    sr: int,
    spans: Sequence[tuple[float, float]],
    depth_db: float = DUCK_DB,
    attack_s: float = ATTACK_S,
    release_s: float = RELEASE_S,
) -> np.ndarray:
    """Linear music gain for mix samples ``start``..``start+n`` given voice ``spans`` in mix seconds.

    The dip is fully down from each span's start to its end, reached over ``attack_s`` before the start
    and released over ``release_s`` after the end.
    """
    t = (start + np.arange(n)) / sr
    depth = np.zeros(n)
    for s, e in spans:
        if e + release_s < t[0] if n else True:
            continue
        if s - attack_s > t[-1]:
            continue
        rise = np.clip((t - (s - attack_s)) / attack_s, 0.0, 1.0)
        fall = np.clip(1.0 - (t - e) / release_s, 0.0, 1.0)
        depth = np.maximum(depth, np.minimum(rise, fall))
    return (10 ** (depth * depth_db / 20.0)).astype(np.float32)
