"""Where a track leaves the mix: on a phrase boundary after its main body, never in its loudest passage,
and no later than the length the listener chose.

A DJ who cuts a track in the middle of its climax loses the moment the track was building to (the issue's
Sugar Plum Fairy lost its last 14.6 s while at its loudest). So every candidate exit (a mix-out downbeat
and the end of the blend that follows it) is judged by the track's energy curve around the point where
its audio stops: the loudest passage carrying on past the cut, without falling, is a mid-climax cut and
is taken only when nothing else fits. The listener's length mode sets where the track should end:

* ``full``: the whole track, the blend over its outro;
* ``radio``: a radio-edit length, at most :data:`RADIO_MAX_S` of the track, ending on a phrase boundary;
* ``dj``: the DJ's shorter length, leaving at the outro start (as a DJ would) but after at most
  :data:`DJ_MAX_S`.

The last track of a set has no next track to blend into, but it leaves by the same rules: it fades out
over a few bars, the fade ending on the phrase boundary the mode picks (:func:`final_exit`), unless its
own ending is within a phrase of that exit, where it is let end by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from dj.analysis.loudness import SILENCE_LUFS, integrated_loudness

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

LengthMode = Literal["full", "radio", "dj"]
LENGTH_MODES: tuple[LengthMode, ...] = get_args(LengthMode)
RADIO_MAX_S = 210.0
"""A radio edit plays at most 3.5 minutes of a track (radio edits run 3 to 4 minutes)."""
DJ_MAX_S = 150.0
"""In DJ length a track plays at most 2.5 minutes before the next one is fully in."""

CLIMAX_DB = 3.0
"""A passage within 3 dB of the track's loudest 4 seconds, and louder than its typical (median) level,
counts as its climax: a track at one level throughout has no climax to cut into."""
ABOVE_TYPICAL_DB = 1.0
FALL_DB = 2.0
"""Energy falling by 2 dB across the cut is the music winding down: a cut there is fine."""
OFF_PHRASE_BARS = (0.0, 2.0, 8.0)
"""What leaving on a half-phrase or a plain downbeat costs, in bars of distance from the target: with a
regular phrase grid a phrase start within reach always wins; where the phrases detected are sparse, a
track is not cut 30 s short to reach one."""
PLACE_NAMES = ("an 8-bar phrase start", "a 4-bar boundary", "a downbeat")
"""How a cue sheet names an exit of each phrase rank (:func:`phrase_rank`)."""
FADE_BARS = 4
"""The last track fades out over 4 bars (at most :data:`FADE_MAX_S`), the fade ending on its exit."""
FADE_MAX_S = 12.0
NATURAL_END_BARS = 8
"""Where the last track's own ending is within one phrase (8 bars) of the exit its mode picks, it plays to
that ending, even up to a phrase past the mode's cap: a track's written ending beats any fade (a 2:43
closing track is not faded out 15 s before its finale to keep a 2:30 cap)."""
LEVEL_WINDOW_S = 4.0
CUT_LUFS_WINDOW_S = 3.0
"""The cue sheet's loudness before and after a cut: BS.1770 over 3 s, the short-term window."""

# The energy curve is short-term RMS level mapped linearly from this dB range to 0..1
# (dj.analysis.energy); the cut check works in dB so that "3 dB under the peak" means what it says.
_CURVE_FLOOR_DB, _CURVE_CEIL_DB = -50.0, -6.0


def phrase_rank(a: TrackAnalysis, t: float) -> int:
    """0 for an 8-bar phrase start, 1 for a 4-bar half-phrase, 2 for any other downbeat."""
    if len(a.phrase_starts) and np.min(np.abs(a.phrase_starts - t)) < 0.05:
        return 0
    if len(a.phrase_starts):
        first = a.phrase_starts[0]
        bar_index = np.argmin(np.abs(a.downbeats - t)) - np.argmin(np.abs(a.downbeats - first))
        if bar_index % 4 == 0:
            return 1
    return 2


def parse_length(value: str) -> LengthMode:
    """The length mode named by ``value``; ValueError names the choices."""
    for mode in LENGTH_MODES:
        if value == mode:
            return mode
    raise ValueError(f"unknown track length {value!r}: choose {', '.join(LENGTH_MODES)}")


@dataclass(frozen=True, kw_only=True)
class CutLevels:
    """Energy (dB, from the analysis curve) around a cut and the track's loudest passage."""

    before_db: float
    after_db: float | None  # None when the track's music ends at the cut
    peak_db: float
    typical_db: float

    @property
    def mid_climax(self) -> bool:
        """The loudest passage carries on past the cut without falling."""
        return (
            self.after_db is not None
            and self.after_db >= self.peak_db - CLIMAX_DB
            and self.after_db >= self.typical_db + ABOVE_TYPICAL_DB
            and self.after_db >= self.before_db - FALL_DB
        )

    def describe(self) -> str:
        if self.after_db is None:
            return "at the end of the music"
        change = self.after_db - self.before_db
        if self.mid_climax:
            return f"mid-climax (nothing else fit): {self.peak_db - self.after_db:.1f} dB under the peak"
        if change <= -FALL_DB:
            return f"as the energy falls ({change:+.1f} dB)"
        return f"{self.peak_db - max(self.before_db, self.after_db):.1f} dB under the loudest passage"


def _levels_db(a: TrackAnalysis) -> tuple[np.ndarray, np.ndarray]:
    times = np.asarray(a.energy_times, dtype=float)
    curve = np.asarray(a.energy_curve, dtype=float)
    return times, _CURVE_FLOOR_DB + curve * (_CURVE_CEIL_DB - _CURVE_FLOOR_DB)


def _level(times: np.ndarray, db: np.ndarray, t0: float, t1: float) -> float | None:
    """Power-mean level (dB) of the curve frames in [t0, t1); None when there are none."""
    inside = (times >= t0) & (times < t1)
    if not inside.any():
        return None
    return float(10 * np.log10(np.mean(10 ** (db[inside] / 10))))


def cut_levels(a: TrackAnalysis, *, cut_s: float) -> CutLevels:
    """The energy just before and after ``cut_s`` (source seconds) against the track's loudest passage."""
    times, db = _levels_db(a)
    if times.size == 0:
        return CutLevels(before_db=0.0, after_db=None, peak_db=0.0, typical_db=0.0)
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.5
    width = max(1, round(LEVEL_WINDOW_S / step))
    power = np.convolve(10 ** (db / 10), np.ones(width) / width, mode="valid")
    peak = float(10 * np.log10(power.max()))
    typical = float(10 * np.log10(np.median(power)))
    before = _level(times, db, cut_s - LEVEL_WINDOW_S, cut_s)
    end_of_music = min(a.duration_s, a.outro[1] if a.outro[1] > 0 else a.duration_s)
    after = None if cut_s >= end_of_music - 1.0 else _level(times, db, cut_s, cut_s + LEVEL_WINDOW_S)
    return CutLevels(
        before_db=before if before is not None else peak, after_db=after, peak_db=peak, typical_db=typical
    )


@dataclass(frozen=True, kw_only=True)
class ExitRule:
    """How track A should leave: the listener's length mode and where A started playing (source s)."""

    length: LengthMode = "dj"
    src_start_s: float = 0.0

    def cap_s(self) -> float | None:
        """Most source seconds A may play in this mode (None: no cap)."""
        return {"full": None, "radio": RADIO_MAX_S, "dj": DJ_MAX_S}[self.length]

    def target_end_s(self, a: TrackAnalysis, *, overlap_s: float) -> float:
        """Where A's audio should stop: the end of its music (full), or the outro start plus the blend
        (dj), no later than the mode's cap."""
        end_of_music = a.outro[1] if a.outro[1] > 0 else a.duration_s
        natural = end_of_music if self.length != "dj" else a.outro[0] + overlap_s
        cap = self.cap_s()
        return natural if cap is None else min(natural, self.src_start_s + cap)

    def key(self, a: TrackAnalysis, *, out_s: float, end_s: float, rank: int) -> tuple[float, ...]:
        """Sort key of a candidate exit (smaller is better): within the length cap first, then not
        mid-climax, then the distance from the mode's target end plus what leaving off a phrase
        costs (``rank`` 0 phrase start, 1 half-phrase, 2 any downbeat; see :data:`OFF_PHRASE_BARS`)."""
        cap = self.cap_s()
        over = cap is not None and end_s - self.src_start_s > cap + 0.5
        climax = cut_levels(a, cut_s=end_s).mid_climax
        target = self.target_end_s(a, overlap_s=end_s - out_s)
        return (float(over), float(climax), abs(end_s - target) + OFF_PHRASE_BARS[min(rank, 2)] * _bar_s(a))


@dataclass(frozen=True, kw_only=True)
class FinalExit:
    """Where the last track of a set stops (``end_s``, source seconds), the source seconds faded out
    before it (``fade_s``; 0 when the track ends by itself) and why there, in the cue sheet's words."""

    end_s: float
    fade_s: float
    reason: str


def _bar_s(a: TrackAnalysis) -> float:
    """One bar of ``a`` in seconds (2 s when it has no tempo): the unit exits are measured in."""
    return a.beats_per_bar * 60.0 / a.bpm if a.bpm > 0 else 2.0


def final_exit(a: TrackAnalysis, *, rule: ExitRule, earliest_s: float) -> FinalExit:
    """How the last track of a set leaves: the exit ``rule`` ranks every downbeat as the end of a
    :data:`FADE_BARS` fade starting no earlier than ``earliest_s`` (the track's entry and its solo
    share), exactly as it ranks a hand-over's exit (length cap, never mid-climax, phrase boundaries, the
    mode's target); the track's own ending competes with one phrase's head start, and one phrase of
    slack on the cap (:data:`NATURAL_END_BARS`)."""
    bar_s = _bar_s(a)
    fade = min(FADE_BARS * bar_s, FADE_MAX_S)
    end_of_music = a.outro[1] if a.outro[1] > 0 else a.duration_s
    slack = NATURAL_END_BARS * bar_s
    own = rule.key(a, out_s=end_of_music - fade, end_s=end_of_music, rank=0)
    cap = rule.cap_s()
    over = cap is not None and end_of_music - rule.src_start_s > cap + 0.5 + slack
    best_key: tuple[float, ...] = (float(over), own[1], max(0.0, own[2] - slack))
    best = FinalExit(end_s=a.duration_s, fade_s=0.0, reason="the last track, played to its own ending")
    for t in (float(t) for t in a.downbeats):
        if t - fade < earliest_s or t > end_of_music - bar_s:
            continue
        rank = phrase_rank(a, t)
        key = rule.key(a, out_s=t - fade, end_s=t, rank=rank)
        if key < best_key:
            bars = f"{FADE_BARS} bars" if fade == FADE_BARS * bar_s else f"{fade:.1f}s"
            reason = (
                f"the last track, faded out over {bars} ending on {PLACE_NAMES[rank]} ({rule.length} length)"
            )
            best_key, best = key, FinalExit(end_s=t, fade_s=fade, reason=reason)
    return best


def cut_lufs(y: np.ndarray, *, sr: int, cut_s: float) -> tuple[float | None, float | None]:
    """BS.1770 loudness (LUFS) of the source ``y`` (channels, n) over the 3 s before and after ``cut_s``;
    None where there is no audio (the cut at the end of the track) or only silence."""

    def window(t0: float, t1: float) -> float | None:
        seg = y[:, max(0, round(t0 * sr)) : max(0, round(t1 * sr))]
        if seg.shape[1] < round(0.4 * sr):
            return None
        value = integrated_loudness(y=seg, sr=sr)
        return None if value <= SILENCE_LUFS else round(value, 2)

    return window(cut_s - CUT_LUFS_WINDOW_S, cut_s), window(cut_s, cut_s + CUT_LUFS_WINDOW_S)
