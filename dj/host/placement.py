"""Where the host speaks: inside the incoming track's intro, finished before its energy peaks.

Talking over a drop wastes the best moment of the track and fights the music, so a line starts early in
the new track (a beat after the hand-over begins) and must end before the first big energy rise. When a
line cannot fit, it is left out and the reason recorded, rather than pushed over the drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dj.mix.timeline import Timeline

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

LEAD_IN_S = 0.5  # the new track is heard before the host speaks


@dataclass(frozen=True, kw_only=True)
class VoiceSlot:
    """A line's place on the mix clock (or why it has none)."""

    index: int
    start_s: float | None
    end_s: float | None
    window: tuple[float, float]  # mix seconds the line may occupy
    reason: str


def drop_time(a: TrackAnalysis, *, after_s: float) -> float | None:
    """Source time of the first big energy rise after ``after_s``: the energy (smoothed over 2 s)
    reaching 85 % of its maximum from below 65 % within the previous four seconds. ``None`` when the
    track has no such rise (it starts at full energy or never builds)."""
    times, curve = np.asarray(a.energy_times, dtype=float), np.asarray(a.energy_curve, dtype=float)
    if curve.size < 5 or curve.max() <= 0:
        return None
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.5
    width = max(1, round(2.0 / step))
    smooth = np.convolve(curve, np.ones(width) / width, mode="same")
    top = smooth.max()
    # A fade-in is not a drop: only rises at least 4 s into the part that plays count.
    for k in np.nonzero((times > after_s + 4.0) & (smooth >= 0.85 * top))[0]:
        before = np.nonzero((times >= times[k] - 4.0) & (times < times[k]) & (smooth < 0.65 * top))[0]
        if before.size:
            # The rise starts right after the last quiet point (smoothing would report it late).
            return float(times[min(before[-1] + 1, k)])
    return None


def place_voice(
    *, timeline: Timeline, analyses: dict[str, TrackAnalysis], index: int, duration_s: float
) -> VoiceSlot:
    """Fit a line of ``duration_s`` into track ``index``'s intro, before its drop and its own mix-out."""
    p = timeline.placements[index]
    a = analyses[p.track_id]
    start_src = p.src_start_s
    drop = drop_time(a, after_s=start_src)
    limit_src = drop if drop is not None else start_src + 0.5 * (a.duration_s - start_src)
    if index < len(timeline.transitions):
        limit_src = min(limit_src, timeline.transitions[index].a_out_s)
    lo, hi = p.mix_time(start_src) + LEAD_IN_S, p.mix_time(limit_src)
    what = f"before the energy rise at {drop:.1f}s" if drop is not None else "in the first half (no drop)"
    if hi - lo < duration_s:
        lo = p.mix_time(start_src)
    if hi - lo < duration_s:
        return VoiceSlot(
            index=index,
            start_s=None,
            end_s=None,
            window=(lo, hi),
            reason=f"left out: a {duration_s:.1f}s line does not fit the {hi - lo:.1f}s intro {what}",
        )
    return VoiceSlot(
        index=index, start_s=lo, end_s=lo + duration_s, window=(lo, hi), reason=f"over the intro, {what}"
    )
