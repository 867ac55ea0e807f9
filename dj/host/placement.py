"""Where the host speaks: only where exactly one track sounds, never inside a blend.

A blend is the part of the mix a DJ worked for (two tracks beat-matched, the bass swapped); talking over
it, with the music ducked 9 dB, buries it. So a line introducing track i goes, in order of preference:

1. over track i's intro, after the blend into it has ended and before its first big energy rise (talking
   over a drop wastes the best moment of the track);
2. over the outgoing track's outro, finishing just before the blend into track i starts ("coming up").

Both windows keep the ducking's attack and release outside the blends, and lines never overlap each
other. A line that fits neither window gets a shorter variant (:mod:`dj.host.voiceover` asks for it);
only then is it left out, and the reason is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dj.host.ducking import ATTACK_S, RELEASE_S
from dj.mix.timeline import Timeline

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

LEAD_IN_S = 0.5  # the new track is heard on its own before the host speaks (longer than the duck's attack)
GAP_S = 0.3  # between two lines


@dataclass(frozen=True, kw_only=True)
class VoiceSlot:
    """A line's place on the mix clock (or why it has none)."""

    index: int
    start_s: float | None
    end_s: float | None
    window: tuple[float, float]  # mix seconds the line may occupy
    reason: str


@dataclass(frozen=True, kw_only=True)
class SoloWindow:
    """Mix seconds where only one track sounds and a line for track ``index`` may go, and how to say it."""

    lo: float
    hi: float
    where: str
    late: bool  # place the line at the window's end (an outro line leads straight into the blend)


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


def blends(timeline: Timeline) -> list[tuple[float, float]]:
    """Mix-time spans where two tracks sound together (every transition's overlap)."""
    return [timeline.overlap(k) for k in range(len(timeline.transitions))]


def seconds_inside(span: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    """How many seconds of ``span`` fall inside any of ``spans`` (the blends)."""
    return float(sum(max(0.0, min(span[1], e) - max(span[0], s)) for s, e in spans))


def solo_windows(*, timeline: Timeline, analyses: dict[str, TrackAnalysis], index: int) -> list[SoloWindow]:
    """The windows for track ``index``'s line, best first: its intro after the blend in and before its
    drop (or the first half of what plays, when it has no drop), then the outgoing track's outro."""
    p = timeline.placements[index]
    a = analyses[p.track_id]
    spans = blends(timeline)
    solo_from = spans[index - 1][1] if index > 0 else p.mix_start_s
    solo_to = spans[index][0] if index < len(spans) else p.mix_end_s
    drop = drop_time(a, after_s=p.src_start_s)
    limit = p.mix_time(drop) if drop is not None else p.mix_time(0.5 * (p.src_start_s + p.src_end_s))
    what = f"before the energy rise at {drop:.1f}s" if drop is not None else "in the first half (no drop)"
    windows = [
        SoloWindow(
            lo=solo_from + LEAD_IN_S,
            hi=min(limit, solo_to - RELEASE_S),
            where=f"over the intro, {what}",
            late=False,
        )
    ]
    if index > 0:
        before = timeline.placements[index - 1]
        lo = spans[index - 2][1] + ATTACK_S if index > 1 else before.mix_start_s
        windows.append(
            SoloWindow(
                lo=lo,
                hi=spans[index - 1][0] - RELEASE_S,
                where="over the outgoing track's outro, before the blend",
                late=True,
            )
        )
    return windows


def place_voice(
    *,
    timeline: Timeline,
    analyses: dict[str, TrackAnalysis],
    index: int,
    duration_s: float,
    not_before_s: float = 0.0,
) -> VoiceSlot:
    """Fit a line of ``duration_s`` for track ``index`` into the first solo window it fits, starting no
    earlier than ``not_before_s`` (the end of the line before, so lines never overlap)."""
    windows = solo_windows(timeline=timeline, analyses=analyses, index=index)
    for w in windows:
        lo = max(w.lo, not_before_s + GAP_S if not_before_s > 0 else w.lo)
        if w.hi - lo >= duration_s:
            start = w.hi - duration_s if w.late else lo
            return VoiceSlot(
                index=index, start_s=start, end_s=start + duration_s, window=(lo, w.hi), reason=w.where
            )
    room = ", ".join(f"{max(0.0, w.hi - w.lo):.1f}s {w.where.split(',')[0]}" for w in windows)
    first = windows[0]
    return VoiceSlot(
        index=index,
        start_s=None,
        end_s=None,
        window=(first.lo, first.hi),
        reason=f"left out: a {duration_s:.1f}s line does not fit where one track plays alone ({room})",
    )
