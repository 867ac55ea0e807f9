"""Render music with exactly known tempo, beats, downbeats and key, for tests and benchmarks.

Real recordings rarely come with trustworthy annotations; these renders do. Each track is drums, a bass line
and a chord progression in a chosen key, in 4/4, 3/4 (a waltz: oom-pah-pah), 6/8 (a jig: two beats of three
eighths) or 9/8 (a slip jig: three of them), at a constant tempo or on a drifting tempo map (a slow sine, as
a pianist's rubato), with optional swing, half-time drums and tempo-ambiguous arrangements, plus small
random timing and velocity humanisation so that analysis cannot rely on sample-exact periodicity. The DJ's
tests may reuse it to build mixable material.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["METERS", "PATTERNS", "RenderedTrack", "render_track"]

#: Drum arrangements. ``four_on_floor`` (house), ``backbeat`` (pop/rock), ``half_time`` (kick on 1, snare
#: on 3: the classic octave trap), ``breakbeat`` (syncopated kick, dnb-like), ``sparse`` (no drums,
#: chords and a bass on beats 1 and 3 only), ``triplet`` (hats in triplets, a 3:2 trap).
PATTERNS = ("four_on_floor", "backbeat", "half_time", "breakbeat", "sparse", "triplet")

#: Meters a track can be rendered in: (beats per bar, eighths per beat). In 6/8 the beat is the dotted
#: quarter a listener taps, so ``bpm`` counts dotted quarters and a bar holds two beats.
METERS = {"4/4": (4, 2), "3/4": (3, 2), "6/8": (2, 3), "9/8": (3, 3)}

_MAJOR_PROGRESSION = ((0, "maj"), (5, "maj"), (7, "maj"), (0, "maj"))  # I IV V I
_MINOR_PROGRESSION = ((0, "min"), (5, "min"), (7, "maj"), (0, "min"))  # i iv V i (harmonic minor)
_TRIADS = {"maj": (0, 4, 7), "min": (0, 3, 7)}
_PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True, kw_only=True)
class RenderedTrack:
    """Mono float32 audio and its ground truth (times in seconds)."""

    y: np.ndarray
    sr: int
    bpm: float
    beats: np.ndarray
    downbeats: np.ndarray
    tonic: int
    mode: str
    pattern: str
    swing: float
    meter: str = "4/4"
    drift: float = 0.0

    @property
    def beats_per_bar(self) -> int:
        return METERS[self.meter][0]

    @property
    def key(self) -> str:
        return f"{_PITCH_NAMES[self.tonic]} {self.mode}"


def _decay(n: int, sr: int, tau_s: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (tau_s * sr))


def _kick(sr: int) -> np.ndarray:
    n = int(0.35 * sr)
    t = np.arange(n) / sr
    freq = 45.0 + 110.0 * np.exp(-t / 0.03)
    kick: np.ndarray = np.sin(2 * np.pi * np.cumsum(freq) / sr) * _decay(n, sr, 0.12)
    return kick


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.2 * sr)
    noise = np.diff(rng.standard_normal(n + 1))  # first difference: a brighter, snare-like noise
    tone = np.sin(2 * np.pi * 190.0 * np.arange(n) / sr)
    snare: np.ndarray = (0.35 * noise * _decay(n, sr, 0.05) + 0.5 * tone * _decay(n, sr, 0.04)) * 0.9
    return snare


def _hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * sr)
    noise = np.diff(np.diff(rng.standard_normal(n + 2)))
    hat: np.ndarray = 0.12 * noise * _decay(n, sr, 0.012)
    return hat


def _tone(freq: float, n: int, sr: int, *, harmonics: int, tau_s: float) -> np.ndarray:
    t = np.arange(n) / sr
    out = np.zeros(n)
    for h in range(1, harmonics + 1):
        if freq * h < sr / 2.2:
            out += np.sin(2 * np.pi * freq * h * t) / h
    attack = np.minimum(1.0, np.arange(n) / (0.01 * sr))
    tone: np.ndarray = out * attack * _decay(n, sr, tau_s)
    return tone


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _odd_meter_hits(meter: str, pattern: str) -> list[tuple[str, float, float]]:
    """Drums of a 3/4 waltz (kick on one, snare on two and three, hats on the 8ths) or a 6/8 jig (kick on
    one, snare on the second dotted quarter, hats on every 8th, accented on the beat)."""
    if pattern == "sparse":
        return []
    if meter == "3/4":
        return [("kick", 0, 1.0), ("snare", 1, 0.55), ("snare", 2, 0.55)] + [
            ("hat", b / 2, 0.7 if b % 2 == 0 else 0.4) for b in range(6)
        ]
    if meter == "9/8":  # a slip jig: three dotted-quarter beats of three 8ths
        return [("kick", 0, 1.0), ("snare", 1, 0.55), ("snare", 2, 0.55)] + [
            ("hat", b / 3, 0.8 if b % 3 == 0 else 0.5) for b in range(9)
        ]
    return [("kick", 0, 1.0), ("snare", 1, 0.8)] + [
        ("hat", b / 3, 0.8 if b % 3 == 0 else 0.5) for b in range(6)
    ]


def _drum_hits(pattern: str, *, swing: float, meter: str = "4/4") -> list[tuple[str, float, float]]:
    """(instrument, position in beats within one bar, velocity)."""
    if meter != "4/4":
        return _odd_meter_hits(meter, pattern)
    eighth_off = 0.5 + swing * (2 / 3 - 0.5) * 2  # swing 0.5 puts off-beats at 2/3 of the beat
    hats = [("hat", b + off, 0.6 if off else 1.0) for b in range(4) for off in (0.0, eighth_off)]
    if pattern == "four_on_floor":
        return [("kick", b, 1.0) for b in range(4)] + [("snare", 1, 0.8), ("snare", 3, 0.8)] + hats
    if pattern == "backbeat":
        return [
            ("kick", 0, 1.0),
            ("kick", 2, 0.9),
            ("kick", 2 + eighth_off, 0.6),
            ("snare", 1, 1.0),
            ("snare", 3, 1.0),
            *hats,
        ]
    if pattern == "half_time":
        return [("kick", 0, 1.0), ("kick", 1 + eighth_off, 0.5), ("snare", 2, 1.0), *hats]
    if pattern == "breakbeat":
        return [("kick", 0, 1.0), ("kick", 2 + eighth_off, 0.9), ("snare", 1, 1.0), ("snare", 3, 1.0)] + [
            ("hat", b / 2, 0.7) for b in range(8)
        ]
    if pattern == "triplet":
        return [("kick", 0, 1.0), ("kick", 2, 0.9), ("snare", 1, 0.9), ("snare", 3, 0.9)] + [
            ("hat", b / 3, 0.8 if b % 3 == 0 else 0.5) for b in range(12)
        ]
    if pattern == "sparse":
        return []
    raise ValueError(f"unknown pattern {pattern!r}; choose from {', '.join(PATTERNS)}")


def _beat_times(*, bpm: float, start_s: float, duration_s: float, drift: float) -> np.ndarray:
    """Beat times from ``start_s`` to the end plus a spare bar or two: a straight grid, or with ``drift`` > 0
    a tempo that swings by ±``drift`` (a fraction) on a slow sine, one cycle per 24 beats."""
    period = 60.0 / bpm
    n_beats = int((duration_s - start_s) / (period * (1.0 - abs(drift)))) + 9
    if drift == 0.0:
        return start_s + period * np.arange(n_beats)
    periods = period / (1.0 + drift * np.sin(2 * np.pi * np.arange(n_beats) / 24.0))
    return start_s + np.concatenate([[0.0], np.cumsum(periods[:-1])])


def render_track(
    *,
    bpm: float,
    tonic: int = 9,
    mode: str = "minor",
    pattern: str = "backbeat",
    duration_s: float = 12.0,
    sr: int = 22050,
    swing: float = 0.0,
    start_s: float = 0.25,
    seed: int = 0,
    meter: str = "4/4",
    drift: float = 0.0,
) -> RenderedTrack:
    """Render ``duration_s`` seconds at ``bpm`` in ``tonic`` (0=C..11=B) ``mode`` with a drum ``pattern``.

    ``swing`` 0..1 delays every off-beat 8th from half-way (0) to two-thirds (1) of the beat. The first
    beat (a downbeat) falls at ``start_s``. Timing jitter is ±3 ms and velocities vary by ±15%. ``meter``
    is one of :data:`METERS` (3/4 and 6/8 have their own drums; ``pattern`` "sparse" drops them);
    ``drift`` > 0 bends the tempo by up to that fraction (``bpm`` is then the mean tempo).
    """
    if mode not in ("major", "minor"):
        raise ValueError("mode must be 'major' or 'minor'")
    if meter not in METERS:
        raise ValueError(f"unknown meter {meter!r}; choose from {', '.join(METERS)}")
    rng = np.random.default_rng(seed)
    n = int(duration_s * sr)
    y = np.zeros(n + sr)
    grid = _beat_times(bpm=bpm, start_s=start_s, duration_s=duration_s, drift=drift)
    beats = grid[grid < duration_s]
    samples = {"kick": _kick(sr), "snare": _snare(sr, rng), "hat": _hat(sr, rng)}
    hits = _drum_hits(pattern, swing=min(max(swing, 0.0), 1.0) / 2, meter=meter)
    per_bar = METERS[meter][0]

    def time_at(beat: float) -> float:
        """Time of a (fractional) beat position on the tempo map."""
        return float(np.interp(beat, np.arange(len(grid)), grid))

    def place(sample: np.ndarray, t: float, gain: float) -> None:
        i = round((t + rng.uniform(-0.003, 0.003)) * sr)
        if 0 <= i < n:
            m = min(len(sample), len(y) - i)
            y[i : i + m] += gain * rng.uniform(0.85, 1.0) * sample[:m]

    progression = _MAJOR_PROGRESSION if mode == "major" else _MINOR_PROGRESSION
    n_bars = int(np.ceil(len(beats) / per_bar))
    for bar in range(n_bars):
        first = bar * per_bar
        t0, bar_len = time_at(first), time_at(first + per_bar) - time_at(first)
        period = bar_len / per_bar
        for name, pos, vel in hits:
            place(samples[name], time_at(first + pos), vel)
        degree, quality = progression[bar % len(progression)]
        root = 48 + (tonic + degree) % 12  # chord roots around C3..B3
        chord_n = int(bar_len * sr)
        for interval in _TRIADS[quality]:
            place(
                0.12 * _tone(_midi_hz(root + interval + 12), chord_n, sr, harmonics=5, tau_s=bar_len), t0, 1.0
            )
        bass_n = int(period * 0.9 * sr)
        bass = 0.35 * _tone(_midi_hz(root - 12), bass_n, sr, harmonics=4, tau_s=period / 2)
        for b in _bass_beats(pattern, meter):
            place(bass, time_at(first + b), 1.0)
    y = y[:n]
    y += 1e-3 * rng.standard_normal(n)
    y = 0.5 * y / (np.abs(y).max() + 1e-9)
    return RenderedTrack(
        y=y.astype(np.float32),
        sr=sr,
        bpm=float(bpm),
        beats=beats,
        downbeats=beats[::per_bar],
        tonic=tonic % 12,
        mode=mode,
        pattern=pattern,
        swing=float(swing),
        meter=meter,
        drift=float(drift),
    )


def _bass_beats(pattern: str, meter: str) -> tuple[int, ...]:
    """Beats of a bar the bass plays: on one only in 3/4 and 6/8 (the "oom" of oom-pah-pah), on one and
    three in half-time and drum-less 4/4, else on every beat."""
    if meter != "4/4":
        return (0,)
    return (0, 2) if pattern in ("sparse", "half_time") else (0, 1, 2, 3)
