"""Set planning: order recommended candidates so every transition mixes well and the set follows an arc.

The score of a set is the sum of its transition scores (graded Camelot compatibility, tempo closeness,
fit to the chosen energy arc, the recommender's score, artist and mood variety). Greedy ordering walks into
dead ends (a perfect first move that leaves no good second one), so the order is found with a beam
search over partial sets; the best few hundred partial sets survive each step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy.stats import rankdata

from core.camelot import compatibility
from core.moods import mood_of
from dj.errors import DJError
from dj.planning.arcs import EnergyArc, describe_move, target_energy
from dj.planning.tempo_match import (
    CROSSFADE,
    EQ_BLEND,
    TransitionKind,
    beatmatchable,
    match_tempo,
    meter_clash,
    reliable_beats,
    tempo_relation,
    tempo_score,
)

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planning.session import DJSession


class PlanningError(DJError):
    """The candidates cannot make the requested set (too few analysed tracks, bad length)."""

    code = "planning_failed"
    status = 422


class Candidate(Protocol):
    """What the planner needs from a ranked candidate; ``recommender.Recommendation`` satisfies it.
    Read-only, so frozen dataclasses satisfy it too."""

    @property
    def track_id(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def explanation(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class TrackMeta:
    """Catalogue facts the planner and the host voice use: who made it and which moods it carries."""

    track_id: str
    title: str
    artist: str | None  # None when the catalogue does not know it (an untagged file)
    tags: tuple[str, ...] = ()

    @property
    def mood(self) -> str | None:
        """The mood the tags carry, from the one vocabulary in :mod:`core.moods`."""
        return mood_of(self.tags)


@dataclass(frozen=True, kw_only=True)
class PlanWeights:
    """Relative weights of the transition score's parts."""

    key: float = 1.0
    tempo: float = 1.5
    energy: float = 0.8
    recommender: float = 0.6
    artist_repeat: float = 1.0
    mood_run: float = 0.3


@dataclass(frozen=True, kw_only=True)
class PlannedTransition:
    """Why track ``from_id`` hands over to ``to_id``: each part of the score and a readable reason.

    ``kind`` is the hand-over the plan promises (an EQ blend exactly when the pair can be beat-matched);
    the transition builder may still fall back to a crossfade when no cue points fit both tracks.
    """

    from_id: str
    to_id: str
    kind: TransitionKind
    score: float
    key_score: float
    camelot_from: str
    camelot_to: str
    camelot_distance: int
    key_label: str
    tempo_score: float
    bpm_from: float
    bpm_to: float
    tempo_multiplier: float
    stretch_pct: float
    energy_from: float
    energy_to: float
    energy_fit: float
    recommender_score: float
    reason: str

    @property
    def beatmatchable(self) -> bool:
        return self.kind == EQ_BLEND


@dataclass(frozen=True, kw_only=True)
class SetPlan:
    """An ordered set: track ids, one transition per neighbouring pair, the arc and the total score."""

    track_ids: tuple[str, ...]
    transitions: tuple[PlannedTransition, ...]
    arc: EnergyArc
    total_score: float
    explanations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class _Pool:
    """Candidates as arrays: pair scores precomputed once so the search only adds numbers."""

    ids: list[str]
    pair: np.ndarray  # key + tempo part of a transition i -> j
    energy_rank: np.ndarray  # 0..1 rank of each candidate's energy in the pool
    rec: np.ndarray  # recommender score scaled to 0..1
    artists: list[str]
    moods: list[str | None]
    varied_artists: bool


def _pool(
    candidates: Sequence[Candidate],
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    weights: PlanWeights,
) -> _Pool:
    ids = [c.track_id for c in candidates]
    n = len(ids)
    pair = np.zeros((n, n))
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i != j:
                pair[i, j] = weights.key * compatibility(analyses[a].camelot, analyses[b].camelot).score
                pair[i, j] += weights.tempo * _pair_tempo(analyses[a], analyses[b])
    energies = np.array([analyses[t].energy for t in ids])
    # Ties share a rank, so equal energies are equally close to any target.
    rank = (rankdata(energies) - 1) / max(1, n - 1) if n else energies
    scores = np.array([c.score for c in candidates], dtype=float)
    span = float(scores.max() - scores.min()) if n else 0.0
    rec = (scores - scores.min()) / span if span > 0 else np.ones(n)
    # A track without a known artist counts as its own artist: two untagged files are not "the same artist".
    artists = [(meta[t].artist if t in meta else None) or t for t in ids]
    moods = [meta[t].mood if t in meta else None for t in ids]
    return _Pool(
        ids=ids,
        pair=pair,
        energy_rank=rank,
        rec=rec,
        artists=artists,
        moods=moods,
        varied_artists=len(set(artists)) > 1,
    )


def _pair_tempo(a: TrackAnalysis, b: TrackAnalysis) -> float:
    # A pair that cannot be beat-matched still mixes (plain crossfade) but ranks well below a beat-match.
    if not (reliable_beats(a) and reliable_beats(b)) or meter_clash(a, b):
        return 0.2
    return tempo_score(match_tempo(bpm_a=a.bpm, bpm_b=b.bpm))


def _step_score(
    pool: _Pool, seq: tuple[int, ...], j: int, *, arc: EnergyArc, n_tracks: int, weights: PlanWeights
) -> float:
    """Score of appending candidate ``j`` at position ``len(seq)``."""
    pos = len(seq)
    fit = 1.0 - min(1.0, 2.0 * abs(pool.energy_rank[j] - target_energy(arc, position=pos, n_tracks=n_tracks)))
    score = weights.energy * fit + weights.recommender * pool.rec[j]
    if not seq:
        return float(score)
    i = seq[-1]
    score += pool.pair[i, j]
    if arc is EnergyArc.STEADY:
        score -= weights.energy * abs(pool.energy_rank[j] - pool.energy_rank[i])
    recent = seq[-3:]
    if not pool.varied_artists:
        pass  # one-artist pools (the demo catalogue): artist variety cannot be had, so it does not count
    elif pool.artists[j] == pool.artists[i]:
        score -= weights.artist_repeat
    elif any(pool.artists[k] == pool.artists[j] for k in recent):
        score -= 0.5 * weights.artist_repeat
    if pool.moods[j] is not None and len(seq) >= 2 and pool.moods[j] == pool.moods[i] == pool.moods[seq[-2]]:
        score -= weights.mood_run
    return float(score)


def _beam(
    pool: _Pool,
    *,
    prefix: tuple[int, ...],
    n_tracks: int,
    arc: EnergyArc,
    beam_width: int,
    weights: PlanWeights,
) -> tuple[tuple[int, ...], float]:
    start_score = 0.0
    for k, j in enumerate(prefix):
        start_score += _step_score(pool, prefix[:k], j, arc=arc, n_tracks=n_tracks, weights=weights)
    beam: list[tuple[float, tuple[int, ...]]] = [(start_score, prefix)]
    n = len(pool.ids)
    for _ in range(n_tracks - len(prefix)):
        expanded: dict[tuple[frozenset[int], int], tuple[float, tuple[int, ...]]] = {}
        for score, seq in beam:
            used = set(seq)
            for j in range(n):
                if j in used:
                    continue
                total = score + _step_score(pool, seq, j, arc=arc, n_tracks=n_tracks, weights=weights)
                # Two partial sets with the same tracks and the same last track have the same future.
                key = (frozenset(used | {j}), j)
                if key not in expanded or expanded[key][0] < total:
                    expanded[key] = (total, (*seq, j))
        beam = sorted(expanded.values(), key=lambda item: -item[0])[:beam_width]
    best_score, best = beam[0]
    return best, best_score


def greedy_order(
    pool_candidates: Sequence[Candidate],
    *,
    analyses: Mapping[str, TrackAnalysis],
    n_tracks: int,
    arc: EnergyArc | str = EnergyArc.STEADY,
    meta: Mapping[str, TrackMeta] | None = None,
) -> SetPlan:
    """The same objective solved greedily (a beam of one): the baseline the beam search must beat."""
    return plan_set(pool_candidates, analyses=analyses, n_tracks=n_tracks, arc=arc, meta=meta, beam_width=1)


def plan_set(
    candidates: Sequence[Candidate],
    *,
    analyses: Mapping[str, TrackAnalysis],
    n_tracks: int | None = None,
    target_s: float | None = None,
    arc: EnergyArc | str = EnergyArc.STEADY,
    meta: Mapping[str, TrackMeta] | None = None,
    beam_width: int = 64,
    weights: PlanWeights | None = None,
    prefix: Sequence[str] = (),
) -> SetPlan:
    """Order ``candidates`` (those with an analysis) into a set of ``n_tracks`` or about ``target_s``.

    ``prefix`` fixes the first tracks (already played and playing); the search plans what follows them.
    """
    arc = EnergyArc.parse(arc)
    weights = weights or PlanWeights()
    meta = meta or {}
    first: dict[str, Candidate] = {}
    for c in candidates:
        if c.track_id in analyses:
            first.setdefault(c.track_id, c)  # a candidate ranked twice keeps its first (best) place
    usable = list(first.values())
    if n_tracks is None:
        if target_s is None or target_s <= 0:
            raise PlanningError("give n_tracks or a positive target_s")
        # Each track is heard for about three quarters of its length once overlaps are taken out.
        mean_s = float(np.mean([analyses[c.track_id].duration_s for c in usable])) if usable else 0.0
        n_tracks = max(2, math.ceil(target_s / max(1.0, 0.75 * mean_s)))
    if n_tracks < 1:
        raise PlanningError(f"n_tracks must be at least 1, got {n_tracks}")
    missing = [t for t in prefix if t not in analyses]
    if missing:
        raise PlanningError(f"tracks already in the set have no analysis: {missing}")
    prefix_cands = [_Fixed(track_id=t) for t in prefix]
    rest = [c for c in usable if c.track_id not in set(prefix)]
    if len(prefix) + len(rest) < n_tracks:
        raise PlanningError(
            f"asked for {n_tracks} tracks but only {len(prefix) + len(rest)} analysed candidates exist"
        )
    ordered_cands: list[Candidate] = [*prefix_cands, *rest]
    pool = _pool(ordered_cands, analyses, meta, weights)
    seq, total = _beam(
        pool,
        prefix=tuple(range(len(prefix))),
        n_tracks=n_tracks,
        arc=arc,
        beam_width=beam_width,
        weights=weights,
    )
    ids = tuple(pool.ids[k] for k in seq)
    transitions = tuple(
        _describe(
            pool,
            seq,
            k,
            analyses=analyses,
            arc=arc,
            n_tracks=n_tracks,
            weights=weights,
            meta=meta,
            explanations={c.track_id: c.explanation for c in rest},
        )
        for k in range(1, len(seq))
    )
    return SetPlan(
        track_ids=ids,
        transitions=transitions,
        arc=arc,
        total_score=float(total),
        explanations={c.track_id: c.explanation for c in rest},
    )


@dataclass(frozen=True, kw_only=True)
class _Fixed:
    track_id: str
    score: float = 0.0
    explanation: str = ""


def _describe(
    pool: _Pool,
    seq: tuple[int, ...],
    k: int,
    *,
    analyses: Mapping[str, TrackAnalysis],
    arc: EnergyArc,
    n_tracks: int,
    weights: PlanWeights,
    meta: Mapping[str, TrackMeta],
    explanations: Mapping[str, str],
) -> PlannedTransition:
    i, j = seq[k - 1], seq[k]
    a, b = analyses[pool.ids[i]], analyses[pool.ids[j]]
    comp = compatibility(a.camelot, b.camelot)
    match = match_tempo(bpm_a=a.bpm, bpm_b=b.bpm)
    kind = EQ_BLEND if beatmatchable(a, b, match) else CROSSFADE
    fit = 1.0 - min(1.0, 2.0 * abs(pool.energy_rank[j] - target_energy(arc, position=k, n_tracks=n_tracks)))
    parts = [f"{a.camelot}->{b.camelot} {comp.label}"]
    if kind == EQ_BLEND:
        parts.append(
            f"{a.bpm:.0f}->{b.bpm:.0f} BPM{tempo_relation(match)}, stretch {match.stretch_pct:+.1f}%"
        )
    elif not (reliable_beats(a) and reliable_beats(b)):
        parts.append("no reliable beat grid, so a plain crossfade")
    elif clash := meter_clash(a, b):
        parts.append(f"{clash}, so a plain crossfade")
    else:
        parts.append(
            f"tempos {a.bpm:.0f}/{b.bpm:.0f} BPM{tempo_relation(match)} too far apart to beat-match, "
            "so a plain crossfade"
        )
    parts.append(describe_move(arc, energy_from=a.energy, energy_to=b.energy))
    why = explanations.get(pool.ids[j])
    if why:
        parts.append(why)
    if pool.varied_artists and pool.artists[i] == pool.artists[j]:
        parts.append("same artist again (no better pick in the pool)")
    return PlannedTransition(
        from_id=pool.ids[i],
        to_id=pool.ids[j],
        kind=kind,
        score=_step_score(pool, seq[:k], j, arc=arc, n_tracks=n_tracks, weights=weights),
        key_score=comp.score,
        camelot_from=a.camelot,
        camelot_to=b.camelot,
        camelot_distance=comp.distance,
        key_label=comp.label,
        tempo_score=_pair_tempo(a, b),
        bpm_from=a.bpm,
        bpm_to=b.bpm,
        tempo_multiplier=match.multiplier,
        stretch_pct=match.stretch_pct if kind == EQ_BLEND else 0.0,
        energy_from=a.energy,
        energy_to=b.energy,
        energy_fit=fit,
        recommender_score=float(pool.rec[j]),
        reason="; ".join(parts),
    )


def replan(
    session: DJSession,
    candidates: Sequence[Candidate],
    analyses: Mapping[str, TrackAnalysis],
    *,
    n_tracks: int | None = None,
    arc: EnergyArc | str | None = None,
    meta: Mapping[str, TrackMeta] | None = None,
    beam_width: int = 64,
) -> SetPlan:
    """Re-plan what follows the playing track (kept, with everything already played, as the prefix)."""
    prefix = tuple(session.track_ids[: session.position + 1])
    total = n_tracks if n_tracks is not None else max(len(session.track_ids), len(prefix) + 1)
    return plan_set(
        candidates,
        analyses=analyses,
        n_tracks=total,
        arc=arc or session.energy_arc,
        meta=meta,
        beam_width=beam_width,
        prefix=prefix,
    )
