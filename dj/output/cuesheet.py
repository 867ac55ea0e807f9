"""The tracklist / cue sheet of a rendered mix: what plays when, how each hand-over was made and why,
what was measured, and where the mix came from (provenance), including that the host voice is synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from dj.host.voiceover import VoiceLine
from dj.mix.measure import TransitionMeasure
from dj.mix.render import MixResult
from dj.planning.planner import SetPlan, TrackMeta

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis

SYNTHETIC_VOICE_NOTE = "The host voice in this mix is synthetic (text-to-speech), not a human DJ."


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Everything that shaped the mix, so a listener or an auditor can tell how it was made."""

    user_id: str
    recommender_bundle: str | None
    analysis_version: str
    tts_backend: str | None
    tts_voice: str | None
    arc: str
    requests: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def cue_sheet(
    *,
    plan: SetPlan,
    result: MixResult,
    measures: Sequence[TransitionMeasure],
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    provenance: Provenance,
) -> dict[str, Any]:
    """A JSON-safe dict: tracks with start times, transitions with reasons and measured figures, voices."""
    tl = result.timeline
    tracks = []
    for p in tl.placements:
        a, m = analyses[p.track_id], meta.get(p.track_id)
        tracks.append(
            {
                "position": p.index + 1,
                "track_id": p.track_id,
                "title": m.title if m else p.track_id,
                "artist": m.artist if m else None,
                "start_s": _r(p.mix_start_s),
                "end_s": _r(p.mix_end_s),
                "source_from_s": _r(p.src_start_s),
                "source_to_s": _r(p.src_end_s),
                "bpm": _r(a.bpm, 2),
                "key": a.key,
                "camelot": a.camelot,
                "energy": _r(a.energy),
                "gain_db": _r(result.track_gains_db.get(p.track_id), 2),
                "why_picked": plan.explanations.get(p.track_id, ""),
            }
        )
    transitions = []
    for k, (spec, meas) in enumerate(zip(tl.transitions, measures, strict=True)):
        planned = plan.transitions[k] if k < len(plan.transitions) else None
        transitions.append(
            {
                "index": k + 1,
                "from": tl.placements[k].track_id,
                "to": tl.placements[k + 1].track_id,
                "kind": spec.kind,
                "bars": spec.bars,
                "start_s": _r(meas.mix_start_s),
                "end_s": _r(meas.mix_end_s),
                "stretch_ratio": _r(spec.ratio, 5),
                "stretch_pct": _r(spec.stretch_pct, 2),
                "tempo_multiplier": spec.multiplier,
                "ramp_s": _r(spec.ramp_s, 2),
                "camelot": f"{meas.camelot_from}->{meas.camelot_to}",
                "camelot_distance": meas.camelot_distance,
                "reason": spec.reason,
                "plan_reason": planned.reason if planned else "",
                "measured": {
                    "beat_offset_ms": _r(meas.beat_offset_ms, 1),
                    "stretch_pct": _r(meas.stretch_pct, 2),
                    "camelot_distance": meas.camelot_distance,
                    "loudness_jump_lu": _r(meas.loudness_jump_lu, 2),
                },
            }
        )
    voices = [_voice(v) for v in result.voices]
    return {
        "title": f"Selecta mix for {provenance.user_id}",
        "duration_s": _r(result.duration_s),
        "sample_rate": result.sr,
        "loudness_lufs": _r(result.lufs, 2),
        "true_peak_dbtp": _r(result.true_peak_dbtp, 2),
        "arc": plan.arc.value,
        "tracks": tracks,
        "transitions": transitions,
        "voice": voices,
        "synthetic_voice": SYNTHETIC_VOICE_NOTE,
        "provenance": {**asdict(provenance), "requests": list(provenance.requests)},
        "summary": summary(measures, result),
    }


def _voice(v: VoiceLine) -> dict[str, Any]:
    return {
        "before_track": v.index + 1,
        "text": v.text,
        "start_s": _r(v.slot.start_s),
        "end_s": _r(v.slot.end_s),
        "placement": v.slot.reason,
        "backend": v.backend,
        "voice": v.voice,
        "synthetic": True,
    }


def summary(measures: Sequence[TransitionMeasure], result: MixResult) -> dict[str, Any]:
    """The figures the issue asks for, over all transitions of this mix."""
    offsets = sorted(abs(m.beat_offset_ms) for m in measures if m.beat_offset_ms is not None)
    matched = [m for m in measures if m.kind != "crossfade"]
    within = [m for m in matched if abs(m.stretch_pct) <= 6.0]
    jumps = [abs(m.loudness_jump_lu) for m in measures if m.loudness_jump_lu is not None]
    mid = len(offsets) // 2
    median = None
    if offsets:
        median = offsets[mid] if len(offsets) % 2 else 0.5 * (offsets[mid - 1] + offsets[mid])
    return {
        "transitions": len(measures),
        "beatmatched": len(matched),
        "crossfades": len(measures) - len(matched),
        "beat_offset_measured": len(offsets),
        "median_abs_beat_offset_ms": _r(median, 1),
        "stretch_within_6pct_share": _r(len(within) / len(matched), 3) if matched else None,
        "max_abs_loudness_jump_lu": _r(max(jumps), 2) if jumps else None,
        "loudness_lufs": _r(result.lufs, 2),
        "true_peak_dbtp": _r(result.true_peak_dbtp, 2),
    }
