"""Turn a planned set into spoken, placed host lines: write each line, synthesize it, fit it in the mix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import soxr

from dj.host.lines import write_line
from dj.host.placement import VoiceSlot, place_voice
from dj.loudness import integrated_lufs
from dj.timeline import Timeline

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planner import TrackMeta
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

    @property
    def placed(self) -> bool:
        return self.slot.start_s is not None


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
    """One line per track (the opener included), synthesized, loudness-matched and placed."""
    lines: list[VoiceLine] = []
    previous, previous_mood = None, None
    n = len(timeline.placements)
    for p in timeline.placements:
        a = analyses[p.track_id]
        m = meta.get(p.track_id)
        before = analyses[timeline.placements[p.index - 1].track_id].energy if p.index else a.energy
        line = write_line(
            index=p.index,
            n_tracks=n,
            track_id=p.track_id,
            title=m.title if m else p.track_id,
            artist=m.artist if m else None,
            energy_delta=a.energy - before,
            explanation=explanations.get(p.track_id, ""),
            mood=m.mood if m else None,
            previous=previous,
            previous_mood=previous_mood,
            seed=seed,
        )
        previous, previous_mood = line, (m.mood if m else None)
        speech = synthesizer.synthesize(line.text)
        y = speech.y.astype(np.float32)
        if speech.sr != sr:
            y = soxr.resample(y, speech.sr, sr).astype(np.float32)
        loudness = integrated_lufs(y, sr=sr)
        if np.isfinite(loudness):
            y = y * np.float32(10 ** ((VOICE_LUFS - loudness) / 20.0))
        slot = place_voice(timeline=timeline, analyses=dict(analyses), index=p.index, duration_s=len(y) / sr)
        lines.append(
            VoiceLine(
                index=p.index,
                track_id=p.track_id,
                text=line.text,
                y=y,
                slot=slot,
                backend=speech.backend,
                voice=speech.voice,
            )
        )
    return lines
