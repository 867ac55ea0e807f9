"""Tempo relations between two tracks (the nearest of half, equal or double time, and the stretch it
needs) and whether a pair can be beat-matched at all.

Kept apart from the planner and the transition builder because both must agree exactly on which tempo
relation a pair uses and which beat grids are trusted, or the plan would promise a beat-matched blend
(and a stretch) that the render does not perform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from core.tempo_rules import AUDIBLE_TEMPO_CHANGE, TEMPO_MULTIPLIERS

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

TransitionKind = Literal["eq_bass_swap", "crossfade"]
"""How one track hands over to the next: a beat-matched EQ blend with a bass swap, or a plain crossfade.
The plan, the transition design and the measurement all speak of a transition's kind in these terms."""
EQ_BLEND: Final[TransitionKind] = "eq_bass_swap"
CROSSFADE: Final[TransitionKind] = "crossfade"

BEAT_CONFIDENCE_MIN = 0.25
"""Below this beat-tracking confidence a track's beat grid is not trusted for beat-matching."""
MIN_BEATS = 8
"""Fewest beats a trusted grid has: two bars of 4/4. The shortest blend lines up more beats than that,
and the grid refinement looks at the first eight bars, so a shorter grid cannot carry a beat-match."""
PREFERRED_STRETCH = AUDIBLE_TEMPO_CHANGE
"""Stretch the planner prefers to stay within: beyond it a listener hears the track's tempo change."""
MAX_STRETCH = 0.12
"""The most the renderer will ever stretch a track; further apart, a pair gets a plain crossfade."""


@dataclass(frozen=True, kw_only=True)
class TempoMatch:
    """How track B's tempo relates to track A's.

    ``multiplier`` is what B's tempo is multiplied by to meet A's: 2 when B runs at about half A's tempo
    (B in half time: one B beat to every two of A's), 0.5 when B runs at about twice it (B in double
    time), 1 for equal time. ``ratio`` is the factor B's playback speed must change by so that its
    (multiplied) tempo equals A's; ``stretch`` is ``|ratio-1|``.
    """

    bpm_a: float
    bpm_b: float
    multiplier: float
    ratio: float
    stretch: float

    @property
    def stretch_pct(self) -> float:
        return 100.0 * (self.ratio - 1.0)


def match_tempo(*, bpm_a: float, bpm_b: float) -> TempoMatch:
    """Pick half, equal or double time for B so the stretch is smallest (ties prefer equal time)."""
    if bpm_a <= 0 or bpm_b <= 0:
        return TempoMatch(bpm_a=bpm_a, bpm_b=bpm_b, multiplier=1.0, ratio=1.0, stretch=float("inf"))
    best = None
    for multiplier in TEMPO_MULTIPLIERS:
        ratio = bpm_a / (bpm_b * multiplier)
        stretch = abs(ratio - 1.0)
        if best is None or stretch < best.stretch - 1e-9:
            best = TempoMatch(bpm_a=bpm_a, bpm_b=bpm_b, multiplier=multiplier, ratio=ratio, stretch=stretch)
    assert best is not None
    return best


def stretch_limit(match: TempoMatch) -> float:
    """The most a blend built for this pair may stretch B on average over its overlap: the audible line
    (:data:`PREFERRED_STRETCH`) when the plan's own stretch is within it, else :data:`MAX_STRETCH`.

    The plan prices a pair by the tempos of the whole tracks; the blend follows the beats under the
    overlap, which may run faster or slower there (a drifting track, or a grid the tracker wandered on
    where the pulse is weak). A pair planned as an unheard stretch must not be rendered as a heard one,
    so the transition builder keeps its stretch within this same limit or hands over otherwise."""
    return PREFERRED_STRETCH if match.stretch <= PREFERRED_STRETCH else MAX_STRETCH


def tempo_score(match: TempoMatch) -> float:
    """1 at equal tempo, 0.7 at the preferred 6 % limit, falling fast to 0 at the renderer's 12 % maximum.

    Half/double time costs a little (0.1): it works, but a same-time blend sounds more natural.
    """
    s = match.stretch
    if s <= PREFERRED_STRETCH:
        score = 1.0 - 0.3 * s / PREFERRED_STRETCH
    elif s <= MAX_STRETCH:
        score = 0.4 - 0.4 * (s - PREFERRED_STRETCH) / (MAX_STRETCH - PREFERRED_STRETCH)
    else:
        score = 0.0
    return max(0.0, score - (0.1 if match.multiplier != 1.0 else 0.0))


TEMPO_RELATIONS: Final[dict[float, str]] = {1.0: "", 2.0: "B in half time", 0.5: "B in double time"}
"""How a :class:`TempoMatch` multiplier reads: ``bpm_a = ratio * multiplier * bpm_b``, so a multiplier of
2 means B's own tempo is about half A's, i.e. B plays in half time against A."""


def effective_bpm(match: TempoMatch) -> float:
    """B's tempo as counted against A's (before any stretch): 68 BPM in half time under 136 counts 136.
    What a reason, the cue sheet and the picture name, so a half-time hand-over never reads as a jump."""
    return match.bpm_b * match.multiplier


def tempo_relation(match: TempoMatch) -> str:
    """``" (B in half time: 136 BPM effective)"``, the same in double time, or ``""``: the suffix a reason
    puts after the tempos, worded the same by the planner and the transition builder."""
    label = TEMPO_RELATIONS[match.multiplier]
    return f" ({label}: {effective_bpm(match):.0f} BPM effective)" if label else ""


def reliable_beats(a: TrackAnalysis) -> bool:
    """A beat grid trusted enough to beat-match on: a tempo, a confident tracker, at least two downbeats
    (a bar to cue on) and :data:`MIN_BEATS` beats."""
    return (
        a.bpm > 0
        and a.bpm_confidence >= BEAT_CONFIDENCE_MIN
        and len(a.downbeats) >= 2
        and len(a.beats) >= MIN_BEATS
    )


def meter_clash(a: TrackAnalysis, b: TrackAnalysis) -> str | None:
    """Why A and B cannot be beat-blended for their metres ("metres 3/4 and 4/4 differ"), or None.

    A waltz laid over a 4/4 track lines up one beat in three with a downbeat: its bars and 8-bar phrases
    run across the other's, so metres with different beats to the bar get a crossfade whatever their
    tempos (6/8, two beats to the bar, against 4/4 too: its phrases are half as long). 12/8 and 4/4 both
    count four beats to the bar, so their beats, bars and phrases coincide: a shuffle into a straight
    groove is a change of feel a DJ blends (as a breakbeat into house), not a clash of grids.

    A clash is a clash whatever the metre's confidence: an unsure track is already read with the usual
    four beats (:mod:`dj.analysis.meter`), and the readings other than four that stay unsure are mostly
    6/8 told from 12/8 (two nested groupings): on the analysis benchmark's rendered and folk sets all 7
    of them were right, so blending them as if 4/4 would have beat-blended jigs."""
    if a.beats_per_bar == b.beats_per_bar:
        return None
    return f"metres {a.meter} and {b.meter} differ"


def beatmatchable(a: TrackAnalysis, b: TrackAnalysis, match: TempoMatch) -> bool:
    """Whether A -> B can be an EQ blend: both grids trusted, the same metre, and the stretch within the
    renderer's limit. The planner promises an EQ blend exactly when this holds, and the transition
    builder tries one."""
    return (
        reliable_beats(a) and reliable_beats(b) and meter_clash(a, b) is None and match.stretch <= MAX_STRETCH
    )
