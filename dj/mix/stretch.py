"""Time-stretching: warp an incoming track's head onto a beat grid, with Signalsmith Stretch by default.

The default engine is Signalsmith Stretch through ``python-stretch`` (MIT): in benchmarks/stretch.py it
runs several times faster than Rubber Band and keeps onsets at least as close to where they belong.
Rubber Band (through ``pedalboard``, both GPL-3.0) stays available as the optional extra
``selecta[rubberband]`` for those who accept its license; ``high_quality=True`` selects its finer R3
engine, and without the extra that choice fails with the install line instead of falling back silently.

Only the head of a track is stretched (the overlap and the ramp back to its own tempo), never the whole
track, so stretching costs little of the render budget. The speed is piecewise constant between beat
knots, so every beat of B lands on its partner beat of A, not only the first one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from dj.errors import DJError
from dj.mix.timeline import HeadWarp

PREROLL_S = 0.25  # stretched then dropped: the stretcher needs context before the first kept sample
JOIN_S = 0.01  # crossfade between the stretched head and the untouched rest
CONTEXT_S = 0.25  # audio either side of a constant-speed run that Signalsmith sees but we do not keep
SEAM_S = 0.005  # crossfade between two constant-speed runs (both time-aligned, so a short one is clean)

Stretcher = Callable[[np.ndarray, int, np.ndarray], np.ndarray]
"""``(audio (channels, n) float32, sr, speed per input sample) -> stretched audio (channels, m)``."""


class StretchEngineUnavailableError(DJError):
    """The requested time-stretcher's optional package is not installed."""

    code = "stretch_engine_unavailable"
    status = 503


def _runs(speed: np.ndarray) -> list[tuple[int, int, float]]:
    """(start, end, speed) of each stretch of equal speed."""
    cuts = np.flatnonzero(np.diff(speed) != 0) + 1
    bounds = [0, *cuts.tolist(), len(speed)]
    return [(a, b, float(speed[a])) for a, b in itertools.pairwise(bounds)]


def signalsmith_stretch(y: np.ndarray, sr: int, speed: np.ndarray) -> np.ndarray:
    """Signalsmith Stretch, one call per constant-speed run (its Python binding takes one speed per call).

    Each run is stretched with ``CONTEXT_S`` of audio either side, and its output is cut where its source
    samples land on the whole head's output clock (the running sum of 1/speed), so consecutive runs line
    up to the sample and join with a ``SEAM_S`` crossfade.
    """
    import python_stretch as ps

    channels, n = y.shape
    landing = np.concatenate([[0.0], np.cumsum(1.0 / speed)])
    total = round(landing[-1])
    out = np.zeros((channels, total), dtype=np.float32)
    weight = np.zeros(total, dtype=np.float32)
    ctx, seam = round(CONTEXT_S * sr), round(SEAM_S * sr)
    for a, b, s in _runs(speed):
        a0, b0 = max(0, a - ctx), min(n, b + ctx)
        stretcher = ps.Signalsmith.Stretch(0)  # seeded: the same input stretches to the same output
        stretcher.preset(channels, sr)
        stretcher.timeFactor = s
        # The binding accepts only C-contiguous, writeable float32 (decoded sources may be read-only views).
        chunk = np.require(y[:, a0:b0], dtype=np.float32, requirements=["C", "W"])
        part = np.asarray(stretcher.process(chunk), dtype=np.float32)
        # Output sample k of this call is source sample a0 + k * s, which lands (at this run's speed) on
        # the head's output clock at landing[a] + k - (a - a0) / s.
        shift = round(landing[a] - (a - a0) / s)
        lo, hi = max(0, round(landing[a]) - seam), min(total, round(landing[b]) + seam)
        k0, k1 = lo - shift, min(hi - shift, part.shape[1])
        if k1 <= k0:
            continue
        ramp = np.ones(k1 - k0, dtype=np.float32)
        edge = min(2 * seam, k1 - k0)
        if a > 0:
            ramp[:edge] = np.linspace(0.0, 1.0, edge, dtype=np.float32)
        if b < n:
            ramp[-edge:] = np.minimum(ramp[-edge:], np.linspace(1.0, 0.0, edge, dtype=np.float32))
        out[:, lo : lo + k1 - k0] += part[:, k0:k1] * ramp
        weight[lo : lo + k1 - k0] += ramp
    return out / np.maximum(weight, 1e-6)


def _rubberband(high_quality: bool) -> Stretcher:
    try:
        import pedalboard
    except ImportError as exc:
        raise StretchEngineUnavailableError(
            "Rubber Band (--hq-stretch) needs the optional extra, which is GPL-3.0: "
            "pip install 'selecta[rubberband]'"
        ) from exc

    def stretch(y: np.ndarray, sr: int, speed: np.ndarray) -> np.ndarray:
        return np.asarray(
            pedalboard.time_stretch(y, sr, stretch_factor=speed, high_quality=high_quality), dtype=np.float32
        )

    return stretch


def stretch_engine(*, high_quality: bool) -> Stretcher:
    """Signalsmith by default; ``high_quality`` selects Rubber Band R3 (raises when the extra is missing)."""
    return _rubberband(True) if high_quality else signalsmith_stretch


def _speed_per_sample(head: HeadWarp, *, t0: float, n: int, sr: int) -> np.ndarray:
    t = t0 + np.arange(n) / sr
    speeds = np.diff(head.src_knots) / np.diff(head.out_knots)
    idx = np.clip(np.searchsorted(head.src_knots, t, side="right") - 1, 0, len(speeds) - 1)
    return speeds[idx].astype(np.float64)


def render_head(y: np.ndarray, *, sr: int, head: HeadWarp, high_quality: bool = False) -> np.ndarray:
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
        stretched = stretch_engine(high_quality=high_quality)(segment, sr, speed)
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
