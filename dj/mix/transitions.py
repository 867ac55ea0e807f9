"""Transition design: where A hands over to B, for how long, with which technique, and why.

Cue points sit on downbeats: A's mix-out starts on a phrase boundary (a downbeat that opens an 8-bar
phrase, or at least a 4-bar half-phrase) and B comes in on its first phrase start, so both phrases turn
together. The length in bars (32/16/8/4) is the longest that the two tracks' lengths allow while each
track is still heard on its own; the demo tracks last ~30 s, so they get 4-8 bars, club tracks 16-32.
Pairs whose beat grids are unreliable or whose tempos are too far apart get a plain crossfade instead
of an EQ blend, and the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from dj.mix.beat_phase import OnsetEnvelope, alignment, local_shift, straight_line, strong_half
from dj.mix.exit_cue import PLACE_NAMES, ExitRule, phrase_rank
from dj.planning.tempo_match import (
    CROSSFADE,
    EQ_BLEND,
    MAX_STRETCH,
    TempoMatch,
    TransitionKind,
    beatmatchable,
    match_tempo,
    reliable_beats,
    stretch_limit,
    tempo_relation,
)

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

BAR_CHOICES = (32, 16, 8, 4)
# Last resort for slow tracks, where even 4 bars would cover most of a short track.
SHORT_BARS = 2
# Longest share of the shorter track an overlap may take, and the least each track must play alone.
MAX_OVERLAP_SHARE = 0.35
MIN_SOLO_SHARE = 0.3
CROSSFADE_S = 6.0
RAMP_BARS = 4
STEADY_WOBBLE = 0.04  # analysis grids whose matched speed wobbles more than this are straightened
PIECEWISE_WOBBLE = 0.12  # onset-refined beats follow a drift up to this; beyond it they are noise


@dataclass(frozen=True, kw_only=True)
class TransitionSpec:
    """One hand-over. Times are in each track's own (unstretched) seconds.

    ``a_out_s``..``a_end_s`` is the part of A under the overlap (A is never stretched there: B follows
    A's grid); ``b_in_s``..``b_overlap_end_s`` is the part of B under it. ``a_beats``/``b_beats`` are the
    matched beat times (same count) that the renderer lines up sample by sample; empty for a crossfade.
    ``ratio`` is B's mean speed change during the overlap; after it B ramps back to its own tempo over
    ``ramp_s`` of B's time (0 when ramping is off), so only the head of B is ever stretched.
    """

    kind: TransitionKind
    bars: int
    a_out_s: float
    a_end_s: float
    b_in_s: float
    b_overlap_end_s: float
    a_beats: np.ndarray
    b_beats: np.ndarray
    ratio: float
    multiplier: float
    ramp_s: float
    swap_s: float  # seconds into the overlap where the bass swaps (EQ blend)
    reason: str

    @property
    def overlap_s(self) -> float:
        return self.a_end_s - self.a_out_s

    @property
    def stretch_pct(self) -> float:
        return 100.0 * (self.ratio - 1.0)

    @property
    def b_head_end_s(self) -> float:
        """Where B's stretched head (overlap + ramp) ends, in B's own time."""
        return self.b_overlap_end_s + self.ramp_s


def _beats_from(beats: np.ndarray, start: float, count: int) -> np.ndarray:
    k = int(np.argmin(np.abs(beats - start)))
    return beats[k : k + count]


def _b_entry(b: TrackAnalysis) -> float:
    """B comes in on its first phrase start (or first downbeat) that is early in the track."""
    limit = 0.25 * b.duration_s
    for t in (*b.phrase_starts, *b.downbeats):
        if t <= limit:
            return float(t)
    return float(b.downbeats[0]) if len(b.downbeats) else 0.0


def plan_transition(
    a: TrackAnalysis,
    b: TrackAnalysis,
    *,
    a_earliest_out_s: float = 0.0,
    ramp: bool = True,
    env_a: OnsetEnvelope | None = None,
    env_b: OnsetEnvelope | None = None,
    exit_rule: ExitRule | None = None,
    piecewise: bool = True,
) -> TransitionSpec:
    """Choose type, length and cue points for A -> B; ``a_earliest_out_s`` keeps A's own entry intact.

    With the tracks' onset envelopes, both grids under the overlap are first moved onto the onsets
    there (:mod:`dj.mix.beat_phase`). With ``piecewise``, both tracks' beats are followed one by one
    where either drifts under the overlap (B then follows A's drift through it) and kept on straight
    grids where neither does (:func:`~dj.mix.beat_phase.drifts`); without, both are straight grids with
    one shift each (the reference the piecewise alignment is measured against). In
    a half/double-time pairing, the faster track's beats that meet the slower one's are the half with the
    bass on them (:func:`~dj.mix.beat_phase.strong_half`). ``exit_rule`` (the listener's length mode)
    ranks A's exits (:mod:`dj.mix.exit_cue`).
    """
    rule = exit_rule or ExitRule()
    match = match_tempo(bpm_a=a.bpm, bpm_b=b.bpm)
    if beatmatchable(a, b, match):
        spec = _beatmatched(
            a,
            b,
            match=match,
            a_earliest_out_s=a_earliest_out_s,
            ramp=ramp,
            envs=(env_a, env_b),
            rule=rule,
            piecewise=piecewise,
        )
        if isinstance(spec, TransitionSpec):
            return spec
        why_plain = f"plain crossfade: {spec}"
    else:
        why_plain = _why_not_beatmatched(a, b, match)
    return _crossfade(a, b, a_earliest_out_s=a_earliest_out_s, reason=why_plain, rule=rule)


def _why_not_beatmatched(a: TrackAnalysis, b: TrackAnalysis, match: TempoMatch) -> str:
    """The reason :func:`~dj.planning.tempo_match.beatmatchable` said no, in the cue sheet's words."""
    unreliable = [n for n, t in (("A", a), ("B", b)) if not reliable_beats(t)]
    if unreliable:
        return f"plain crossfade: no reliable beat grid in {' and '.join(unreliable)}"
    return (
        f"plain crossfade: tempos {a.bpm:.1f} and {b.bpm:.1f} BPM need a {match.stretch:.1%} "
        f"stretch, beyond {MAX_STRETCH:.0%}"
    )


@dataclass(frozen=True, kw_only=True)
class _Cue:
    """Where A leaves: its cue downbeat, the matched beats of A from there, and how good a cue it is."""

    a_out_s: float
    a_beats: np.ndarray
    rank: int
    key: tuple[float, ...]  # the exit rule's sort key (dj.mix.exit_cue.ExitRule.key)


def _beatmatched(
    a: TrackAnalysis,
    b: TrackAnalysis,
    *,
    match: TempoMatch,
    a_earliest_out_s: float,
    ramp: bool,
    envs: tuple[OnsetEnvelope | None, OnsetEnvelope | None],
    rule: ExitRule,
    piecewise: bool = True,
) -> TransitionSpec | str:
    """The longest EQ blend (in bars) whose overlap fits both tracks and whose exit the ``rule`` finds
    sound (within the length cap, not mid-climax, on a phrase boundary); failing that, the length with
    the best exit. Why not, when no length fits.

    B's stretch as built (its beats under the overlap against A's there) stays within the limit the
    plan priced the pair under (:func:`~dj.planning.tempo_match.stretch_limit`): A's exits where its
    beats run too far from B's are passed over, and a beat-by-beat alignment that still pushes past the
    limit gives way to the straight grids, then to a crossfade."""
    bpb = a.beats_per_bar
    limit = stretch_limit(match)
    shorter = min(a.duration_s, b.duration_s)
    b_in, b_beats_all = _b_entry_grid(b, env=envs[1], bpb=bpb)
    best: tuple[tuple[float, ...], int, _Cue, np.ndarray] | None = None  # (how sound, bars, cue, B's beats)
    too_far = ""  # why an exit that fits both tracks was passed over for its stretch
    for bars in (*BAR_CHOICES, SHORT_BARS):
        n_a = bars * bpb + 1  # beats of A from the cue to the end of the overlap, both included
        n_b = round((n_a - 1) / match.multiplier) + 1
        if len(b_beats_all) < n_b:
            continue
        b_beats = b_beats_all[:n_b]
        if float(b_beats[-1]) - b_in > MAX_OVERLAP_SHARE * shorter:
            continue
        fits = partial(
            _a_cue,
            a,
            n_a=n_a,
            max_overlap_s=MAX_OVERLAP_SHARE * shorter,
            earliest_s=a_earliest_out_s,
            rule=rule,
        )
        b_span = float(b_beats[-1] - b_beats[0])
        cue = fits(b_span_s=b_span, limit=limit)
        loose = None if cue is not None or too_far else fits()
        if loose is not None:
            too_far = _too_far(_bpm(loose.a_beats), b_span / _span(loose.a_beats), limit)
        # How sound the exit is: within the length cap, not mid-climax, on a (half-)phrase boundary.
        sound = None if cue is None else (*cue.key[:2], float(cue.rank > 1))
        if cue is not None and sound is not None and (best is None or sound < best[0]):
            best = (sound, bars, cue, b_beats)
        if best is not None and not any(best[0]):
            break
    if best is None:
        return too_far or "no pair of phrase-aligned cue points fits both tracks"
    _, bars, cue, b_beats = best
    # Beat by beat only where a track drifts under this overlap (beat_phase.drifts decides).
    a_grid, b_grid = _matched_grids(
        cue.a_beats, b_beats, multiplier=match.multiplier, envs=envs, piecewise=piecewise
    )
    ratio = _span_ratio(a_grid, b_grid)
    if abs(ratio - 1.0) > limit and piecewise:
        # Following the onsets beat by beat pushed the stretch past the limit: the straight grids instead.
        a_grid, b_grid = _matched_grids(
            cue.a_beats, b_beats, multiplier=match.multiplier, envs=envs, piecewise=False
        )
        ratio = _span_ratio(a_grid, b_grid)
    if abs(ratio - 1.0) > limit:
        return _too_far(_bpm(a_grid, per_beat=2.0 if match.multiplier == 2.0 else 1.0), ratio, limit)
    ramp_s = RAMP_BARS * bpb * 60.0 / b.bpm if ramp and abs(ratio - 1.0) > 0.002 else 0.0
    ramp_s = min(ramp_s, max(0.0, 0.5 * b.duration_s - (float(b_beats[-1]) - b_in)))
    return TransitionSpec(
        kind=EQ_BLEND,
        bars=bars,
        a_out_s=cue.a_out_s,
        a_end_s=float(a_grid[-1]),
        b_in_s=float(b_grid[0]),
        b_overlap_end_s=float(b_grid[-1]),
        a_beats=a_grid,
        b_beats=b_grid,
        ratio=ratio,
        multiplier=match.multiplier,
        ramp_s=ramp_s,
        swap_s=float(cue.a_beats[(bars // 2) * bpb] - cue.a_out_s),
        reason=_blend_reason(b, match=match, bars=bars, cue=cue, b_in_s=b_in, ratio=ratio, ramp_s=ramp_s),
    )


def _b_entry_grid(b: TrackAnalysis, *, env: OnsetEnvelope | None, bpb: int) -> tuple[float, np.ndarray]:
    """B's entry and its beats from there on. With B's onset envelope the grid is refined first: if its
    first beat moves before the audio starts, B enters a bar later."""
    b_in = _b_entry(b)
    beats = b.beats[b.beats >= b_in - 0.02]
    if env is None:
        return b_in, beats
    beats = beats + local_shift(env, beats=beats[: 8 * bpb])
    if beats.size and beats[0] < 0.02:
        beats = beats[bpb:]
    return (float(beats[0]) if beats.size else b_in), beats


def _a_cue(
    a: TrackAnalysis,
    *,
    n_a: int,
    max_overlap_s: float,
    earliest_s: float,
    rule: ExitRule,
    b_span_s: float | None = None,
    limit: float = MAX_STRETCH,
) -> _Cue | None:
    """A's best mix-out downbeat with ``n_a`` beats after it, ranked by ``rule`` (length cap, no
    mid-climax cut, phrase boundaries, the mode's target); None when no downbeat leaves a short enough
    overlap. With ``b_span_s`` (B's beats under the overlap), only downbeats whose beats after them run
    close enough to B's that B's stretch stays within ``limit``."""
    best: tuple[tuple[float, ...], _Cue] | None = None
    for t in a.downbeats[::-1]:
        a_beats = _beats_from(a.beats, float(t), n_a)
        if len(a_beats) < n_a or abs(a_beats[0] - t) > 0.05:
            continue
        a_span = float(a_beats[-1]) - float(t)
        if a_span > max_overlap_s or float(t) < earliest_s:
            continue
        if b_span_s is not None and abs(b_span_s / max(a_span, 1e-6) - 1.0) > limit:
            continue
        rank = phrase_rank(a, float(t))
        key = rule.key(a, out_s=float(t), end_s=float(a_beats[-1]), rank=rank)
        if best is None or key < best[0]:
            best = (key, _Cue(a_out_s=float(t), a_beats=a_beats, rank=rank, key=key))
    return None if best is None else best[1]


def _matched_grids(
    a_beats: np.ndarray,
    b_beats: np.ndarray,
    *,
    multiplier: float,
    envs: tuple[OnsetEnvelope | None, OnsetEnvelope | None],
    piecewise: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The beats of A and B that land together (same count), put on the onsets under the overlap itself
    (B's grid was moved for its entry already): when ``piecewise`` and either track drifts under the
    overlap, each beat on its own onsets, else two straight grids shifted as a whole."""
    # B's beats at the A grid's resolution: with B in half time every other A beat has a B beat, and
    # the half of the faster track's beats that meets the slower one's is the half with the bass on it.
    env_a, env_b = envs
    if multiplier == 2.0:
        a_grid = a_beats[(strong_half(env_a, beats=a_beats) if env_a is not None else 0) :: 2]
        b_grid = b_beats[: len(a_grid)]
    elif multiplier == 0.5:
        a_grid = a_beats
        b_grid = b_beats[(strong_half(env_b, beats=b_beats) if env_b is not None else 0) :: 2][: len(a_grid)]
    else:
        a_grid, b_grid = a_beats, b_beats
    k = min(len(a_grid), len(b_grid))
    a_grid, b_grid = a_grid[:k], b_grid[:k]
    if piecewise and env_a is not None and env_b is not None:
        # Where either track drifts under the overlap, both are followed (B follows A's drift, or its own
        # drift is taken out against A's beats); where neither does, both keep straight grids.
        a_al, b_al = alignment(env_a, beats=a_grid), alignment(env_b, beats=b_grid)
        if a_al.drifts or b_al.drifts:
            return _steady_grids(a_al.followed, b_al.followed, max_wobble=PIECEWISE_WOBBLE)
        return a_al.straight, b_al.straight
    a_grid, b_grid = _steady_grids(a_grid, b_grid, max_wobble=0.0 if not piecewise else STEADY_WOBBLE)
    if env_a is not None:
        a_grid = a_grid + local_shift(env_a, beats=a_grid)
    if env_b is not None:
        b_grid = b_grid + local_shift(env_b, beats=b_grid)
    return a_grid, b_grid


def _too_far(a_bpm: float, ratio: float, limit: float) -> str:
    """Why a blend was not built: the stretch A's beats under the overlap would need."""
    return (
        f"A's beats under the overlap run at {a_bpm:.1f} BPM, so B would be stretched "
        f"{100 * (ratio - 1):+.1f}%, beyond the {limit:.0%} the plan allows"
    )


def _span(beats: np.ndarray) -> float:
    """Seconds from the first beat to the last (never zero, so ratios of spans stay finite)."""
    return max(float(beats[-1] - beats[0]), 1e-6)


def _span_ratio(a_grid: np.ndarray, b_grid: np.ndarray) -> float:
    """B's mean speed change over the overlap: B's matched beats' span over A's."""
    return _span(b_grid) / _span(a_grid)


def _bpm(beats: np.ndarray, *, per_beat: float = 1.0) -> float:
    """The tempo of ``beats``; ``per_beat`` 2 when they are every other beat of the track (A's matched
    beats when B is in half time)."""
    return 60.0 * per_beat * (len(beats) - 1) / _span(beats)


def _blend_reason(
    b: TrackAnalysis, *, match: TempoMatch, bars: int, cue: _Cue, b_in_s: float, ratio: float, ramp_s: float
) -> str:
    where = PLACE_NAMES[cue.rank]
    short = " (4 bars would not fit these short, slow tracks)" if bars == SHORT_BARS else ""
    return (
        f"EQ blend with bass swap over {bars} bars{short}{tempo_relation(match)}: A leaves on {where} at "
        f"{cue.a_out_s:.1f}s, B enters on its first phrase at {b_in_s:.1f}s, B stretched "
        f"{100 * (ratio - 1):+.1f}%" + (f" then ramped back to {b.bpm:.0f} BPM" if ramp_s else "")
    )


def _steady_grids(
    a_grid: np.ndarray, b_grid: np.ndarray, *, max_wobble: float = 0.04
) -> tuple[np.ndarray, np.ndarray]:
    """Follow both tracks' real beats (live drummers drift) unless B's speed from beat to beat would
    wobble more than ``max_wobble`` around its mean: such grids jitter, and a straight line through each
    is the better estimate of where the beats really are (``max_wobble=0``: always straight)."""
    speeds = np.diff(b_grid) / np.maximum(np.diff(a_grid), 1e-6)
    mean = (b_grid[-1] - b_grid[0]) / (a_grid[-1] - a_grid[0])
    if np.max(np.abs(speeds / mean - 1.0)) <= max_wobble:
        return a_grid, b_grid
    return straight_line(a_grid), straight_line(b_grid)


def _crossfade(
    a: TrackAnalysis, b: TrackAnalysis, *, a_earliest_out_s: float, reason: str, rule: ExitRule
) -> TransitionSpec:
    length = min(CROSSFADE_S, 0.2 * min(a.duration_s, b.duration_s))
    latest = a.duration_s - length - 0.05
    # On A's best downbeat by the exit rule when A has any, else at the outro start itself.
    options = [float(t) for t in a.downbeats if a_earliest_out_s <= t <= latest] or [
        max(a_earliest_out_s, min(latest, a.outro[0]))
    ]
    a_out = min(options, key=lambda t: rule.key(a, out_s=t, end_s=t + length, rank=phrase_rank(a, t)))
    b_in = float(b.downbeats[0]) if len(b.downbeats) and b.downbeats[0] < 0.2 * b.duration_s else 0.0
    empty = np.zeros(0)
    return TransitionSpec(
        kind=CROSSFADE,
        bars=0,
        a_out_s=a_out,
        a_end_s=a_out + length,
        b_in_s=b_in,
        b_overlap_end_s=b_in + length,
        a_beats=empty,
        b_beats=empty,
        ratio=1.0,
        multiplier=1.0,
        ramp_s=0.0,
        swap_s=length / 2,
        reason=f"{reason}; {length:.1f}s equal-power fade",
    )
