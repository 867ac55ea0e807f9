"""The mix as numbers before any audio moves: where each track sits on the mix clock, which part of it
plays, and how its stretched head maps B's beats onto A's.

Only the head of each incoming track (the overlap plus a tempo ramp) is time-stretched; the rest plays at
its own tempo, so the mix clock is piecewise: a warped head, then real time. Every later step (rendering,
voice placement, measurement, the cue sheet, the plot) reads positions from here, so they all agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dj.mix.beat_phase import OnsetEnvelope
from dj.mix.exit_cue import ExitRule, LengthMode, final_exit
from dj.mix.transitions import MIN_SOLO_SHARE, TransitionSpec, plan_transition
from dj.planning.tempo_match import EQ_BLEND

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis


RAMP_STEPS = 4  # speed changes on the way back to the track's own tempo (one per bar of the ramp)
STEADY_SPEED = 0.002  # per-beat speeds this close to their mean are one constant speed


@dataclass(frozen=True, kw_only=True)
class HeadWarp:
    """How B's head is stretched: source knots (B seconds) and where they land (seconds after B starts).

    Between knots the speed is constant; the last stretch of knots is the ramp back to speed 1.
    """

    src_knots: np.ndarray
    out_knots: np.ndarray

    @property
    def src_end_s(self) -> float:
        return float(self.src_knots[-1])

    @property
    def out_end_s(self) -> float:
        return float(self.out_knots[-1])

    def to_mix(self, t_src: float) -> float:
        return float(np.interp(t_src, self.src_knots, self.out_knots))


@dataclass(frozen=True, kw_only=True)
class TrackPlacement:
    """Track ``index`` plays source seconds ``src_start_s``..``src_end_s`` from mix time ``mix_start_s``.

    The last track of a set fades out over its last ``fade_out_s`` source seconds (0: it plays to its own
    ending, or a hand-over takes it out); ``ending`` says how it leaves (empty for a hand-over, whose
    transition's reason says it).
    """

    index: int
    track_id: str
    src_start_s: float
    src_end_s: float
    mix_start_s: float
    head: HeadWarp | None
    fade_out_s: float = 0.0
    ending: str = ""

    def mix_time(self, t_src: float) -> float:
        """Mix time of a moment of this track's source (after the head, the track runs in real time)."""
        if self.head is not None and t_src <= self.head.src_end_s:
            return self.mix_start_s + self.head.to_mix(t_src)
        if self.head is not None:
            return self.mix_start_s + self.head.out_end_s + (t_src - self.head.src_end_s)
        return self.mix_start_s + (t_src - self.src_start_s)

    @property
    def mix_end_s(self) -> float:
        return self.mix_time(self.src_end_s)

    def fade_out_span(self) -> tuple[float, float] | None:
        """Mix-time span of this track's fade-out (the render's and the picture's); None without one."""
        if self.fade_out_s <= 0:
            return None
        return self.mix_time(self.src_end_s - self.fade_out_s), self.mix_end_s


@dataclass(frozen=True, kw_only=True)
class Timeline:
    placements: tuple[TrackPlacement, ...]
    transitions: tuple[TransitionSpec, ...]

    @property
    def duration_s(self) -> float:
        return max(p.mix_end_s for p in self.placements)

    def overlap(self, k: int) -> tuple[float, float]:
        """Mix-time span of transition ``k`` (between placements k and k+1)."""
        a = self.placements[k]
        spec = self.transitions[k]
        return a.mix_time(spec.a_out_s), a.mix_time(spec.a_end_s)


def _head_warp(spec: TransitionSpec) -> HeadWarp | None:
    """B's source knots -> output seconds (relative to B's mix start, which is A's cue)."""
    if spec.kind != EQ_BLEND:
        return None
    src = [float(t) for t in spec.b_beats]
    out = [float(t) - spec.a_out_s for t in spec.a_beats]
    speeds = np.diff(src) / np.diff(out)
    if np.all(np.abs(speeds / (speeds.mean()) - 1.0) < STEADY_SPEED):
        # Steady grids: one constant speed lands every beat, and the stretcher runs fastest with few
        # speed changes; keep only the first and last beat as knots.
        src, out = [src[0], src[-1]], [out[0], out[-1]]
    if abs(out[0]) > 1e-6:
        # A's first matched beat sits a little off A's cue (grid refinement): B's audio starts at the cue,
        # at the overlap's first speed, so that B's first beat still lands on A's.
        speed = (src[1] - src[0]) / (out[1] - out[0])
        src, out = [src[0] - out[0] * speed, *src], [0.0, *out]
    if spec.ramp_s > 0:
        # Speed eases linearly from the overlap's last speed back to 1 over the ramp (in B's time):
        # the output time of a linear speed ramp is the integral of 1/speed, taken in small steps.
        last_speed = (src[-1] - src[-2]) / (out[-1] - out[-2])
        steps = np.linspace(0.0, spec.ramp_s, RAMP_STEPS + 1)[1:]
        speeds = last_speed + (1.0 - last_speed) * steps / spec.ramp_s
        mid = np.concatenate([[last_speed], speeds])
        dt = np.diff(np.concatenate([[0.0], steps]))
        out_steps = np.cumsum(dt / (0.5 * (mid[:-1] + mid[1:])))
        last_src, last_out = src[-1], out[-1]
        src += [last_src + s for s in steps]
        out += [last_out + o for o in out_steps]
    return HeadWarp(src_knots=np.asarray(src), out_knots=np.asarray(out))


def build_timeline(
    track_ids: Sequence[str],
    analyses: Mapping[str, TrackAnalysis],
    *,
    ramp: bool = True,
    envelopes: Mapping[str, OnsetEnvelope] | None = None,
    length: LengthMode = "dj",
    piecewise: bool = True,
) -> Timeline:
    """Plan every hand-over of an ordered set and lay the tracks out on the mix clock.

    ``envelopes`` (onset envelopes by track id) let each hand-over refine the beat grids it aligns, beat
    by beat when ``piecewise`` (see :func:`~dj.mix.transitions.plan_transition`); ``length`` is the
    listener's track-length mode (full, radio or dj; :mod:`dj.mix.exit_cue`): it decides where every
    track leaves, the last one included (a fade on a phrase boundary, :func:`~dj.mix.exit_cue.final_exit`).
    """
    envelopes = envelopes or {}
    specs: list[TransitionSpec] = []
    placements: list[TrackPlacement] = []
    src_start, head, mix_start = 0.0, None, 0.0
    for i, track_id in enumerate(track_ids):
        a = analyses[track_id]
        entry_end = head.src_end_s if head is not None else src_start
        earliest = max(entry_end, src_start + MIN_SOLO_SHARE * a.duration_s)
        rule = ExitRule(length=length, src_start_s=src_start)
        fade_s, ending = 0.0, ""
        if i + 1 < len(track_ids):
            spec = plan_transition(
                a,
                analyses[track_ids[i + 1]],
                a_earliest_out_s=earliest,
                ramp=ramp,
                env_a=envelopes.get(track_id),
                env_b=envelopes.get(track_ids[i + 1]),
                exit_rule=rule,
                piecewise=piecewise,
            )
            src_end = spec.a_end_s
        else:
            final = final_exit(a, rule=rule, earliest_s=earliest)
            spec, src_end, fade_s, ending = None, final.end_s, final.fade_s, final.reason
        placement = TrackPlacement(
            index=i,
            track_id=track_id,
            src_start_s=src_start,
            src_end_s=src_end,
            mix_start_s=mix_start,
            head=head,
            fade_out_s=fade_s,
            ending=ending,
        )
        placements.append(placement)
        if spec is not None:
            specs.append(spec)
            mix_start = placement.mix_time(spec.a_out_s)
            head = _head_warp(spec)
            src_start = float(head.src_knots[0]) if head is not None else spec.b_in_s
    return Timeline(placements=tuple(placements), transitions=tuple(specs))
