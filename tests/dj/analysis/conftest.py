"""Rendered tracks with known tempo, beats, downbeats and key, shared by the analysis tests."""

from __future__ import annotations

import pytest

from dj.testing.music import RenderedTrack, render_track


@pytest.fixture(scope="session")
def house_128() -> RenderedTrack:
    return render_track(bpm=128.0, tonic=9, mode="minor", pattern="four_on_floor", duration_s=10.0, seed=1)


@pytest.fixture(scope="session")
def ballad_70() -> RenderedTrack:
    return render_track(bpm=70.0, tonic=0, mode="major", pattern="backbeat", duration_s=12.0, seed=2)
