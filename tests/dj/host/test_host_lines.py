"""Host lines say what the hand-over really changes, name generated tracks naturally and never call a
track like itself; the phrasing varies within a set and repeats exactly on a re-run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dj.analysis.result import TrackAnalysis
from dj.host.handover import Handover
from dj.host.lines import FAMILIES, write_line
from dj.host.spoken import spoken_reason, spoken_title
from dj.host.voiceover import write_lines
from dj.mix.timeline import build_timeline
from dj.planning.planner import TrackMeta

AI = "immich-memories-music (AI-generated)"
SAME_MOOD_WORDS = ("same vein", "keeping this mood", "staying in the groove", "one more in this mood")


def middle(handover: Handover, *, title: str = "Green", artist: str | None = "Nina", **kwargs) -> str:
    return write_line(
        index=1, n_tracks=4, track_id="t2", title=title, artist=artist, handover=handover, **kwargs
    ).text


def test_energetic_to_calm_is_never_called_the_same_mood() -> None:
    # The demo's hand-over from "Energetic, acoustic #1" (0.49) to "Calm, acoustic #1" (0.46).
    handover = Handover(mood_from="energetic", mood_to="calm", energy_from=0.49, energy_to=0.46)
    for seed in range(12):
        line = write_line(
            index=2,
            n_tracks=8,
            track_id="calm1",
            title="Calm, acoustic #1",
            artist=AI,
            handover=handover,
            seed=str(seed),
        )
        assert line.family == "mood"
        assert not any(words in line.text.lower() for words in SAME_MOOD_WORDS), line.text
        assert "mood" in line.text.lower()


@pytest.mark.parametrize(
    ("handover", "family"),
    [
        (Handover(energy_from=0.4, energy_to=0.6), "energy_up"),
        (Handover(energy_from=0.6, energy_to=0.4), "energy_down"),
        (Handover(bpm_from=100.0, bpm_to=112.0), "tempo_up"),
        (Handover(bpm_from=100.0, bpm_to=90.0), "tempo_down"),
        (Handover(bpm_from=68.0, bpm_to=135.9, key_from="8B", key_to="8B"), "hold"),  # double time
        (Handover(key_from="8A", key_to="9A", bpm_from=120.0, bpm_to=121.0), "key"),
        (Handover(artist_from="Nina", artist_to="nina"), "artist"),
        (Handover(artist_from=AI, artist_to=AI, mood_from="calm", mood_to="calm"), "hold"),
        (Handover(mood_from="happy", mood_to="tender", energy_from=0.5, energy_to=0.7), "mood_named"),
    ],
)
def test_the_first_sentence_follows_the_most_salient_change(handover: Handover, family: str) -> None:
    line = write_line(index=1, n_tracks=4, track_id="t2", title="Green", artist="Nina", handover=handover)
    assert line.family == family
    assert line.template in FAMILIES[family]
    if family != "hold":
        assert not any(words in line.text.lower() for words in SAME_MOOD_WORDS), line.text


def test_named_changes_are_spoken() -> None:
    assert "tender" in middle(Handover(mood_from="happy", mood_to="tender"))
    same_artist = middle(Handover(artist_from="Nina", artist_to="Nina"))
    assert "Nina" in same_artist and " by Nina" not in same_artist
    # Without a reason to pass on, the second sentence names the next change.
    both = Handover(mood_from="energetic", mood_to="calm", energy_from=0.7, energy_to=0.5)
    assert middle(both).endswith("The energy comes down.")
    faster = Handover(key_from="1A", key_to="3A", bpm_from=100.0, bpm_to=120.0)
    assert middle(faster).endswith("In a new key, too.")


def test_generated_titles_are_spoken_as_what_they_describe() -> None:
    assert spoken_title("Happy, acoustic (seed 411)", AI) == "a happy acoustic piece"
    assert spoken_title("Energetic, electronic #2", AI) == "an energetic electronic piece"
    assert spoken_title("Get Lucky", "Daft Punk") == "Get Lucky"
    line = write_line(
        index=0, n_tracks=3, track_id="h", title="Happy, acoustic (seed 411)", artist=AI, seed="x"
    )
    assert "a happy acoustic piece" in line.text
    for unsaid in ("seed", "411", "#", "immich", "AI-generated", "("):
        assert unsaid not in line.text


def test_no_line_names_a_track_as_being_like_itself() -> None:
    line = write_line(
        index=1,
        n_tracks=4,
        track_id="h1",
        title="Happy, acoustic #1",
        artist=AI,
        handover=Handover(mood_from="calm", mood_to="happy", title_from="Calm, acoustic #1", artist_from=AI),
        explanation=f"sounds like Happy, acoustic #2 by {AI}",
    )
    assert line.text.count("a happy acoustic piece") == 1
    # A reason naming a generated twin would be an empty comparison: it is not said.
    assert "sounds like" not in line.text and line.reason == ""
    # The same description twice in a row is "another ..."; a reason naming the track before is not said.
    after = write_line(
        index=2,
        n_tracks=4,
        track_id="h2",
        title="Happy, acoustic #2",
        artist=AI,
        handover=Handover(
            mood_from="happy", mood_to="happy", title_from="Happy, acoustic #1", artist_from=AI
        ),
        explanation=f"because you played Happy, acoustic #1 by {AI}",
    )
    assert "another happy acoustic piece" in after.text
    assert "played" not in after.text and "the one before" not in after.text


@pytest.mark.parametrize(
    ("explanation", "said"),
    [
        ("because you played Red by Nina", "Because you played Red."),
        ("tagged like Red by Nina", "It's in the style of Red."),
        ("popular with listeners like you", ""),  # fits every track: names nothing
        (f"new to you: {AI}", ""),  # a generated track's source is no artist to name
        ("new to you: Nina", "New to you: Nina."),
        ("you asked for it", "You asked for this one."),
        ("", ""),
    ],
)
def test_reasons_are_said_like_a_host(explanation: str, said: str) -> None:
    assert spoken_reason(explanation, own_name="Blue") == said


def test_a_reason_is_said_once_and_the_opener_carries_it() -> None:
    first = write_line(
        index=0, n_tracks=3, track_id="t1", title="Blue", artist="Nina", explanation="because you played Red"
    )
    second = write_line(
        index=1,
        n_tracks=3,
        track_id="t2",
        title="Green",
        artist="Nina",
        handover=Handover(energy_from=0.6, energy_to=0.3, artist_from="Ann", artist_to="Nina"),
        explanation="because you played Red",
        previous=first,
    )
    assert "Blue by Nina" in first.text and first.text.endswith("Because you played Red.")
    assert second.family == "energy_down" and "Green by Nina" in second.text
    assert "Red" not in second.text


def _set(drum_tracks: dict[str, TrackAnalysis], n: int = 5):
    base = drum_tracks["a"]
    analyses = {f"t{i}": replace(base, energy=0.5) for i in range(n)}
    meta = {t: TrackMeta(track_id=t, title=f"Song {t}", artist="Band", tags=("calm",)) for t in analyses}
    return build_timeline(list(analyses), analyses), analyses, meta


def test_a_set_varies_its_phrasing_and_a_rerun_says_the_same(drum_tracks) -> None:
    timeline, analyses, meta = _set(drum_tracks)
    explanations = {"t0": "because you played Red by Nina"}

    def script(seed: str) -> list[str]:
        lines = write_lines(
            timeline=timeline, analyses=analyses, meta=meta, explanations=explanations, seed=seed
        )
        return [line.text for line in lines]

    first = script("listener-1")
    assert first == script("listener-1")
    assert first[0].startswith(("Hi", "Welcome", "Here's")) and first[-1].startswith(("And to close", "Last"))
    middles = write_lines(timeline=timeline, analyses=analyses, meta=meta, explanations={}, seed="s")[1:-1]
    assert all(line.family == "artist" for line in middles)  # same named artist, nothing else changes
    assert len({line.template for line in middles}) == len(middles)  # no phrasing twice in a set
    assert any(script(f"listener-{k}") != first for k in range(2, 8))
    assert all(len(text.split()) <= 22 for text in first)  # short enough for an intro


def test_the_short_form_still_names_the_track() -> None:
    from dj.host.lines import write_line

    def shortest(**kw: object) -> str:
        return write_line(track_id="t", seed="s", **kw).variants[-1]  # type: ignore[arg-type]

    assert shortest(index=1, n_tracks=3, title="Blue Monday", artist="New Order") == (
        "Now, Blue Monday by New Order."
    )
    assert shortest(index=0, n_tracks=3, title="Happy, acoustic (seed 411)", artist="AI-generated") == (
        "First, a happy acoustic piece."
    )
    assert shortest(index=2, n_tracks=3, title="Blue", artist=None).startswith("Last one: Blue")
