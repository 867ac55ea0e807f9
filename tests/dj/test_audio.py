"""Decoding: every supported container at a chosen rate, and a clear error for each kind of bad input."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from dj.audio import decode_audio, load_audio
from dj.errors import AudioDecodeError, AudioTooLongError

SR = 16000


def _tone(seconds: float = 1.0, sr: int = SR, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _encode_pyav(path: Path, y: np.ndarray, sr: int, codec: str) -> None:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=sr)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(y[None, :].astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = sr
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.mark.parametrize(
    ("suffix", "fmt", "subtype"),
    [
        (".wav", "WAV", "PCM_16"),
        (".flac", "FLAC", "PCM_16"),
        (".ogg", "OGG", "VORBIS"),
        (".mp3", "MP3", None),
    ],
)
def test_soundfile_formats_decode_to_the_requested_rate(
    tmp_path: Path, suffix: str, fmt: str, subtype: str
) -> None:
    path = tmp_path / f"tone{suffix}"
    sf.write(path, _tone(1.0, 44100), 44100, format=fmt, subtype=subtype)
    y = decode_audio(path, sr=SR)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(len(y) - SR) < 0.06 * SR  # lossy codecs pad a little
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * SR / len(y) - 440.0) < 5.0


@pytest.mark.parametrize(("suffix", "codec", "sr"), [(".m4a", "aac", 44100), (".webm", "libopus", 48000)])
def test_pyav_containers_decode(tmp_path: Path, suffix: str, codec: str, sr: int) -> None:
    path = tmp_path / f"tone{suffix}"
    _encode_pyav(path, _tone(1.0, sr), sr, codec)
    y = decode_audio(path, sr=SR)
    assert abs(len(y) - SR) < 0.1 * SR
    assert abs(np.argmax(np.abs(np.fft.rfft(y))) * SR / len(y) - 440.0) < 5.0


def test_stereo_kept_or_mixed_and_bytes_accepted(tmp_path: Path) -> None:
    left, right = _tone(0.5), _tone(0.5, freq=660.0)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), SR)
    stereo = load_audio(path, sr=None, mono=False)
    assert stereo.sr == SR and stereo.y.shape == (2, len(left))
    np.testing.assert_allclose(stereo.y[0], left, atol=1e-4)
    mono = decode_audio(path.read_bytes(), sr=SR)
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-4)


def test_empty_file_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        decode_audio(path, sr=SR)
    with pytest.raises(AudioDecodeError, match="empty"):
        decode_audio(b"", sr=SR)


def test_garbage_is_a_decode_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(AudioDecodeError, match=r"noise\.mp3") as info:
        decode_audio(path, sr=SR)
    assert info.value.code == "audio_decode_failed" and info.value.status == 422
    with pytest.raises(AudioDecodeError):
        decode_audio(b"definitely not audio" * 50, sr=SR)


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(AudioDecodeError, match=r"unsupported file type '\.txt'"):
        decode_audio(path, sr=SR)
    with pytest.raises(AudioDecodeError, match="no such file"):
        decode_audio(tmp_path / "absent.wav", sr=SR)


def test_wav_with_no_samples_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(AudioDecodeError, match="no audio"):
        decode_audio(path, sr=SR)


def test_too_long_by_duration_and_by_bytes(tmp_path: Path) -> None:
    path = tmp_path / "long.flac"
    sf.write(path, _tone(3.0), SR)
    assert len(decode_audio(path, sr=SR, max_duration_s=5.0)) == 3 * SR
    with pytest.raises(AudioTooLongError, match=r"over the limit of 2\.0 s") as info:
        decode_audio(path, sr=SR, max_duration_s=2.0)
    assert info.value.status == 413
    with pytest.raises(AudioTooLongError, match="bytes"):
        decode_audio(path.read_bytes(), sr=SR, max_bytes=100)
    m4a = tmp_path / "long.m4a"
    _encode_pyav(m4a, _tone(3.0, 44100), 44100, "aac")
    with pytest.raises(AudioTooLongError):
        decode_audio(m4a, sr=SR, max_duration_s=2.0)
