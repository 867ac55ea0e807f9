"""Tempo relations between two tracks: the nearest of half, equal or double time, and the stretch it needs.

Kept apart from the planner and the transition builder because both must agree exactly on which tempo
relation a pair uses, or the plan would promise a stretch that the render does not perform.
"""

from __future__ import annotations

from dataclasses import dataclass

# Below this beat-tracking confidence a track's beat grid is not trusted for beat-matching.
BEAT_CONFIDENCE_MIN = 0.25
# Stretch the issue prefers to stay within, and the most the renderer will ever apply.
PREFERRED_STRETCH = 0.06
MAX_STRETCH = 0.12


@dataclass(frozen=True, kw_only=True)
class TempoMatch:
    """How track B's tempo relates to track A's.

    ``multiplier`` is 0.5, 1 or 2 (B counted in half, equal or double time); ``ratio`` is the factor B's
    playback speed must change by so that its (multiplied) tempo equals A's; ``stretch`` is ``|ratio-1|``.
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
    for multiplier in (1.0, 2.0, 0.5):
        ratio = bpm_a / (bpm_b * multiplier)
        stretch = abs(ratio - 1.0)
        if best is None or stretch < best.stretch - 1e-9:
            best = TempoMatch(bpm_a=bpm_a, bpm_b=bpm_b, multiplier=multiplier, ratio=ratio, stretch=stretch)
    assert best is not None
    return best


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
