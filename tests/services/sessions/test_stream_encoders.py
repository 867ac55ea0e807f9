"""The mix stream's encoders on generated audio with known answers: a 440 Hz tone in, decoded by FFmpeg
(PyAV) out, the same length and pitch; bytes leave chunk by chunk, not at the end."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from services.sessions.stream_encoders import (
    FORMATS,
    UnsupportedFormatError,
    available_formats,
    open_encoder,
    stream_format,
)

SR = 44100
CHUNK_S = 2.0


def tone(seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    left = 0.4 * np.sin(2 * np.pi * hz * t)
    return np.stack([left, 0.5 * left]).astype(np.float32)  # the channels differ: not swapped or merged


def decode(data: bytes) -> tuple[np.ndarray, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        frames = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.rate
    y = np.concatenate(frames, axis=1)
    if y.dtype.kind == "i":  # WAV decodes as interleaved 16-bit integers in one row
        return y.reshape(-1, 2).T / 32768.0, rate
    return y.astype(np.float64), rate


def test_this_wheel_offers_opus_and_mp3() -> None:
    assert [f.name for f in available_formats()] == ["wav", "opus", "mp3"]


@pytest.mark.parametrize("name", [f.name for f in FORMATS])
def test_a_tone_survives_encoding_chunk_by_chunk(name: str) -> None:
    fmt = stream_format(name)
    encoder = open_encoder(fmt, sr=SR)
    audio = tone(10.0)
    step = int(CHUNK_S * SR)
    out = [encoder.encode(audio[:, i : i + step]) for i in range(0, audio.shape[1], step)]
    out.append(encoder.finish())
    encoder.close()
    assert all(out[:-1]), [len(o) for o in out]  # every chunk sent something: nothing waits for the end
    largest = max(len(o) for o in out)
    assert largest <= 4 * CHUNK_S * SR + 44  # at most one chunk's worth of 16-bit stereo at a time
    y, rate = decode(b"".join(out))
    assert abs(y.shape[1] / rate - 10.0) < 0.06, y.shape[1] / rate
    spectrum = np.abs(np.fft.rfft(y[0, rate : 9 * rate]))
    assert abs(np.argmax(spectrum) * rate / (8 * rate) - 440.0) < 1.0
    level = np.sqrt(np.mean(y[:, rate : 9 * rate] ** 2, axis=1))
    assert np.allclose(level, [0.4 / np.sqrt(2), 0.2 / np.sqrt(2)], rtol=0.1), level


def test_a_format_this_server_does_not_encode_is_a_406() -> None:
    with pytest.raises(UnsupportedFormatError, match="offers wav, opus, mp3") as raised:
        stream_format("flac")
    assert raised.value.status == 406 and raised.value.code == "unsupported_format"
