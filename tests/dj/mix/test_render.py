"""Rendering on real audio: beat alignment re-measured from the rendered tracks, loudness, streaming."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dj.analysis.loudness import integrated_loudness, true_peak_dbtp
from dj.analysis.result import TrackAnalysis
from dj.mix.beat_phase import envelopes_for
from dj.mix.measure import measure_mix
from dj.mix.pipeline import lay_out
from dj.mix.render import RenderOptions, render_mix, render_stream
from dj.mix.timeline import build_timeline
from dj.mix.transitions import BAR_CHOICES
from dj.planning.tempo_match import EQ_BLEND

SR = 22050
OPTIONS = RenderOptions(sr=SR, high_quality=False)


def _render(analyses: dict[str, TrackAnalysis], ids: list[str], *, refine: bool = False):
    envelopes = envelopes_for(analyses, ids, sr=SR) if refine else None
    timeline = build_timeline(ids, analyses, envelopes=envelopes)
    result = render_mix(timeline=timeline, analyses=analyses, options=OPTIONS)
    return result, measure_mix(result, analyses=analyses)


def test_beats_line_up_in_the_rendered_overlaps(drum_tracks: dict[str, TrackAnalysis]) -> None:
    _result, measures = _render(drum_tracks, ["a", "b", "c"])
    assert [m.kind for m in measures] == [EQ_BLEND, EQ_BLEND]
    for m in measures:
        assert m.beat_offset_ms is not None and abs(m.beat_offset_ms) < 10.0
        assert m.bars in BAR_CHOICES
    # B (124 BPM) was slowed to A's 120 BPM for the overlap.
    assert measures[0].stretch_pct == pytest.approx(100 * (120 / 124 - 1), abs=0.3)


def test_a_wrong_beat_grid_shows_in_the_measurement_and_refinement_fixes_it(
    drum_tracks: dict[str, TrackAnalysis], shift_grid
) -> None:
    wrong = {**drum_tracks, "b": shift_grid(drum_tracks["b"], 0.06)}
    _, measures = _render(wrong, ["a", "b"])
    assert (
        measures[0].beat_offset_ms is not None and abs(abs(measures[0].beat_offset_ms) - 60 * 120 / 124) < 10
    )
    _, refined = _render(wrong, ["a", "b"], refine=True)
    assert refined[0].beat_offset_ms is not None and abs(refined[0].beat_offset_ms) < 10.0


def test_cues_sit_on_downbeats(drum_tracks: dict[str, TrackAnalysis]) -> None:
    timeline = build_timeline(["a", "b"], drum_tracks)
    spec = timeline.transitions[0]
    assert np.min(np.abs(drum_tracks["a"].downbeats - spec.a_out_s)) < 1e-6
    assert np.min(np.abs(drum_tracks["b"].downbeats - spec.b_in_s)) < 1e-6
    assert spec.overlap_s == pytest.approx(spec.bars * 4 * 0.5, abs=0.02)


def test_plain_crossfade_when_beats_are_unreliable_or_tempos_too_far(
    drum_tracks: dict[str, TrackAnalysis], make_track
) -> None:
    no_beats = replace(drum_tracks["b"], bpm_confidence=0.0)
    timeline = build_timeline(["a", "x"], {"a": drum_tracks["a"], "x": no_beats})
    assert timeline.transitions[0].kind == "crossfade"
    assert "no reliable beat grid in B" in timeline.transitions[0].reason
    far = make_track("far", bpm=100, duration_s=20.0)
    timeline = build_timeline(["a", "far"], {"a": drum_tracks["a"], "far": far})
    assert timeline.transitions[0].kind == "crossfade" and "beyond 12%" in timeline.transitions[0].reason


def test_output_is_normalised_to_minus_14_lufs_under_minus_1_dbtp(
    drum_tracks: dict[str, TrackAnalysis],
) -> None:
    result, measures = _render(drum_tracks, ["a", "b", "c"])
    # Measured with the analysis package's own meter, not the one that normalised.
    assert integrated_loudness(y=result.y, sr=SR) == pytest.approx(-14.0, abs=0.5)
    assert true_peak_dbtp(y=result.y, sr=SR) <= -1.0
    assert all(abs(m.loudness_jump_lu) < 3.0 for m in measures)


def test_stream_yields_chunks_before_the_mix_is_done(drum_tracks: dict[str, TrackAnalysis]) -> None:
    timeline = build_timeline(["a", "b", "c"], drum_tracks)
    stream = render_stream(timeline=timeline, analyses=drum_tracks, options=OPTIONS)
    chunks = iter(stream)
    first = next(chunks)
    assert first.shape[0] == 2 and first.shape[1] > 0
    assert len(stream.track_gains_db) < 3  # later tracks are not even decoded yet
    rest = [first, *chunks]
    y = np.concatenate(rest, axis=1)
    assert abs(y.shape[1] - round(timeline.duration_s * SR)) < SR // 10
    assert true_peak_dbtp(y=y, sr=SR) <= -1.0
    assert integrated_loudness(y=y, sr=SR) == pytest.approx(-14.0, abs=1.5)


def test_the_pipeline_streams_and_renders_the_same_laid_out_set(
    drum_tracks: dict[str, TrackAnalysis],
) -> None:
    laid_out = lay_out(["a", "b", "c"], drum_tracks, options=OPTIONS)
    reference = build_timeline(
        ["a", "b", "c"], drum_tracks, envelopes=envelopes_for(drum_tracks, ["a", "b", "c"], sr=SR)
    )
    assert [s.a_out_s for s in laid_out.timeline.transitions] == [s.a_out_s for s in reference.transitions]
    assert laid_out.voices == [] and laid_out.duration_s == pytest.approx(reference.duration_s)
    streamed = np.concatenate(list(laid_out.stream()), axis=1)
    rendered = laid_out.render()
    assert abs(streamed.shape[1] - rendered.y.shape[1]) < SR // 10
    assert rendered.timeline is laid_out.timeline and len(rendered.stems) == 2
    plain = lay_out(["a", "b"], drum_tracks, options=OPTIONS, refine_grids=False, ramp=False)
    assert plain.timeline.transitions[0].ramp_s == 0.0
