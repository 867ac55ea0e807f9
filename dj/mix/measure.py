"""Measure every transition on the rendered audio, not on the plan: beat offsets, stretch, key distance,
loudness jump.

Independent beat offsets (the figure to trust): each placed stem is beat-tracked on its own with a
tracker that shares nothing with the planner, beat by beat, with the median and 90th percentile
(:mod:`dj.mix.tracked_offsets`); a transition whose trackers disagree on the tempo octave or the beat
phase is reported as unmeasurable with the reason.

Phase check (``beat_offset_ms``): under each overlap we take what was actually rendered for each
track (after the
stretch and the alignment, before the faders, so neither track is faded to silence), compute each
one's onset envelope and estimate its beat phase over the overlap: the offset of a pulse train at A's
tempo that best fits the onsets (a tempo-informed beat tracker, 0.4 ms steps). The offset is B's phase
minus A's, wrapped to half a beat (``None`` when either part has no clear, unambiguous beat). Nothing
from the plan's beat grids enters the figure, so a stretcher latency, a misplaced head or tempo drift
all show up. It is the same phase estimator that refined the grids before rendering (dj.mix.beat_phase), so
it checks that the render put the beats where the plan meant; that the estimator finds true beats is
checked separately on rendered drum tracks with known beats (tests/dj/test_render.py).
Loudness jump: the BS.1770 loudness of the finished mix over 3 s just before the overlap minus 3 s
just after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from core.camelot import camelot_distance
from dj.mix.beat_phase import MIN_CONTRAST, beat_phase, onset_envelope
from dj.mix.mastering import integrated_lufs
from dj.mix.render import MixResult, OverlapStems
from dj.mix.tracked_offsets import TEMPO_DISAGREE, TrackedOffsets, tracked_offsets
from dj.mix.transitions import TransitionSpec
from dj.planning.tempo_match import EQ_BLEND, TransitionKind

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

LOUDNESS_WINDOW_S = 3.0


@dataclass(frozen=True, kw_only=True)
class TransitionMeasure:
    """What was measured on the rendered audio of transition ``index``, beside the design it measures
    (``spec``: kind, length and stretch are the design's, not copies of it)."""

    index: int
    spec: TransitionSpec
    mix_start_s: float
    mix_end_s: float
    beat_offset_ms: float | None  # signed, B after A when positive; None for crossfades or no clear beat
    camelot_from: str
    camelot_to: str
    camelot_distance: int
    loudness_jump_lu: float | None
    tracked: TrackedOffsets | None = None  # independent per-beat offsets; None for crossfades

    @property
    def kind(self) -> TransitionKind:
        return self.spec.kind

    @property
    def bars(self) -> int:
        return self.spec.bars

    @property
    def stretch_pct(self) -> float:
        return self.spec.stretch_pct


def beat_offset(stems: OverlapStems, *, beat_s: float) -> float | None:
    """Signed beat-phase difference of B against A over the whole overlap (seconds); ``None`` when either
    rendered part has no clear beat."""
    a, b = stems.a_overlap, stems.b_overlap
    ea, eb = onset_envelope(y=a, sr=stems.sr), onset_envelope(y=b, sr=stems.sr)
    n_beats = int(min(len(a), len(b)) / stems.sr / beat_s)
    beats = beat_s * np.arange(n_beats)
    phase_a, contrast_a = beat_phase(ea, beats=beats, period=beat_s)
    phase_b, contrast_b = beat_phase(eb, beats=beats, period=beat_s)
    if min(contrast_a, contrast_b) < MIN_CONTRAST:
        return None
    return (phase_b - phase_a + 0.5 * beat_s) % beat_s - 0.5 * beat_s


def independent_offsets(stems: OverlapStems, *, start_bpm: float = 120.0) -> TrackedOffsets:
    """Per-beat offsets of one overlap from its stems, each tracked over its context as well
    (``start_bpm``: the tempo at which A's and B's beats meet, the centre of the trackers' tempo prior,
    nothing more)."""
    return tracked_offsets(
        stems.a,
        stems.b,
        sr=stems.sr,
        a_overlap_start_s=stems.a_lead_s,
        overlap_s=stems.overlap_s,
        start_bpm=start_bpm,
    )


def _tracked(stems: OverlapStems, *, spec: TransitionSpec, a_bpm: float) -> TrackedOffsets:
    """Independent offsets of a beat-matched overlap. Where B plays in half time only every other beat
    of A meets one of B's, so both trackers look for the beats the two share (half A's tempo): that is
    where a wrong half would show. Only when the trackers cannot agree on a tempo there (a 3:2 reading,
    say) are the beats paired at A's own tempo instead, with a note: that checks the timing of the
    pulse, not which half of it B sits on."""
    shared = independent_offsets(stems, start_bpm=a_bpm / max(spec.multiplier, 1.0))
    if spec.multiplier <= 1.0 or shared.measured or not shared.reason.startswith(TEMPO_DISAGREE):
        return shared
    at_a = independent_offsets(stems, start_bpm=a_bpm)
    if not at_a.measured:
        return shared
    return replace(
        at_a,
        note=f"measured at A's {at_a.tempo_a_bpm:.0f} BPM pulse: at the beats the two share, {shared.reason}",
    )


def _loudness(y: np.ndarray, sr: int, t0: float, t1: float) -> float:
    seg = y[:, max(0, int(t0 * sr)) : max(0, int(t1 * sr))]
    return integrated_lufs(seg, sr=sr)


def measure_mix(result: MixResult, *, analyses: Mapping[str, TrackAnalysis]) -> list[TransitionMeasure]:
    """One measurement per transition of a rendered mix."""
    out: list[TransitionMeasure] = []
    stems = {s.index: s for s in result.stems}
    for k, spec in enumerate(result.timeline.transitions):
        start, end = result.timeline.overlap(k)
        offset, tracked = None, None
        a_id, b_id = result.timeline.placements[k].track_id, result.timeline.placements[k + 1].track_id
        a, b = analyses[a_id], analyses[b_id]
        if spec.kind == EQ_BLEND and k in stems:
            lag = beat_offset(stems[k], beat_s=60.0 / a.bpm)
            offset = None if lag is None else 1000 * lag
            tracked = _tracked(stems[k], spec=spec, a_bpm=a.bpm)
        before = _loudness(result.y, result.sr, start - LOUDNESS_WINDOW_S, start)
        after = _loudness(result.y, result.sr, end, end + LOUDNESS_WINDOW_S)
        jump = after - before if np.isfinite(before) and np.isfinite(after) else None
        out.append(
            TransitionMeasure(
                index=k,
                spec=spec,
                mix_start_s=start,
                mix_end_s=end,
                beat_offset_ms=offset,
                camelot_from=a.camelot,
                camelot_to=b.camelot,
                camelot_distance=camelot_distance(a.camelot, b.camelot),
                loudness_jump_lu=jump,
                tracked=tracked,
            )
        )
    return out
