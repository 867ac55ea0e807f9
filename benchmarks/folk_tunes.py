"""Real folk tunes with known metre, beats and downbeats, rendered by FluidSynth on a humanised tempo map.

The tunes are O'Neill's *Music of Ireland* (1850) as music21's corpus ships it: jigs in 6/8, airs and
waltzes in 3/4, hornpipes and airs in 4/4 (common time). Each tune's melody is played on a fiddle over a
plain dance-band vamp (bass on the strong beats, a chord on the others: oom-pah-pah in 3/4, oom-pah in
6/8, oom-pah-oom-pah in 4/4, rooted on the bar's first melody note) through Debian's FluidR3 GM
soundfont, with FluidSynth's default reverb. The tempo map is humanised: the tempo drifts on a slow sine
(±``drift``) and every beat is nudged at random (1%), so no analyser can rely on a straight grid. The
answers come from the score and the map, not from any analyser: beats are the tempo map's beats (the
dotted quarter in 6/8), downbeats the score's bar lines (the pickup bar excluded).

Set-up (benchmark only, not a runtime dependency): ``pip install music21`` and
``apt-get install fluidsynth fluid-soundfont-gm``. :func:`available` says why the set cannot be made.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 22050
TICKS_PER_BEAT = 480
# Time signature as the abc header writes it -> (metre name, quarter notes per beat, beats per bar)
METERS = {"6/8": ("6/8", 1.5, 2), "3/4": ("3/4", 1.0, 3), "4/4": ("4/4", 1.0, 4), "C": ("4/4", 1.0, 4)}
# Beats that get the bass (the rest get the chord) per metre.
_BASS_BEATS = {"6/8": (0,), "3/4": (0,), "4/4": (0, 2)}
_FIDDLE, _BASS, _PIANO = 40, 32, 0


@dataclass(frozen=True, kw_only=True)
class FolkTune:
    """One rendered tune and its answers (seconds)."""

    name: str
    meter: str
    y: np.ndarray
    sr: int
    bpm: float
    beats: np.ndarray
    downbeats: np.ndarray
    drift: float


def available() -> str | None:
    """None when the set can be rendered, else what is missing."""
    try:
        import music21  # noqa: F401
    except ImportError:
        return "music21 is not installed (pip install music21)"
    if shutil.which("fluidsynth") is None:
        return "fluidsynth is not installed (apt-get install fluidsynth)"
    if not SOUNDFONT.exists():
        return f"{SOUNDFONT} is missing (apt-get install fluid-soundfont-gm)"
    return None


def oneills_tunes(signature: str, count: int, *, skip: int = 0) -> list[tuple[str, str]]:
    """(title, abc text) of the first ``count`` tunes in ``signature`` (after ``skip``), in corpus order."""
    from music21 import corpus

    found: list[tuple[str, str]] = []
    seen: set[str] = set()  # a tune printed twice in the collection is rendered once
    for path in sorted(corpus.getComposer("oneills1850")):
        text = Path(path).read_text(errors="replace")
        header = text.split("\nX:")[0] if not text.startswith("X:") else ""
        for chunk in re.split(r"\n(?=X:)", text):
            if not chunk.startswith("X:"):
                continue
            meters = re.findall(r"^M:\s*(\S+)", chunk, flags=re.MULTILINE)
            title = (re.findall(r"^T:\s*(.+)$", chunk, flags=re.MULTILINE) or ["untitled"])[0].strip()
            if meters == [signature] and "[M:" not in chunk and title not in seen:
                seen.add(title)
                found.append((title, header + "\n" + chunk if header else chunk))
    return found[skip : skip + count]


def _score_events(abc: str, quarter_per_beat: float) -> tuple[list[tuple[float, float, int]], list[float]]:
    """Melody notes as (start, length, midi pitch) in beats from the first full bar, and that bar's and
    every later bar's start in beats (the pickup, when there is one, starts at a negative beat)."""
    from music21 import converter

    score = converter.parse(abc, format="abc")
    part = score.parts[0] if score.parts else score
    measures = list(part.getElementsByClass("Measure"))
    bar_ql = measures[-1].barDuration.quarterLength if measures else 4.0
    starts = [float(m.offset) for m in measures if float(m.duration.quarterLength) >= bar_ql - 1e-6]
    first = starts[0] if starts else 0.0
    notes = []
    for n in score.flatten().notes:
        length = float(n.duration.quarterLength)
        if length <= 0:
            continue  # grace notes
        for p in n.pitches:
            notes.append(
                ((float(n.offset) - first) / quarter_per_beat, length / quarter_per_beat, int(p.midi))
            )
    bars = [(s - first) / quarter_per_beat for s in starts]
    return notes, bars


def _tempo_map(n_beats: int, *, bpm: float, drift: float, rng: np.random.Generator) -> np.ndarray:
    """Beat times (s) from 0: a slow sine of ±``drift`` around ``bpm``, and a 1% random nudge per beat."""
    phase = rng.uniform(0, 2 * np.pi)
    k = np.arange(n_beats)
    tempo = bpm * (1 + drift * np.sin(2 * np.pi * k / 24 + phase)) * (1 + 0.01 * rng.standard_normal(n_beats))
    return np.concatenate([[0.0], np.cumsum(60.0 / tempo)])


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _midi_file(events: list[tuple[int, bytes]]) -> bytes:
    """A one-track standard MIDI file from (tick, message) pairs."""
    track = b""
    last = 0
    for tick, message in sorted(events, key=lambda e: (e[0], e[1][0] & 0xF0 != 0x80)):
        track += _vlq(tick - last) + message
        last = tick
    track += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_BEAT)
    return header + b"MTrk" + struct.pack(">I", len(track)) + track


def _note(
    events: list[tuple[int, bytes]], channel: int, start: float, length: float, pitch: int, vel: int
) -> None:
    on, off = round(start * TICKS_PER_BEAT), round((start + length) * TICKS_PER_BEAT)
    events.append((on, bytes([0x90 | channel, pitch, vel])))
    events.append((max(off - 1, on + 1), bytes([0x80 | channel, pitch, 0])))


def render_tune(title: str, abc: str, signature: str, *, bpm: float, drift: float, seed: int) -> FolkTune:
    """Render one tune (see the module notes); beat 0 of the tempo map is the pickup's first beat."""
    meter, quarter_per_beat, per_bar = METERS[signature]
    notes, bars = _score_events(abc, quarter_per_beat)
    lead = int(np.ceil(-min(0.0, min(s for s, _, _ in notes))))  # pickup beats before the first bar
    end = int(np.ceil(max(s + d for s, d, _ in notes))) + lead
    rng = np.random.default_rng(seed)
    times = _tempo_map(end + 2, bpm=bpm, drift=drift, rng=rng)
    events: list[tuple[int, bytes]] = [
        (0, bytes([0xC0, _FIDDLE])),
        (0, bytes([0xC1, _BASS])),
        (0, bytes([0xC2, _PIANO])),
    ]
    for k in range(len(times) - 1):
        micros = round((times[k + 1] - times[k]) * 1e6)
        events.append((k * TICKS_PER_BEAT, b"\xff\x51\x03" + micros.to_bytes(3, "big")))
    for start, length, pitch in notes:
        _note(events, 0, start + lead, length, pitch, int(rng.integers(80, 105)))
    for bar in bars:
        in_bar = [p for s, _, p in notes if bar - 1e-6 <= s < bar + per_bar - 1e-6]
        if not in_bar:
            continue
        root = 36 + in_bar[0] % 12
        for beat in range(per_bar):
            at = bar + beat + lead
            if beat in _BASS_BEATS[meter]:
                _note(events, 1, at, 0.9, root, 95 if beat == 0 else 80)
            else:
                for interval in (12, 19, 24):
                    _note(events, 2, at, 0.45, root + interval, 60)
    with tempfile.TemporaryDirectory() as tmp:
        midi, wav = Path(tmp) / "tune.mid", Path(tmp) / "tune.wav"
        midi.write_bytes(_midi_file(events))
        subprocess.run(
            [
                "fluidsynth",
                "-ni",
                "-q",
                "-g",
                "0.5",
                "-r",
                str(SR),
                "-F",
                str(wav),
                str(SOUNDFONT),
                str(midi),
            ],
            check=True,
            capture_output=True,
        )
        import soundfile as sf

        y, sr = sf.read(wav, dtype="float32", always_2d=True)
    beat_times = times[: end + 1]
    bar_beats = np.asarray([b + lead for b in bars if b + lead <= end])
    return FolkTune(
        name=f"{meter} {title}",
        meter=meter,
        y=y.mean(axis=1),
        sr=sr,
        bpm=float(bpm),
        beats=beat_times,
        downbeats=np.interp(bar_beats, np.arange(len(times)), times),
        drift=drift,
    )
