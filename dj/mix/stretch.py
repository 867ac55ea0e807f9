"""Time-stretching with Rubber Band (through pedalboard): warp an incoming track's head onto a beat grid.

Only the head of a track is stretched (the overlap and the ramp back to its own tempo), never the whole
track: Rubber Band's high-quality mode runs at roughly 10-20x real time here, so stretching whole tracks
would eat the render budget. The speed is piecewise constant between beat knots, so every beat of B
lands on its partner beat of A, not only the first one.
"""

from __future__ import annotations

import numpy as np
import pedalboard

from dj.mix.timeline import HeadWarp

PREROLL_S = 0.25  # stretched then dropped: the stretcher needs context before the first kept sample
JOIN_S = 0.01  # crossfade between the stretched head and the untouched rest


def _speed_per_sample(head: HeadWarp, *, t0: float, n: int, sr: int) -> np.ndarray:
    t = t0 + np.arange(n) / sr
    speeds = np.diff(head.src_knots) / np.diff(head.out_knots)
    idx = np.clip(np.searchsorted(head.src_knots, t, side="right") - 1, 0, len(speeds) - 1)
    return speeds[idx].astype(np.float64)


def render_head(y: np.ndarray, *, sr: int, head: HeadWarp, high_quality: bool = True) -> np.ndarray:
    """Stretch ``y`` (channels, n; the whole source track) from the head's first knot to its last.

    Returns (channels, m) audio whose sample 0 is the first knot and whose length is the head's output
    length to the sample, ready to be followed by the source from ``head.src_end_s`` on.
    """
    # Before the track's first sample (a cue right at its start) the head is silence.
    start_src = head.src_knots[0] - PREROLL_S
    i0, i1 = round(start_src * sr), round(head.src_end_s * sr)
    pad = max(0, -i0)
    segment = np.ascontiguousarray(np.pad(y[:, max(0, i0) : i1], ((0, 0), (pad, 0))), dtype=np.float32)
    speed = _speed_per_sample(head, t0=i0 / sr, n=segment.shape[1], sr=sr)
    out_len = round(head.out_end_s * sr)
    # Where each source sample lands in the stretched output: the running sum of 1/speed.
    landing = np.concatenate([[0.0], np.cumsum(1.0 / speed)])
    first = round(landing[round(head.src_knots[0] * sr) - i0])
    if np.allclose(speed, 1.0, atol=1e-3):
        stretched = segment
    else:
        stretched = pedalboard.time_stretch(segment, sr, stretch_factor=speed, high_quality=high_quality)
    out = stretched[:, first : first + out_len]
    if out.shape[1] < out_len:
        out = np.pad(out, ((0, 0), (0, out_len - out.shape[1])))
    return out


def join_head(head_audio: np.ndarray, rest: np.ndarray, *, sr: int, lead_in: np.ndarray) -> np.ndarray:
    """Head then rest, with a short crossfade from the head's end into ``lead_in`` (the source just before
    ``rest``), so the switch from stretched to untouched audio does not click."""
    n = min(int(JOIN_S * sr), head_audio.shape[1], lead_in.shape[1])
    if n == 0:
        return np.concatenate([head_audio, rest], axis=1)
    fade = np.linspace(0.0, 1.0, n, dtype=np.float32)
    mixed = head_audio.copy()
    mixed[:, -n:] = head_audio[:, -n:] * (1 - fade) + lead_in[:, -n:] * fade
    return np.concatenate([mixed, rest], axis=1)
