"""Metre, bars, phrases and mix regions from the beats: downbeats, 8-bar phrase starts, intro and outro.

Metre (see :mod:`dj.analysis.meter`) is 4/4, 3/4, 6/8, 12/8 or 9/8: how the beats divide (in two or three)
and how many make a bar. In 4/4 the downbeat is the beat phase (0..3) where chord changes and kick drums
concentrate and snares avoid (they sit on beats 2 and 4); in the other metres it is the phase where
chord changes and kicks concentrate. Phrases are 8 bars long (bars of the detected metre); their offset
(0..7 bars) is where the bar-to-bar timbre and loudness change most (new sections start on phrase
boundaries). Intro and outro are the first and last phrase-aligned stretches, 4 to 16 bars long, where a
DJ overlaps two tracks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from dj.analysis.meter import Meter, beat_features, detect_meter
from dj.analysis.onset import Frontend

__all__ = ["BARS_PER_PHRASE", "BEATS_PER_BAR", "Structure", "analyse_structure"]

BEATS_PER_BAR = 4
"""Beats in a 4/4 bar: the metre assumed when too few beats were found to tell."""
BARS_PER_PHRASE = 8


@dataclass(frozen=True, kw_only=True)
class Structure:
    meter: Meter
    downbeats: np.ndarray
    phrase_starts: np.ndarray
    intro: tuple[float, float]
    outro: tuple[float, float]


def _zscore(x: np.ndarray) -> np.ndarray:
    std = x.std()
    return (x - x.mean()) / std if std > 1e-9 else np.zeros_like(x)


def downbeat_phase(frontend: Frontend, beat_frames: np.ndarray) -> int:
    """Which beat (0..3) of the grid is the first downbeat."""
    if len(beat_frames) < 2 * BEATS_PER_BAR:
        return 0
    feats = {k: _zscore(v) for k, v in beat_features(frontend, beat_frames).items()}
    idx = np.arange(len(beat_frames))
    scores = []
    for p in range(BEATS_PER_BAR):
        on = (idx % BEATS_PER_BAR) == p
        backbeat = ((idx - p) % 2) == 1
        score = 1.5 * feats["change"][on].mean() + 1.0 * feats["low"][on].mean()
        score += 0.5 * (feats["mid"][backbeat].mean() - feats["mid"][~backbeat].mean())
        scores.append(score)
    return int(np.argmax(scores))


def _phrase_offset(frontend: Frontend, bar_frames: np.ndarray) -> int:
    """Bar offset (0..7) of phrase starts: where the timbre/loudness novelty between bars peaks."""
    if len(bar_frames) < BARS_PER_PHRASE + 2:
        return 0
    bounds = np.concatenate([bar_frames, [frontend.n_frames]])
    feats = np.stack([frontend.mel[:, a : max(b, a + 1)].mean(axis=1) for a, b in itertools.pairwise(bounds)])
    novelty = np.zeros(len(bar_frames))
    for b in range(1, len(bar_frames)):
        before = feats[max(0, b - 2) : b].mean(axis=0)
        after = feats[b : b + 2].mean(axis=0)
        novelty[b] = float(np.linalg.norm(after - before))
    scores = [novelty[o::BARS_PER_PHRASE].mean() for o in range(BARS_PER_PHRASE)]
    scores[0] += 0.1 * float(np.mean(novelty))  # slight preference: phrases start with the track
    return int(np.argmax(scores))


def analyse_structure(frontend: Frontend, *, beats: np.ndarray, duration_s: float) -> Structure:
    """Metre, downbeats, phrase starts, intro and outro for a track whose beats (seconds) are known."""
    if len(beats) == 0:
        return Structure(
            meter=Meter.default(),
            downbeats=np.zeros(0),
            phrase_starts=np.zeros(0),
            intro=(0.0, 0.0),
            outro=(duration_s, duration_s),
        )
    beat_frames = np.clip(np.round(beats * frontend.fps).astype(int), 0, frontend.n_frames - 1)
    meter = detect_meter(frontend, beat_frames)
    per_bar = meter.beats_per_bar
    phase = downbeat_phase(frontend, beat_frames) if per_bar == BEATS_PER_BAR else meter.phase
    downbeats = beats[phase::per_bar]
    offset = _phrase_offset(frontend, beat_frames[phase::per_bar]) if len(downbeats) else 0
    phrase_starts = downbeats[offset::BARS_PER_PHRASE]
    period = float(np.median(np.diff(beats))) if len(beats) > 1 else 0.5
    intro, outro = _mix_regions(downbeats, phrase_starts, bar=per_bar * period, duration_s=duration_s)
    return Structure(meter=meter, downbeats=downbeats, phrase_starts=phrase_starts, intro=intro, outro=outro)


def _mix_regions(
    downbeats: np.ndarray, phrase_starts: np.ndarray, *, bar: float, duration_s: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Intro: first downbeat to a phrase start 4..16 bars in (else 1/4 of the bars, at least 1 bar).
    Outro: the mirror image at the end, closing one bar after the last downbeat."""
    n_bars = len(downbeats)
    if n_bars == 0:
        return (0.0, 0.0), (duration_s, duration_s)
    end_of_music = float(min(duration_s, downbeats[-1] + bar))
    default_bars = int(np.clip(n_bars // 4, 1, BARS_PER_PHRASE))
    start = float(downbeats[0])
    in_phrase = [float(p) for p in phrase_starts if 4 * bar - 1e-3 <= p - start <= 16 * bar + 1e-3]
    intro_end = (
        in_phrase[0] if in_phrase and n_bars >= 12 else float(downbeats[min(default_bars, n_bars - 1)])
    )
    out_phrase = [float(p) for p in phrase_starts if 4 * bar - 1e-3 <= end_of_music - p <= 16 * bar + 1e-3]
    outro_start = (
        out_phrase[-1] if out_phrase and n_bars >= 12 else float(downbeats[max(0, n_bars - default_bars)])
    )
    return (start, max(start, intro_end)), (min(outro_start, end_of_music), end_of_music)
