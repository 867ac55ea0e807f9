"""Turn a planned set into spoken, placed host lines: write each line from its hand-over, synthesize it,
fit it where one track plays alone (:mod:`dj.host.placement`); a line that does not fit is said in its
short form, and only left out (with the reason) when even that does not fit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import soxr

from dj.host.handover import Handover
from dj.host.lines import HostLine, write_line
from dj.host.placement import VoiceSlot, blends, place_voice, seconds_inside
from dj.mix.mastering import integrated_lufs
from dj.mix.timeline import Timeline

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planning.planner import TrackMeta
    from dj.speech.tts import Synthesizer

VOICE_LUFS = -15.0  # a touch under the music's -14 LUFS; the 9 dB duck makes it clearly audible


@dataclass(frozen=True, kw_only=True)
class VoiceLine:
    """A synthesized line ready to mix: mono audio at the mix rate, its slot and where it came from."""

    index: int
    track_id: str
    text: str
    y: np.ndarray
    slot: VoiceSlot
    backend: str
    voice: str
    variant: str = "full"  # "full", "first sentence" or "short": the longest form that fit a window

    @property
    def placed(self) -> bool:
        return self.slot.start_s is not None

    @property
    def span(self) -> tuple[float, float] | None:
        """Mix seconds the line occupies; None when it was left out."""
        start, end = self.slot.start_s, self.slot.end_s
        return None if start is None or end is None else (start, end)

    def seconds_in_blends(self, timeline: Timeline) -> float:
        """Seconds of this line inside any blend of ``timeline`` (placement keeps it at 0)."""
        span = self.span
        return 0.0 if span is None else seconds_inside(span, blends(timeline))


def write_lines(
    *,
    timeline: Timeline,
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    explanations: Mapping[str, str],
    seed: str = "",
) -> list[HostLine]:
    """The host's text for every track of the set (the opener included), each describing the hand-over
    into its track. The phrasing is seeded by ``seed`` and the set's order, so a re-run says the same."""
    set_seed = f"{seed}:{'|'.join(p.track_id for p in timeline.placements)}"
    lines: list[HostLine] = []
    n = len(timeline.placements)
    for p in timeline.placements:
        m = meta.get(p.track_id)
        handover = None
        if p.index:
            before = timeline.placements[p.index - 1].track_id
            handover = Handover.between(
                analyses[before], analyses[p.track_id], meta_from=meta.get(before), meta_to=m
            )
        lines.append(
            write_line(
                index=p.index,
                n_tracks=n,
                track_id=p.track_id,
                title=m.title if m else p.track_id,
                artist=m.artist if m else None,
                handover=handover,
                explanation=explanations.get(p.track_id, ""),
                previous=lines[-1] if lines else None,
                used=[line.template for line in lines],
                seed=set_seed,
            )
        )
    return lines


def _speak(synthesizer: Synthesizer, text: str, *, sr: int) -> tuple[np.ndarray, str, str]:
    """``text`` spoken at ``sr``, loudness-matched to :data:`VOICE_LUFS`; with the backend and voice."""
    speech = synthesizer.synthesize(text)
    y = speech.y.astype(np.float32)
    if speech.sr != sr:
        y = soxr.resample(y, speech.sr, sr).astype(np.float32)
    loudness = integrated_lufs(y, sr=sr)
    if np.isfinite(loudness):
        y = y * np.float32(10 ** ((VOICE_LUFS - loudness) / 20.0))
    return y, speech.backend, speech.voice


def voice_lines(
    *,
    timeline: Timeline,
    analyses: Mapping[str, TrackAnalysis],
    meta: Mapping[str, TrackMeta],
    explanations: Mapping[str, str],
    synthesizer: Synthesizer,
    sr: int,
    seed: str = "",
) -> Sequence[VoiceLine]:
    """One line per track (the opener included), synthesized, loudness-matched and placed where one
    track plays alone; a line that fits nowhere is tried in its short form before it is left out."""
    voiced: list[VoiceLine] = []
    texts = write_lines(timeline=timeline, analyses=analyses, meta=meta, explanations=explanations, seed=seed)
    not_before = 0.0
    for line in texts:
        forms = line.variants or (line.text,)
        variants = [(_variant_name(i, len(forms)), text) for i, text in enumerate(forms)]
        voiced.append(
            fit_line(
                line,
                variants,
                synthesizer=synthesizer,
                sr=sr,
                timeline=timeline,
                analyses=dict(analyses),
                not_before_s=not_before,
            )
        )
        end = voiced[-1].slot.end_s
        not_before = end if end is not None else not_before
    return voiced


def _variant_name(i: int, n: int) -> str:
    """The name of the ``i``-th of ``n`` forms of a line, longest first (as :attr:`HostLine.variants`)."""
    return "full" if i == 0 else "short" if i == n - 1 else "first sentence"


def fit_line(
    line: HostLine,
    variants: Sequence[tuple[str, str]],
    *,
    synthesizer: Synthesizer,
    sr: int,
    timeline: Timeline,
    analyses: dict[str, TrackAnalysis],
    not_before_s: float,
) -> VoiceLine:
    """The first of ``variants`` (name, text) that fits a solo window, else the last, left out."""
    voiced: VoiceLine | None = None
    for variant, text in variants:
        y, backend, voice = _speak(synthesizer, text, sr=sr)
        slot = place_voice(
            timeline=timeline,
            analyses=analyses,
            index=line.index,
            duration_s=len(y) / sr,
            not_before_s=not_before_s,
        )
        voiced = VoiceLine(
            index=line.index,
            track_id=line.track_id,
            text=text,
            y=y,
            slot=slot,
            backend=backend,
            voice=voice,
            variant=variant,
        )
        if voiced.placed:
            return voiced
    assert voiced is not None
    if voiced.variant == "short":
        reason = voiced.slot.reason.replace("left out:", "left out (its short form too):", 1)
        voiced = replace(voiced, slot=replace(voiced.slot, reason=reason))
    return voiced
