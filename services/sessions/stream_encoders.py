"""The formats a session's mix is streamed in, and the encoders that turn rendered chunks into their bytes.

WAV is 1.4 Mbit/s, too much for a phone on a mobile network; Ogg/Opus at 96 kbit/s (what browsers play
natively) and MP3 at 128 kbit/s carry the same mix in a fifteenth and an eleventh of that. The encoders
are incremental: each rendered chunk goes in, whatever the muxer has finished comes out, so the stream
leaves while the renderer is still mixing and memory stays bounded by one chunk and the codec's delay.

Opus and MP3 come from PyAV (BSD; its wheel bundles FFmpeg with libopus and LAME). A wheel without one
of those encoders simply does not offer that format (``available_formats``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

import numpy as np

from core.errors import SelectaError

UNKNOWN_SIZE = 0xFFFFFFFF


class UnsupportedFormatError(SelectaError):
    """The client asked for a stream format this server does not encode (or accepts none it does)."""

    code = "unsupported_format"
    status = 406


@dataclass(frozen=True)
class StreamFormat:
    """One format of the mix stream: its name in ``?format=``, its media type, and how it is encoded."""

    name: str
    media_type: str
    container: str | None = None
    """The FFmpeg muxer (None: the WAV writer here)."""
    codec: str | None = None
    rate: int | None = None
    """The encoder's sample rate when the codec has one of its own (Opus runs at 48 kHz)."""
    bit_rate: int = 0


FORMATS = (
    StreamFormat(name="wav", media_type="audio/wav"),
    StreamFormat(
        name="opus",
        media_type="audio/ogg; codecs=opus",
        container="ogg",
        codec="libopus",
        rate=48000,
        bit_rate=96_000,
    ),
    StreamFormat(name="mp3", media_type="audio/mpeg", container="mp3", codec="libmp3lame", bit_rate=128_000),
)
"""Every format, in the order a client that accepts several equally gets them (WAV first, as before)."""

OGG_PAGE_US = 250_000
"""Ogg pages are closed every quarter second (the muxer's default is a second), so audio leaves sooner."""


def _encodable(fmt: StreamFormat) -> bool:
    if fmt.codec is None:
        return True
    import av

    try:
        av.codec.Codec(fmt.codec, "w")
    except Exception:  # the wheel was built without this encoder (av raises its own error classes)
        return False
    return True


def available_formats() -> tuple[StreamFormat, ...]:
    """The formats this installation can encode."""
    return tuple(f for f in FORMATS if _encodable(f))


def stream_format(name: str) -> StreamFormat:
    """The format called ``name``; 406 ``unsupported_format`` when there is none this server encodes."""
    for fmt in available_formats():
        if fmt.name == name:
            return fmt
    offered = ", ".join(f.name for f in available_formats())
    raise UnsupportedFormatError(f"no mix stream format {name!r}: this server offers {offered}")


class ChunkEncoder(Protocol):
    """Rendered float32 (channels, n) chunks in, the encoded stream's bytes out, as they are ready."""

    def encode(self, chunk: np.ndarray) -> bytes: ...

    def finish(self) -> bytes: ...

    def close(self) -> None: ...


def open_encoder(fmt: StreamFormat, *, sr: int, channels: int = 2) -> ChunkEncoder:
    """An encoder for a stream of ``sr`` Hz, ``channels``-channel chunks in ``fmt``."""
    if fmt.codec is None or fmt.container is None:
        return WavEncoder(sr=sr, channels=channels)
    return AvEncoder(
        container=fmt.container,
        codec=fmt.codec,
        rate=fmt.rate or sr,
        bit_rate=fmt.bit_rate,
        sr=sr,
        channels=channels,
    )


def wav_header(*, sr: int, channels: int = 2) -> bytes:
    """A 16-bit PCM WAV header for a stream of unknown length (RIFF and data sizes 0xFFFFFFFF, as live WAV
    streams do: players and decoders read to the end of the connection)."""
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", UNKNOWN_SIZE)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, sr, sr * block, block, 16)
        + b"data"
        + struct.pack("<I", UNKNOWN_SIZE)
    )


class WavEncoder:
    """16-bit PCM WAV: the header with the first chunk, then interleaved samples."""

    def __init__(self, *, sr: int, channels: int) -> None:
        self._header: bytes = wav_header(sr=sr, channels=channels)

    def encode(self, chunk: np.ndarray) -> bytes:
        head, self._header = self._header, b""
        pcm = np.clip(chunk.T, -1.0, 1.0) * 32767.0
        samples: bytes = np.round(pcm).astype("<i2").tobytes()
        return head + samples

    def finish(self) -> bytes:
        head, self._header = self._header, b""
        return head

    def close(self) -> None:
        """Nothing to free."""


class _Sink:
    """A write-only file for the muxer: no ``seek``, so FFmpeg writes strictly forwards (no MP3 Xing
    header patched in at the end, no Ogg rewrite) and what it wrote can go out at once."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


class AvEncoder:
    """A compressed format through PyAV: its encoder resamples (44.1 kHz to Opus's 48 kHz) and cuts the
    chunks into the codec's frame size itself."""

    def __init__(
        self, *, container: str, codec: str, rate: int, bit_rate: int, sr: int, channels: int
    ) -> None:
        import av
        from av.audio.stream import AudioStream

        self._av = av
        self._sink = _Sink()
        options = {"page_duration": str(OGG_PAGE_US)} if container == "ogg" else {}
        self._container = av.open(self._sink, "w", format=container, options=options)
        layout = "stereo" if channels == 2 else "mono"
        stream = self._container.add_stream(codec, rate=rate, layout=layout)
        if not isinstance(stream, AudioStream):  # pragma: no cover - an audio codec gives an audio stream
            raise TypeError(f"{codec} is not an audio encoder")
        stream.bit_rate = bit_rate
        self._stream: AudioStream = stream
        self._sr = sr
        self._layout = layout
        self._pts = 0

    def encode(self, chunk: np.ndarray) -> bytes:
        frame = self._av.AudioFrame.from_ndarray(
            np.ascontiguousarray(np.clip(chunk, -1.0, 1.0), dtype=np.float32),
            format="fltp",
            layout=self._layout,
        )
        frame.sample_rate = self._sr
        frame.time_base = Fraction(1, self._sr)
        frame.pts = self._pts
        self._pts += chunk.shape[1]
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        return self._sink.take()

    def finish(self) -> bytes:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        return self._sink.take()

    def close(self) -> None:
        """Free the codec when the stream stops early (the listener went away); safe after ``finish``."""
        self._container.close()
