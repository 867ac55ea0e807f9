"""From an ordered set to audio: the one path that ``selecta mix``, a session's live stream and the mix
benchmark share, so the three cannot drift apart.

1. design every hand-over, with both beat grids first moved onto the tracks' onsets (the onset
   envelopes, :mod:`dj.mix.beat_phase`), and lay the tracks out on the mix clock (:mod:`dj.mix.timeline`);
2. with a host voice, write, synthesize and place a line for every track (:mod:`dj.host.voiceover`);
3. then render the whole mix (normalised, with the stems kept for measurement) or stream it chunk by chunk.

Steps 1 and 2 are :func:`lay_out`; step 3 is :meth:`LaidOutMix.render` or :meth:`LaidOutMix.stream`, kept
apart so a caller can time or report them separately and an API can fail before the first byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dj.host.voiceover import VoiceLine, voice_lines
from dj.mix.beat_phase import envelopes_for
from dj.mix.exit_cue import LengthMode
from dj.mix.render import MixResult, MixStream, RenderOptions, render_mix, render_stream
from dj.mix.timeline import Timeline, build_timeline

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planning.planner import TrackMeta
    from dj.speech.tts import Synthesizer


@dataclass(frozen=True, kw_only=True)
class HostVoice:
    """The synthetic host: its voice, the catalogue facts and pick reasons it talks about, and the seed
    (the listener) that keeps its phrasing the same when the same set is mixed again."""

    synthesizer: Synthesizer
    meta: Mapping[str, TrackMeta]
    explanations: Mapping[str, str]
    seed: str = ""


@dataclass(frozen=True, kw_only=True)
class LaidOutMix:
    """A set with its hand-overs designed and its host lines placed: everything but the audio."""

    timeline: Timeline
    voices: Sequence[VoiceLine]
    analyses: Mapping[str, TrackAnalysis]
    options: RenderOptions = field(default_factory=RenderOptions)

    @property
    def duration_s(self) -> float:
        return self.timeline.duration_s

    def render(self) -> MixResult:
        """The whole mix, normalised to the loudness target, with the overlap stems for measurement."""
        return render_mix(
            timeline=self.timeline, analyses=self.analyses, voices=self.voices, options=self.options
        )

    def stream(self) -> MixStream:
        """The mix rendered lazily: iterate it for limited chunks while the rest is still being mixed."""
        return render_stream(
            timeline=self.timeline, analyses=self.analyses, voices=self.voices, options=self.options
        )


def lay_out(
    track_ids: Sequence[str],
    analyses: Mapping[str, TrackAnalysis],
    *,
    options: RenderOptions | None = None,
    host: HostVoice | None = None,
    ramp: bool = True,
    refine_grids: bool = True,
    length: LengthMode = "dj",
    piecewise: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> LaidOutMix:
    """Design the hand-overs of ``track_ids`` (in order) and, with a ``host``, voice and place its lines.

    ``ramp`` eases each new track back to its own tempo after the blend; ``refine_grids=False`` uses the
    analysis beat grids as they are (the benchmark's reference); ``length`` is the listener's track-length
    mode (full, radio or dj: where each track leaves, :mod:`dj.mix.exit_cue`); ``piecewise=False`` aligns
    two straight grids instead of following the beats one by one (the reference for drifting music);
    ``on_step`` hears each step's name.
    """
    options = options or RenderOptions()
    step = on_step or (lambda _: None)
    step("designing transitions")
    envelopes = envelopes_for(analyses, track_ids, sr=options.sr) if refine_grids else None
    timeline = build_timeline(
        track_ids, analyses, envelopes=envelopes, ramp=ramp, length=length, piecewise=piecewise
    )
    voices: list[VoiceLine] = []
    if host is not None:
        step("synthesizing host lines")
        voices = list(
            voice_lines(
                timeline=timeline,
                analyses=analyses,
                meta=host.meta,
                explanations=host.explanations,
                synthesizer=host.synthesizer,
                sr=options.sr,
                seed=host.seed,
            )
        )
    return LaidOutMix(timeline=timeline, voices=voices, analyses=analyses, options=options)
