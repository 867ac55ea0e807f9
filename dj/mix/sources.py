"""Decoded source tracks, kept in memory for the length of a render.

Planning a hand-over needs each track's onsets and rendering needs its samples; decoding an Opus file
twice costs more than the rest of its render, so both read the one decode kept here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from dj.audio import decode_audio


@lru_cache(maxsize=48)
def load_source(path: str, sr: int) -> np.ndarray:
    """(2, n) float32 stereo at ``sr`` (mono files are doubled); read-only, shared between callers."""
    y = np.atleast_2d(decode_audio(path, sr=sr, mono=False))
    if y.shape[0] == 1:
        y = np.repeat(y, 2, axis=0)
    y = np.ascontiguousarray(y[:2], dtype=np.float32)
    y.flags.writeable = False
    return y
