"""Fixtures for the DJ mixing and host tests: rendered drum tracks with known beats, written to real audio
files.

The analysis attached to each track is its ground truth (beats, downbeats, phrases from the renderer),
so a test of the mixer is not at the mercy of the beat tracker; tests that want a wrong grid shift it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from dj.analysis.loudness import integrated_loudness
from dj.analysis.result import TrackAnalysis
from dj.testing.music import render_track

SR = 22050


def synth_analysis(
    path: Path,
    *,
    bpm: float,
    pattern: str = "four_on_floor",
    tonic: int = 9,
    mode: str = "minor",
    camelot: str = "8A",
    duration_s: float = 30.0,
    seed: int = 0,
    energy: float = 0.5,
    drift: float = 0.0,
) -> TrackAnalysis:
    """Render a track (on a drifting tempo map when ``drift`` > 0), write it as FLAC and return its
    ground-truth analysis."""
    t = render_track(
        bpm=bpm, tonic=tonic, mode=mode, pattern=pattern, duration_s=duration_s, sr=SR, seed=seed, drift=drift
    )
    sf.write(path, t.y, SR)
    phrases = t.downbeats[::8]
    times = np.arange(0.0, duration_s, 0.5)
    return TrackAnalysis(
        path=str(path),
        content_hash=None,
        duration_s=duration_s,
        bpm=bpm,
        bpm_confidence=0.9,
        beats=np.asarray(t.beats),
        downbeats=np.asarray(t.downbeats),
        beats_per_bar=4,
        phrase_starts=np.asarray(phrases),
        key=t.key,
        camelot=camelot,
        key_confidence=0.9,
        energy=energy,
        energy_times=times,
        energy_curve=np.full(times.size, 0.5, dtype=np.float32),
        lufs=integrated_loudness(y=t.y, sr=SR),
        true_peak_dbtp=-1.0,
        intro=(float(t.beats[0]), float(t.downbeats[4])),
        outro=(float(t.downbeats[-4]), duration_s),
        embedding=np.zeros(8, dtype=np.float32),
    )


def shifted(a: TrackAnalysis, seconds: float) -> TrackAnalysis:
    """The same track with its whole beat grid moved: a beat tracker's phase error."""
    return replace(
        a, beats=a.beats + seconds, downbeats=a.downbeats + seconds, phrase_starts=a.phrase_starts + seconds
    )


@pytest.fixture(scope="session")
def drum_tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TrackAnalysis]:
    """Three 30 s tracks: 120 BPM house, 124 BPM backbeat (3.3 % away), 118 BPM house."""
    root = tmp_path_factory.mktemp("drums")
    return {
        "a": synth_analysis(root / "a.flac", bpm=120, pattern="four_on_floor", seed=1),
        "b": synth_analysis(root / "b.flac", bpm=124, pattern="backbeat", seed=2),
        "c": synth_analysis(root / "c.flac", bpm=118, pattern="four_on_floor", seed=3, camelot="9A"),
    }


@pytest.fixture(scope="session")
def make_track(tmp_path_factory: pytest.TempPathFactory):
    """Factory: ``make_track(name, bpm=..., ...)`` renders a drum track and returns its analysis.

    The files share one folder for the session and decodes are cached by path, so a name may be made
    again only with the same parameters: another track under a used name would overwrite the file while
    the cache still holds the old audio, and tests would pass or fail by their order."""
    root = tmp_path_factory.mktemp("made")
    made: dict[str, dict[str, object]] = {}

    def make(name: str, **kwargs) -> TrackAnalysis:
        if made.setdefault(name, kwargs) != kwargs:
            raise ValueError(f"make_track: {name!r} was already made with other parameters: {made[name]}")
        return synth_analysis(root / f"{name}.flac", **kwargs)

    return make


@pytest.fixture(scope="session")
def shift_grid():
    """``shift_grid(analysis, seconds)``: the same track with its beat grid moved."""
    return shifted


# Full-length game soundtracks Debian ships (CC BY-SA / GPL music, installed by `make test`'s `debian-music`
# target): real recordings nobody here wrote, long enough for the radio and DJ length modes to differ.
DEBIAN_MUSIC = (
    "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg",  # 318 s
    "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg",  # 180 s
    "/usr/share/hyperrogue/music/hr3-jungle.ogg",  # 78 s
)


@pytest.fixture(scope="session")
def debian_music(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TrackAnalysis]:
    """Three real recordings from Debian's wesnoth-1.16-music and hyperrogue-music, analysed by the
    analysis package; the test skips, saying what to install, when they are absent."""
    missing = [p for p in DEBIAN_MUSIC if not Path(p).is_file()]
    if missing:
        pytest.skip(
            "real recordings absent: apt-get install wesnoth-1.16-music hyperrogue-music (make debian-music)"
        )
    from dj.analysis import analyze_many

    cache = tmp_path_factory.mktemp("debian-analysis")
    return dict(zip(DEBIAN_MUSIC, analyze_many(list(DEBIAN_MUSIC), cache_dir=cache, workers=1), strict=True))
