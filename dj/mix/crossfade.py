"""Blending two aligned tracks: an EQ crossfade with a bass swap, or a plain equal-power crossfade.

Two basslines at once make mud, so the EQ blend keeps A's lows until a downbeat in the middle of the
overlap and then swaps them for B's within one beat, while mids and highs cross over the whole overlap.
The band split is zero-phase (forward-backward Butterworth, low = filtered, high = input - low), so the
two bands add back to the input exactly and the swap does not smear the beats we just aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

BASS_CUTOFF_HZ = 180.0


@dataclass(frozen=True, kw_only=True)
class BlendGains:
    """Per-sample gains over the overlap for each track's low and high band."""

    out_low: np.ndarray
    out_high: np.ndarray
    in_low: np.ndarray
    in_high: np.ndarray


def split_bands(
    y: np.ndarray, *, sr: int, cutoff_hz: float = BASS_CUTOFF_HZ
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of ``y`` (channels, n); ``low + high == y``."""
    if y.shape[-1] < 64:
        return y.copy(), np.zeros_like(y)
    sos = butter(2, cutoff_hz, btype="lowpass", fs=sr, output="sos")
    low = sosfiltfilt(sos, y, axis=-1).astype(np.float32)
    return low, (y - low).astype(np.float32)


def eq_blend_gains(*, n: int, sr: int, swap_s: float, swap_len_s: float) -> BlendGains:
    """Highs/mids: equal-power over the whole overlap; lows: A's until ``swap_s``, then B's within
    ``swap_len_s`` (one beat)."""
    x = np.linspace(0.0, 1.0, n, dtype=np.float32)
    t = np.arange(n, dtype=np.float32) / sr
    swap = np.clip((t - swap_s) / max(swap_len_s, 1.0 / sr), 0.0, 1.0).astype(np.float32)
    return BlendGains(
        out_low=1.0 - swap, out_high=np.cos(0.5 * np.pi * x), in_low=swap, in_high=np.sin(0.5 * np.pi * x)
    )


def fade_out_gain(n: int) -> np.ndarray:
    """The equal-power fade-out curve over ``n`` samples, 1 to 0: a crossfade's outgoing side, and the
    last track's fade at the end of a set (quiet only in its last bars, as a DJ pulls a fader)."""
    out: np.ndarray = np.cos(0.5 * np.pi * np.linspace(0.0, 1.0, n, dtype=np.float32))
    return out


def crossfade_gains(*, n: int) -> BlendGains:
    """Equal-power fade for tracks that are not beat-matched (their sum is uncorrelated)."""
    out = fade_out_gain(n)
    inn = np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, n, dtype=np.float32))
    return BlendGains(out_low=out, out_high=out, in_low=inn, in_high=inn)


def apply_gains(y: np.ndarray, *, sr: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``y`` with per-sample gains on its low and high bands (one split when the gains differ)."""
    out: np.ndarray
    if np.array_equal(low, high):
        out = y * low
    else:
        lo, hi = split_bands(y, sr=sr)
        out = lo * low + hi * high
    return out
