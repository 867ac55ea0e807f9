"""Decode audio files or bytes into float arrays at a chosen sample rate: the one I/O edge of the DJ.

Everything downstream (analysis, mixing) works on arrays; this module is the only place that knows about
containers and codecs. libsndfile (through ``soundfile``) reads WAV, FLAC, Ogg Vorbis/Opus and MP3 quickly
and without ffmpeg; PyAV (bundled FFmpeg, installed with faster-whisper) reads what libsndfile cannot:
M4A/AAC, WebM, MP4. Resampling uses soxr, which is fast and high quality.

Limits are checked *before* the whole file is decoded where the container tells us its length, so an
over-long upload costs almost nothing to refuse.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from dj.errors import AudioDecodeError, AudioTooLongError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DURATION_S",
    "SUPPORTED_EXTENSIONS",
    "Audio",
    "decode_audio",
    "load_audio",
]

#: File extensions we accept when given a path (bytes are sniffed instead).
SUPPORTED_EXTENSIONS = frozenset(
    {
        ".wav",
        ".wave",
        ".flac",
        ".mp3",
        ".ogg",
        ".oga",
        ".opus",
        ".m4a",
        ".aac",
        ".mp4",
        ".webm",
        ".aif",
        ".aiff",
    }
)
#: Default longest accepted input: longer than any single track, short enough to bound memory.
DEFAULT_MAX_DURATION_S = 20 * 60.0
#: Default largest accepted bytes input (uploads); paths are bounded by duration only.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

_PYAV_ONLY = frozenset({".m4a", ".aac", ".mp4", ".webm"})


@dataclass(frozen=True, kw_only=True)
class Audio:
    """Decoded audio: ``y`` is float32, shape (n,) when mono or (channels, n); ``sr`` in Hz."""

    y: np.ndarray
    sr: int
    source: str

    @property
    def duration_s(self) -> float:
        return float(self.y.shape[-1]) / self.sr


def decode_audio(
    source: str | Path | bytes,
    *,
    sr: int,
    mono: bool = True,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Decode ``source`` (a path or the file's bytes) to float32 at ``sr`` Hz.

    Returns shape (n,) when ``mono`` else (channels, n). Raises ``AudioDecodeError`` for missing, empty,
    corrupt or unsupported input and ``AudioTooLongError`` past ``max_duration_s`` seconds (or
    ``max_bytes`` for bytes input); ``None`` disables a limit.
    """
    return load_audio(source, sr=sr, mono=mono, max_duration_s=max_duration_s, max_bytes=max_bytes).y


def load_audio(
    source: str | Path | bytes,
    *,
    sr: int | None = None,
    mono: bool = True,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Audio:
    """Like :func:`decode_audio` but also returns the rate; ``sr=None`` keeps the file's own rate."""
    name, data, suffix = _open_source(source, max_bytes=max_bytes)
    if suffix in _PYAV_ONLY:
        y, native_sr = _decode_pyav(data, name=name, max_duration_s=max_duration_s)
    else:
        try:
            y, native_sr = _decode_soundfile(data, name=name, max_duration_s=max_duration_s)
        except AudioTooLongError:
            raise
        except AudioDecodeError as sf_error:
            # Unknown extension (bytes) or a codec libsndfile lacks: FFmpeg gets a second try.
            try:
                y, native_sr = _decode_pyav(data, name=name, max_duration_s=max_duration_s)
            except AudioTooLongError:
                raise
            except AudioDecodeError:
                raise sf_error from None
    if y.shape[-1] == 0:
        raise AudioDecodeError(f"{name}: the file holds no audio samples")
    if not np.all(np.isfinite(y)):
        raise AudioDecodeError(f"{name}: decoded samples are not finite (corrupt stream)")
    if mono and y.ndim == 2:
        y = y.mean(axis=0, dtype=np.float32)
    out_sr = native_sr if sr is None else int(sr)
    if out_sr <= 0:
        raise ValueError(f"sr must be positive, got {sr}")
    if out_sr != native_sr:
        y = _resample(y, native_sr, out_sr)
    return Audio(y=np.ascontiguousarray(y, dtype=np.float32), sr=out_sr, source=name)


def _open_source(source: str | Path | bytes, *, max_bytes: int | None) -> tuple[str, bytes | Path, str]:
    """Validate the source cheaply: existence, emptiness, extension, byte size. Returns name, data, suffix."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise AudioDecodeError("<bytes>: empty input (0 bytes)")
        if max_bytes is not None and len(data) > max_bytes:
            raise AudioTooLongError(f"<bytes>: {len(data)} bytes is over the limit of {max_bytes} bytes")
        return "<bytes>", data, ""
    path = Path(source)
    name = str(path)
    if not path.is_file():
        raise AudioDecodeError(f"{name}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise AudioDecodeError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; supported: {supported}"
        )
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"{name}: empty file (0 bytes)")
    return name, path, suffix


def _check_duration(name: str, duration_s: float, max_duration_s: float | None) -> None:
    if max_duration_s is not None and duration_s > max_duration_s:
        raise AudioTooLongError(f"{name}: {duration_s:.1f} s is over the limit of {max_duration_s:.1f} s")


def _decode_soundfile(
    data: bytes | Path, *, name: str, max_duration_s: float | None
) -> tuple[np.ndarray, int]:
    handle = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    try:
        with sf.SoundFile(handle) as f:
            native_sr = int(f.samplerate)
            if f.frames > 0:  # some streams (Ogg) may report 0 or an estimate; check again after decoding
                _check_duration(name, f.frames / native_sr, max_duration_s)
            limit = None if max_duration_s is None else int(max_duration_s * native_sr) + 1
            y = f.read(frames=-1 if limit is None else limit + 1, dtype="float32", always_2d=True).T
    except AudioTooLongError:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioDecodeError(f"{name}: cannot decode audio ({exc})") from exc
    if limit is not None and y.shape[1] > limit:
        _check_duration(name, y.shape[1] / native_sr, max_duration_s)
    return (y[0] if y.shape[0] == 1 else y), native_sr


def _decode_pyav(data: bytes | Path, *, name: str, max_duration_s: float | None) -> tuple[np.ndarray, int]:
    import av  # imported lazily: only the containers libsndfile cannot read need FFmpeg

    handle = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    try:
        with av.open(handle, mode="r", metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise AudioDecodeError(f"{name}: the container holds no audio stream")
            stream = streams[0]
            if container.duration and container.duration > 0:
                _check_duration(name, container.duration / 1_000_000, max_duration_s)
            native_sr = int(stream.codec_context.sample_rate or stream.rate)
            channels = max(1, stream.codec_context.channels or 1)
            resampler = av.AudioResampler(format="fltp", layout="stereo" if channels >= 2 else "mono")
            chunks: list[np.ndarray] = []
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    arr = out.to_ndarray()
                    chunks.append(arr)
                    total += arr.shape[1]
                if max_duration_s is not None and total > max_duration_s * native_sr:
                    _check_duration(name, total / native_sr, max_duration_s)
    except (AudioDecodeError, AudioTooLongError):
        raise
    except Exception as exc:
        raise AudioDecodeError(f"{name}: cannot decode audio ({exc})") from exc
    if not chunks:
        raise AudioDecodeError(f"{name}: the file holds no audio samples")
    y = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    return (y[0] if y.shape[0] == 1 else y), native_sr


def _resample(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """soxr resamples along the first axis of (n, channels); our layout is (channels, n)."""
    resampled: np.ndarray
    if y.ndim == 1:
        resampled = soxr.resample(y, sr_in, sr_out, quality="HQ").astype(np.float32, copy=False)
    else:
        resampled = np.ascontiguousarray(soxr.resample(y.T, sr_in, sr_out, quality="HQ").T, dtype=np.float32)
    return resampled
