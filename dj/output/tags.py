"""Tags on a written mix without GPL code: PyAV (BSD) remuxes FLAC and MP3, small writers do Ogg and WAV.

FFmpeg (through PyAV) copies the encoded audio untouched and writes FLAC Vorbis comments and MP3 ID3v2
frames (custom keys as TXXX) from the container metadata. Two containers need help: FFmpeg's Ogg remux
loses libsndfile's end trimming (the stream then reports a length of hours), and its WAV muxer writes only
the fixed RIFF INFO keys. So Ogg gets its Vorbis comment header rebuilt here (pages renumbered, CRCs
recomputed) and WAV gets an ``id3 `` chunk, which FFmpeg, tinytag and most players read. Reading goes
through PyAV for every format, so one reader checks all four writers.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

__all__ = ["read_tags", "write_tags"]

_REVERSED_BYTES = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def write_tags(path: Path, tags: Mapping[str, str], *, fmt: str | None = None) -> None:
    """Replace the tags of the audio file at ``path``: ``fmt`` (wav, flac, ogg or mp3) or its extension."""
    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind == "ogg":
        _write_ogg_comments(path, tags)
    elif kind == "wav":
        _write_wav_id3(path, tags)
    else:
        _remux_with_metadata(path, tags)


def read_tags(path: Path) -> dict[str, str]:
    """Container and stream tags (lower-case keys; ``encoder`` dropped), for tests and for the API."""
    import av

    with av.open(str(path)) as container:
        found = {**container.streams.audio[0].metadata, **container.metadata}
    return {key.lower(): str(value) for key, value in found.items() if key.lower() != "encoder"}


def _remux_with_metadata(path: Path, tags: Mapping[str, str]) -> None:
    import av

    tmp = path.with_name(path.name + ".tagging")
    with av.open(str(path)) as src:
        fmt = src.format.name.split(",")[0]
        with av.open(str(tmp), "w", format=fmt) as dst:
            stream = src.streams.audio[0]
            out = dst.add_stream_from_template(stream)
            for key, value in tags.items():
                dst.metadata[key] = value
            for packet in src.demux(stream):
                if packet.dts is None:  # the demuxer's end-of-stream marker
                    continue
                packet.stream = out
                dst.mux(packet)
    tmp.replace(path)


# --- Ogg Vorbis: rebuild the comment header -----------------------------------------------------------


def _ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, init 0): zlib's reflected CRC on bit-reversed
    bytes, bit-reversed back, so a long mix is re-checksummed at C speed."""
    raw = zlib.crc32(data.translate(_REVERSED_BYTES), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{raw:032b}"[::-1], 2)


def _pages(data: bytes) -> list[tuple[bytes, list[int], bytes]]:
    """(27-byte header, lacing values, body) of each page."""
    pages, i = [], 0
    while i < len(data):
        if data[i : i + 4] != b"OggS":
            raise ValueError(f"not an Ogg page at byte {i}")
        n = data[i + 26]
        lacing = list(data[i + 27 : i + 27 + n])
        start = i + 27 + n
        pages.append((data[i : i + 27], lacing, data[start : start + sum(lacing)]))
        i = start + sum(lacing)
    return pages


def _page(header: bytes, lacing: list[int], body: bytes, *, flags: int, seq: int, granule: int) -> bytes:
    head = bytearray(header)
    head[5] = flags
    head[6:14] = struct.pack("<q", granule)
    head[18:22] = struct.pack("<I", seq)
    head[22:26] = b"\0\0\0\0"
    head[26] = len(lacing)
    page = bytes(head) + bytes(lacing) + body
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def _write_ogg_comments(path: Path, tags: Mapping[str, str]) -> None:
    pages = _pages(path.read_bytes())
    # Vorbis headers: identification (page 0 alone), then comment and setup, which end on a page boundary.
    packets: list[bytes] = []
    current = b""
    k = 1
    while len(packets) < 2:
        _, lacing, body = pages[k]
        pos = 0
        for value in lacing:
            current += body[pos : pos + value]
            pos += value
            if value < 255:
                packets.append(current)
                current = b""
        k += 1
    old_comment, setup = packets
    vendor_len = struct.unpack("<I", old_comment[7:11])[0]
    vendor = old_comment[11 : 11 + vendor_len]
    fields = [f"{key.upper()}={value}".encode() for key, value in tags.items()]
    comment = b"\x03vorbis" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(fields))
    comment += b"".join(struct.pack("<I", len(f)) + f for f in fields) + b"\x01"
    # Lace both packets and cut the lacing into pages of at most 255 segments.
    segments: list[tuple[int, bytes]] = []
    for packet in (comment, setup):
        for j in range(0, len(packet) // 255 * 255 + 1, 255):
            chunk = packet[j : j + 255]
            segments.append((len(chunk), chunk))
    header0 = pages[0][0]
    out = [_page(header0, pages[0][1], pages[0][2], flags=2, seq=0, granule=0)]
    continued = False
    for j in range(0, len(segments), 255):
        group = segments[j : j + 255]
        out.append(
            _page(
                header0,
                [n for n, _ in group],
                b"".join(c for _, c in group),
                flags=1 if continued else 0,
                seq=len(out),
                granule=0,
            )
        )
        continued = group[-1][0] == 255
    for header, lacing, body in pages[k:]:
        granule = struct.unpack("<q", header[6:14])[0]
        out.append(_page(header, lacing, body, flags=header[5], seq=len(out), granule=granule))
    tmp = path.with_name(path.name + ".tagging")
    tmp.write_bytes(b"".join(out))
    tmp.replace(path)


# --- WAV: an ID3v2.4 chunk ------------------------------------------------------------------------------

_ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB"}


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _id3_frame(frame_id: str, payload: bytes) -> bytes:
    return frame_id.encode("ascii") + _syncsafe(len(payload)) + b"\0\0" + payload


def _id3(tags: Mapping[str, str]) -> bytes:
    """An ID3v2.4 tag, all text UTF-8 (encoding byte 3): standard frames where one exists, COMM for the
    comment, TXXX (described by the key) for everything else."""
    frames = []
    for key, value in tags.items():
        text = value.encode("utf-8")
        if key in _ID3_FRAMES:
            frames.append(_id3_frame(_ID3_FRAMES[key], b"\x03" + text))
        elif key == "comment":
            frames.append(_id3_frame("COMM", b"\x03eng\0" + text))
        else:
            frames.append(_id3_frame("TXXX", b"\x03" + key.upper().encode("utf-8") + b"\0" + text))
    body = b"".join(frames)
    return b"ID3\x04\x00\x00" + _syncsafe(len(body)) + body


def _write_wav_id3(path: Path, tags: Mapping[str, str]) -> None:
    data = path.read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a RIFF WAVE file")
    # Keep every chunk except an older ID3 chunk, then append the new one (chunks are word-aligned).
    chunks, i = [], 12
    while i + 8 <= len(data):
        cid, size = data[i : i + 4], struct.unpack("<I", data[i + 4 : i + 8])[0]
        end = i + 8 + size + (size & 1)
        if cid.lower() != b"id3 ":
            chunks.append(data[i:end])
        i = end
    tag = _id3(tags)
    chunks.append(b"id3 " + struct.pack("<I", len(tag)) + tag + (b"\0" if len(tag) & 1 else b""))
    body = b"WAVE" + b"".join(chunks)
    tmp = path.with_name(path.name + ".tagging")
    tmp.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    tmp.replace(path)
