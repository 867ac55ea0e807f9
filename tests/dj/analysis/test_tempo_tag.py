"""A file's BPM tag settles the tempo octave the audio leaves open; the grid still comes from the audio."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

from dj.analysis import analyze, analyze_file
from dj.analysis.bpm_tag import bpm_tag
from dj.output.tags import write_tags
from dj.testing.music import render_track


@pytest.mark.parametrize(("bpm", "pattern"), [(130.0, "half_time"), (136.0, "sparse")])
def test_a_bpm_tag_picks_the_octave_of_an_ambiguous_track(tmp_path: Path, bpm: float, pattern: str) -> None:
    track = render_track(bpm=bpm, pattern=pattern, duration_s=20.0, seed=3)
    untagged = tmp_path / "untagged.flac"
    sf.write(untagged, track.y, track.sr)
    # Without a tag the audio alone reads it in half time (kick and snare a beat apart at half tempo).
    assert analyze_file(untagged).bpm == pytest.approx(bpm / 2, rel=0.01)
    tagged = tmp_path / "tagged.flac"
    sf.write(tagged, track.y, track.sr)
    write_tags(tagged, {"bpm": str(round(bpm))})
    assert bpm_tag(tagged) == round(bpm)
    assert analyze_file(tagged).bpm == pytest.approx(bpm, rel=0.01)


def test_a_tag_in_another_octave_is_folded_and_a_tag_is_not_the_answer() -> None:
    track = render_track(bpm=87.0, pattern="breakbeat", duration_s=20.0, seed=3)
    assert analyze(y=track.y, sr=track.sr, tagged_bpm=348.0).bpm == pytest.approx(174.0, rel=0.01)
    # A tag the audio has no periodicity for (a 3:2 of the true tempo) does not override the audio.
    assert analyze(y=track.y, sr=track.sr, tagged_bpm=87.0 * 1.5).bpm == pytest.approx(87.0, rel=0.01)


def test_bpm_tags_are_read_from_vorbis_comments_and_missing_or_silly_ones_are_none(tmp_path: Path) -> None:
    path = tmp_path / "t.ogg"
    sf.write(path, render_track(bpm=100.0, duration_s=1.0).y, 22050, format="OGG", subtype="VORBIS")
    assert bpm_tag(path) is None
    write_tags(path, {"BPM": "87,5"})
    assert bpm_tag(path) == 87.5
    write_tags(path, {"BPM": "0"})
    assert bpm_tag(path) is None
    assert bpm_tag(tmp_path / "absent.mp3") is None
