"""The tracklist / cue sheet of a rendered mix: what plays when, how each hand-over was made and why,
what was measured, and where the mix came from (provenance), including that the host voice is synthetic.

The sheet is typed (frozen dataclasses) so readers use attributes; ``to_json`` writes the mix's ``.json``
file and ``from_json`` reads one back. The JSON keys are the file format: the attribute names follow them
except where a key is not a Python name (``from``/``to`` -> ``from_id``/``to_id``) or names a list
(``voice`` -> ``voices``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dj.host.voiceover import VoiceLine
from dj.mix.exit_cue import cut_levels, cut_lufs
from dj.mix.measure import TransitionMeasure
from dj.mix.render import MixResult
from dj.mix.sources import load_source
from dj.mix.timeline import TrackPlacement
from dj.planning.planner import SetPlan, TrackMeta
from dj.planning.tempo_match import CROSSFADE, PREFERRED_STRETCH, TransitionKind

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from dj.analysis import TrackAnalysis

SYNTHETIC_VOICE_NOTE = "The host voice in this mix is synthetic (text-to-speech), not a human DJ."


def synthetic_voice_note(model: str | None) -> str:
    """The statement that the voice is synthetic, naming its model when known (``Synthesizer.model_label``,
    e.g. "hibari-tts af_heart (Kokoro-82M distilled)"): the sheet's, the file tags' and the CLI's words."""
    if not model:
        return SYNTHETIC_VOICE_NOTE
    return f"The host voice in this mix is synthetic: text-to-speech by {model}, not a human DJ."


_JSON_KEYS = {"from_id": "from", "to_id": "to", "voices": "voice"}
"""Attribute -> JSON key where they differ."""


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _to_dict(value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _to_dict(record: DataclassInstance) -> dict[str, Any]:
    """The record as JSON-safe data, keys in field order (the file's key order)."""
    return {_JSON_KEYS.get(f.name, f.name): _encode(getattr(record, f.name)) for f in fields(record)}


def _kwargs(cls: type[DataclassInstance], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor arguments from a record's JSON; optional fields missing from it keep their default."""
    return {
        f.name: raw[_JSON_KEYS.get(f.name, f.name)]
        for f in fields(cls)
        if _JSON_KEYS.get(f.name, f.name) in raw
    }


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Everything that shaped the mix, so a listener or an auditor can tell how it was made."""

    user_id: str
    recommender_bundle: str | None
    analysis_version: str
    tts_backend: str | None
    tts_voice: str | None
    tts_model: str | None = None
    """The voice's model as the listener is told it (``Synthesizer.model_label``)."""
    arc: str
    requests: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Provenance:
        kwargs = _kwargs(cls, raw)
        kwargs["requests"] = tuple(raw.get("requests", ()))
        kwargs["options"] = dict(raw.get("options", {}))
        return cls(**kwargs)


@dataclass(frozen=True, kw_only=True)
class CueTrack:
    """One track of the set: where it plays on the mix clock and which part of its source plays.

    ``played_s``/``played_share`` are the source seconds played and their share of the track; the cut is
    where its audio stops (``source_to_s``), ``exit`` says why there, and ``lufs_before_cut`` /
    ``lufs_after_cut`` are the source's loudness over the 3 s either side (None after a track's end).
    ``fade_out_s``: the source seconds the last track fades over, ending at its cut (0: a hand-over takes
    the track out, or it plays to its own ending).
    """

    position: int
    track_id: str
    title: str
    artist: str | None
    start_s: float
    end_s: float
    source_from_s: float
    source_to_s: float
    bpm: float
    key: str
    camelot: str
    energy: float
    gain_db: float | None
    why_picked: str
    played_s: float | None = None
    played_share: float | None = None
    exit: str = ""
    lufs_before_cut: float | None = None
    lufs_after_cut: float | None = None
    fade_out_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class MeasuredFigures:
    """A transition as measured on the rendered audio (see :mod:`dj.mix.measure`).

    ``offset_*``: beats tracked independently in each placed stem and paired one by one (ms, B minus A):
    the median signed offset, the median and 90th percentile of its size, how many beats were paired,
    the onset cross-correlation's estimate of the same offset, and why the beats could not be paired
    (``offset_note``; when they were, it is empty or says at which pulse they were paired, e.g. twice
    the analysed tempo for a piece read in half time). ``beat_offset_ms`` is the beat-phase check on
    the overlap.
    """

    beat_offset_ms: float | None
    stretch_pct: float
    camelot_distance: int
    loudness_jump_lu: float | None
    offset_median_ms: float | None = None
    offset_median_abs_ms: float | None = None
    offset_p90_abs_ms: float | None = None
    offset_beats: int = 0
    offset_xcorr_ms: float | None = None
    offset_note: str = ""


@dataclass(frozen=True, kw_only=True)
class CueTransition:
    """One hand-over: how it was made (the design), why (design and plan), and what was measured."""

    index: int
    from_id: str
    to_id: str
    kind: TransitionKind
    bars: int
    start_s: float
    end_s: float
    stretch_ratio: float
    stretch_pct: float
    tempo_multiplier: float
    ramp_s: float
    camelot: str
    camelot_distance: int
    reason: str
    plan_reason: str
    measured: MeasuredFigures

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CueTransition:
        return cls(**{**_kwargs(cls, raw), "measured": MeasuredFigures(**raw["measured"])})


@dataclass(frozen=True, kw_only=True)
class CueVoice:
    """A host line: its text, where it was placed (or why it was left out) and the synthetic voice."""

    before_track: int
    text: str
    start_s: float | None
    end_s: float | None
    placement: str
    backend: str
    voice: str
    synthetic: bool = True
    variant: str = "full"
    seconds_in_blends: float = 0.0


@dataclass(frozen=True, kw_only=True)
class HostFigures:
    """Where the host spoke: seconds of voice inside blends (placement keeps this at 0.0), how many
    tracks it introduced, and why each of the others was not."""

    voice_in_blends_s: float
    tracks_introduced: int
    tracks: int
    not_introduced: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MixSummary:
    """The figures the issue asks for, over all transitions of one mix."""

    transitions: int
    beatmatched: int
    crossfades: int
    beat_offset_measured: int
    median_abs_beat_offset_ms: float | None
    stretch_within_6pct_share: float | None
    max_abs_loudness_jump_lu: float | None
    loudness_lufs: float
    true_peak_dbtp: float
    # Independent per-beat offsets pooled over the beat-matched transitions that could be measured.
    offsets_measured: int = 0
    offsets_median_abs_ms: float | None = None
    offsets_p90_abs_ms: float | None = None


@dataclass(frozen=True, kw_only=True)
class CueSheet:
    """The whole sheet; ``timings_s`` (seconds per step of making the mix) is there when it was timed."""

    title: str
    duration_s: float
    sample_rate: int
    loudness_lufs: float
    true_peak_dbtp: float
    arc: str
    tracks: tuple[CueTrack, ...]
    transitions: tuple[CueTransition, ...]
    voices: tuple[CueVoice, ...]
    synthetic_voice: str
    provenance: Provenance
    summary: MixSummary
    host: HostFigures | None = None
    timings_s: Mapping[str, float] | None = None

    def to_json(self) -> str:
        """The mix's ``.json`` file."""
        data = _to_dict(self)
        if self.timings_s is None:
            del data["timings_s"]
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> CueSheet:
        raw = json.loads(text)
        return cls(
            **{
                **_kwargs(cls, raw),
                "tracks": tuple(CueTrack(**t) for t in raw["tracks"]),
                "transitions": tuple(CueTransition.from_dict(t) for t in raw["transitions"]),
                "voices": tuple(CueVoice(**v) for v in raw["voice"]),
                "provenance": Provenance.from_dict(raw["provenance"]),
                "summary": MixSummary(**raw["summary"]),
                "host": _host_from(raw.get("host")),
            }
        )


def _host_from(raw: Mapping[str, Any] | None) -> HostFigures | None:
    if raw is None:
        return None
    return HostFigures(**{**raw, "not_introduced": tuple(raw.get("not_introduced", ()))})


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def _r_opt(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else _r(x, nd)


def cue_sheet(
    *,
    plan: SetPlan,
    result: MixResult,
    measures: Sequence[TransitionMeasure],
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    provenance: Provenance,
    timings_s: Mapping[str, float] | None = None,
) -> CueSheet:
    """Tracks with start times, transitions with reasons and measured figures, voices, provenance."""
    tl = result.timeline
    tracks = []
    for p in tl.placements:
        a, m = analyses[p.track_id], meta.get(p.track_id)
        tracks.append(
            CueTrack(
                position=p.index + 1,
                track_id=p.track_id,
                title=m.title if m else p.track_id,
                artist=m.artist if m else None,
                start_s=_r(p.mix_start_s),
                end_s=_r(p.mix_end_s),
                source_from_s=_r(p.src_start_s),
                source_to_s=_r(p.src_end_s),
                bpm=_r(a.bpm, 2),
                key=a.key,
                camelot=a.camelot,
                energy=_r(a.energy),
                gain_db=_r_opt(result.track_gains_db.get(p.track_id), 2),
                why_picked=plan.explanations.get(p.track_id, ""),
                **_cut(p, a, sr=result.sr),
            )
        )
    transitions = []
    for k, (spec, meas) in enumerate(zip(tl.transitions, measures, strict=True)):
        planned = plan.transitions[k] if k < len(plan.transitions) else None
        transitions.append(
            CueTransition(
                index=k + 1,
                from_id=tl.placements[k].track_id,
                to_id=tl.placements[k + 1].track_id,
                kind=spec.kind,
                bars=spec.bars,
                start_s=_r(meas.mix_start_s),
                end_s=_r(meas.mix_end_s),
                stretch_ratio=_r(spec.ratio, 5),
                stretch_pct=_r(spec.stretch_pct, 2),
                tempo_multiplier=spec.multiplier,
                ramp_s=_r(spec.ramp_s, 2),
                camelot=f"{meas.camelot_from}->{meas.camelot_to}",
                camelot_distance=meas.camelot_distance,
                reason=spec.reason,
                plan_reason=planned.reason if planned else "",
                measured=MeasuredFigures(
                    beat_offset_ms=_r_opt(meas.beat_offset_ms, 1),
                    stretch_pct=_r(meas.stretch_pct, 2),
                    camelot_distance=meas.camelot_distance,
                    loudness_jump_lu=_r_opt(meas.loudness_jump_lu, 2),
                    **_tracked_figures(meas),
                ),
            )
        )
    return CueSheet(
        title=f"Selecta mix for {provenance.user_id}",
        duration_s=_r(result.duration_s),
        sample_rate=result.sr,
        loudness_lufs=_r(result.lufs, 2),
        true_peak_dbtp=_r(result.true_peak_dbtp, 2),
        arc=plan.arc.value,
        tracks=tuple(tracks),
        transitions=tuple(transitions),
        voices=tuple(_voice(v, result) for v in result.voices),
        synthetic_voice=synthetic_voice_note(provenance.tts_model),
        provenance=provenance,
        summary=summary(measures, result),
        host=host_figures(result),
        timings_s=timings_s,
    )


def _cut(p: TrackPlacement, a: TrackAnalysis, *, sr: int) -> dict[str, Any]:
    """How much of the track played, why it leaves where it does and the loudness around that cut."""
    before = after = None
    if a.path is not None:
        before, after = cut_lufs(load_source(a.path, sr), sr=sr, cut_s=p.src_end_s)
    played = p.src_end_s - p.src_start_s
    return {
        "played_s": _r(played, 2),
        "played_share": _r(played / a.duration_s) if a.duration_s > 0 else None,
        "exit": _exit(p, a),
        "lufs_before_cut": before,
        "lufs_after_cut": after,
        "fade_out_s": _r(p.fade_out_s, 2),
    }


def _exit(p: TrackPlacement, a: TrackAnalysis) -> str:
    """Why the track leaves where it does: the energy around the cut, and for the last track how it ends
    (a fade on a phrase boundary, or its own ending)."""
    levels = cut_levels(a, cut_s=p.src_end_s)
    if not p.ending:
        return levels.describe()
    return p.ending if levels.after_db is None else f"{p.ending}, {levels.describe()}"


def host_figures(result: MixResult) -> HostFigures:
    """Seconds of voice inside blends and the tracks introduced, from the placed lines and the timeline."""
    placed = {v.index for v in result.voices if v.placed}
    written = {v.index for v in result.voices}
    why_not = [f"#{v.index + 1}: {v.slot.reason}" for v in result.voices if not v.placed]
    missing = "no line was written" if written else "no host voice in this mix"
    why_not += [f"#{p.index + 1}: {missing}" for p in result.timeline.placements if p.index not in written]
    return HostFigures(
        voice_in_blends_s=_r(sum(v.seconds_in_blends(result.timeline) for v in result.voices), 2),
        tracks_introduced=len(placed),
        tracks=len(result.timeline.placements),
        not_introduced=tuple(why_not),
    )


def _voice(v: VoiceLine, result: MixResult) -> CueVoice:
    return CueVoice(
        before_track=v.index + 1,
        text=v.text,
        start_s=_r_opt(v.slot.start_s),
        end_s=_r_opt(v.slot.end_s),
        placement=v.slot.reason,
        backend=v.backend,
        voice=v.voice,
        variant=v.variant,
        seconds_in_blends=_r(v.seconds_in_blends(result.timeline), 2),
    )


def _tracked_figures(meas: TransitionMeasure) -> dict[str, Any]:
    t = meas.tracked
    if t is None:
        return {}
    return {
        "offset_median_ms": _r_opt(t.median_ms, 1),
        "offset_median_abs_ms": _r_opt(t.median_abs_ms, 1),
        "offset_p90_abs_ms": _r_opt(t.p90_abs_ms, 1),
        "offset_beats": len(t.offsets_ms),
        "offset_xcorr_ms": _r_opt(t.xcorr_ms, 1),
        "offset_note": t.reason or t.note,
    }


def summary(measures: Sequence[TransitionMeasure], result: MixResult) -> MixSummary:
    """The figures the issue asks for, over all transitions of this mix."""
    offsets = sorted(abs(m.beat_offset_ms) for m in measures if m.beat_offset_ms is not None)
    matched = [m for m in measures if m.kind != CROSSFADE]
    within = [m for m in matched if abs(m.stretch_pct) / 100 <= PREFERRED_STRETCH]
    jumps = [abs(m.loudness_jump_lu) for m in measures if m.loudness_jump_lu is not None]
    tracked = [m.tracked for m in measures if m.tracked is not None and m.tracked.measured]
    pooled = np.abs(np.concatenate([t.offsets_ms for t in tracked])) if tracked else np.zeros(0)
    mid = len(offsets) // 2
    median = None
    if offsets:
        median = offsets[mid] if len(offsets) % 2 else 0.5 * (offsets[mid - 1] + offsets[mid])
    return MixSummary(
        transitions=len(measures),
        beatmatched=len(matched),
        crossfades=len(measures) - len(matched),
        beat_offset_measured=len(offsets),
        median_abs_beat_offset_ms=_r_opt(median, 1),
        stretch_within_6pct_share=_r(len(within) / len(matched), 3) if matched else None,
        max_abs_loudness_jump_lu=_r(max(jumps), 2) if jumps else None,
        loudness_lufs=_r(result.lufs, 2),
        true_peak_dbtp=_r(result.true_peak_dbtp, 2),
        offsets_measured=len(tracked),
        offsets_median_abs_ms=_r(float(np.median(pooled)), 1) if pooled.size else None,
        offsets_p90_abs_ms=_r(float(np.percentile(pooled, 90)), 1) if pooled.size else None,
    )
