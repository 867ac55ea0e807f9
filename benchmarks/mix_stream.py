"""The mix stream's formats on real music: size, encoding speed, latency and fidelity, beside libsndfile.

    nice .venv/bin/python benchmarks/mix_stream.py [--music /usr/share/games/wesnoth/1.16/data/core/music]
                                                   [--tracks 3] [--seconds 60]

Input: the first --seconds of --tracks files of real music nobody here wrote (Debian's wesnoth-1.16-music
by default: `apt-get install wesnoth-1.16-music`), decoded to 44.1 kHz stereo and joined. Each format is
encoded as the API streams it (``services.sessions.stream_encoders``, 2 s chunks in, bytes out as the
muxer has them); the reference encodes the same audio whole with libsndfile (soundfile: Ogg/Opus, MP3,
WAV). Both outputs are decoded with FFmpeg (PyAV) and compared with the source: the duration, and the
correlation of the 5 ms RMS envelopes (1.0 = the same loudness contour). Speed is audio seconds per
CPU second of the encoding process (wall time means little on a shared machine). "first bytes" is how much
audio went in before the first bytes came out; "largest piece" bounds what one chunk holds in memory.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import av
import numpy as np
import soundfile as sf
import soxr
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.audio import decode_audio  # noqa: E402
from services.sessions.stream_encoders import available_formats, open_encoder  # noqa: E402

SR = 44100
CHUNK_S = 2.0
REFERENCE = {"wav": ("WAV", "PCM_16"), "opus": ("OGG", "OPUS"), "mp3": ("MP3", "MPEG_LAYER_III")}


def source(folder: Path, tracks: int, seconds: float) -> np.ndarray:
    files = sorted(folder.glob("*.ogg"))[:tracks]
    if not files:
        raise SystemExit(f"no .ogg files in {folder}: apt-get install wesnoth-1.16-music, or pass --music")
    parts = []
    for path in files:
        y = decode_audio(str(path), sr=SR, mono=False)
        y = np.atleast_2d(y)[:, : int(seconds * SR)]
        parts.append(np.vstack([y, y]) if y.shape[0] == 1 else y[:2])
    return np.concatenate(parts, axis=1).astype(np.float32)


def decode(data: bytes) -> tuple[np.ndarray, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        frames = [f.to_ndarray() for f in container.decode(stream)]
        rate = int(stream.rate)
    y = np.concatenate(frames, axis=1)
    if y.dtype.kind == "i":
        return y.reshape(-1, 2).T.astype(np.float64) / 32768.0, rate
    return y.astype(np.float64), rate


def envelope(y: np.ndarray, rate: int) -> np.ndarray:
    hop = int(0.005 * rate)
    mono = y.mean(axis=0)
    n = len(mono) // hop
    return np.sqrt((mono[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


def fidelity(original: np.ndarray, data: bytes) -> tuple[float, float]:
    """Envelope correlation (5 ms hops, at the best lag within 100 ms: an MP3 stream keeps LAME's priming
    samples, which only a seekable file's header could tell a decoder to drop) and the duration error."""
    y, rate = decode(data)
    y48 = soxr.resample(y.T, rate, SR).T if rate != SR else y
    a, b = envelope(original.astype(np.float64), SR), envelope(y48, SR)
    n = min(len(a), len(b)) - 20
    best = max(float(np.corrcoef(a[:n], b[lag : lag + n])[0, 1]) for lag in range(20))
    duration_error_ms = 1000 * (y.shape[1] / rate - original.shape[1] / SR)
    return best, duration_error_ms


def streamed(name: str, audio: np.ndarray) -> tuple[bytes, float, float, int]:
    fmt = next(f for f in available_formats() if f.name == name)
    step = int(CHUNK_S * SR)
    started = time.process_time()
    encoder = open_encoder(fmt, sr=SR)
    pieces, first_at = [], None
    for i in range(0, audio.shape[1], step):
        piece = encoder.encode(audio[:, i : i + step])
        if piece and first_at is None:
            first_at = min(audio.shape[1], i + step) / SR
        pieces.append(piece)
    pieces.append(encoder.finish())
    encoder.close()
    elapsed = time.process_time() - started
    return b"".join(pieces), elapsed, first_at or audio.shape[1] / SR, max(len(p) for p in pieces)


def whole(name: str, audio: np.ndarray) -> tuple[bytes, float]:
    """libsndfile's encoder on the whole signal (Opus only takes 48 kHz: soxr resamples first, timed too)."""
    container, subtype = REFERENCE[name]
    buffer = io.BytesIO()
    started = time.process_time()
    rate = 48000 if name == "opus" else SR
    y = soxr.resample(audio.T, SR, rate) if rate != SR else audio.T
    sf.write(buffer, y, rate, format=container, subtype=subtype)
    return buffer.getvalue(), time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--music", type=Path, default=Path("/usr/share/games/wesnoth/1.16/data/core/music"))
    parser.add_argument("--tracks", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    audio = source(args.music, args.tracks, args.seconds)
    seconds = audio.shape[1] / SR
    table = Table(
        title=f"{seconds:.0f} s of real music ({args.tracks} files from {args.music.name}/), 44.1 kHz stereo"
    )
    for column in (
        "format",
        "encoder",
        "kbit/s",
        "x real time (CPU)",
        "first bytes after",
        "largest piece",
        "envelope corr.",
        "duration error",
    ):
        table.add_column(column, justify="left" if column in ("format", "encoder") else "right")
    for fmt in available_formats():
        data, elapsed, first_at, largest = streamed(fmt.name, audio)
        corr, error = fidelity(audio, data)
        table.add_row(
            fmt.name,
            "Selecta stream",
            f"{len(data) * 8 / seconds / 1000:.0f}",
            f"{seconds / elapsed:.0f}x",
            f"{first_at:.1f} s",
            f"{largest / 1024:.0f} KiB",
            f"{corr:.4f}",
            f"{error:+.0f} ms",
        )
        ref, ref_elapsed = whole(fmt.name, audio)
        ref_corr, ref_error = fidelity(audio, ref)
        table.add_row(
            "",
            "libsndfile (ref.)",
            f"{len(ref) * 8 / seconds / 1000:.0f}",
            f"{seconds / ref_elapsed:.0f}x",
            "end",
            f"{len(ref) / 1024:.0f} KiB",
            f"{ref_corr:.4f}",
            f"{ref_error:+.0f} ms",
        )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
