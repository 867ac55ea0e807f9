"""The stretch a blend is built with stays within the limit the plan priced the pair under.

Known-answer audio: A is rendered at one tempo and its analysis reports a slower whole-track tempo (as a
tracker does for a piece that speeds up in places), so the plan sees an unheard stretch while the beats
under the overlap need a heard one.
"""

from __future__ import annotations

from dataclasses import replace

from dj.mix.beat_phase import envelopes_for
from dj.mix.transitions import plan_transition
from dj.planning.tempo_match import CROSSFADE, EQ_BLEND, PREFERRED_STRETCH, match_tempo, stretch_limit

SR = 22050


def test_a_blend_whose_beats_need_a_heard_stretch_the_plan_did_not_price_is_a_crossfade(make_track) -> None:
    # A really plays at 124 BPM; its analysis says 120 overall. B plays at 115 BPM.
    a = replace(
        make_track("fast-124-a", bpm=124, pattern="four_on_floor", seed=1, duration_s=40),
        bpm=120.0,
        beats_on_grid=False,
    )
    b = make_track("slow-115-b", bpm=115, pattern="backbeat", seed=2, duration_s=40, tonic=2)
    planned = match_tempo(bpm_a=a.bpm, bpm_b=b.bpm)
    assert planned.stretch < PREFERRED_STRETCH and stretch_limit(planned) == PREFERRED_STRETCH
    envs = envelopes_for({"a": a, "b": b}, ["a", "b"], sr=SR)
    for piecewise in (True, False):
        spec = plan_transition(a, b, env_a=envs["a"], env_b=envs["b"], piecewise=piecewise)
        # 124 over 115 BPM is a 7.8 % stretch: past the 6 % the plan allowed, so no beat-matched blend.
        assert spec.kind == CROSSFADE, spec.reason
        assert "beyond the 6% the plan allows" in spec.reason


def test_a_blend_on_the_planned_tempo_keeps_its_stretch(make_track) -> None:
    """The control: the same pair with A really at its analysed 120 BPM is blended at the planned +4.3 %."""
    a = replace(
        make_track("even-a", bpm=120, pattern="four_on_floor", seed=1, duration_s=40), beats_on_grid=False
    )
    b = make_track("slow-b2", bpm=115, pattern="backbeat", seed=2, duration_s=40, tonic=2)
    envs = envelopes_for({"a": a, "b": b}, ["a", "b"], sr=SR)
    spec = plan_transition(a, b, env_a=envs["a"], env_b=envs["b"])
    assert spec.kind == EQ_BLEND, spec.reason
    assert abs(spec.stretch_pct - 100 * (120 / 115 - 1)) < 0.5


def test_a_pair_planned_past_the_audible_line_may_stretch_to_the_renderers_limit() -> None:
    assert stretch_limit(match_tempo(bpm_a=128.0, bpm_b=118.0)) == 0.12
