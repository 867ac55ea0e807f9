"""The DJ session endpoints end to end: real demo recordings, recommender, Redis, Whisper and hibari.

The streamed mix is read from a real uvicorn server (the test client buffers whole responses), so the
first chunk is seen while the render is still going.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import av
import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from dj.host.spoken import spoken_title
from dj.requests.answers import LINES
from dj.speech.tts import HibariSynthesizer
from services.engines import Engines
from services.settings import Settings
from services.store import Store, credentials
from tests.services.api.apps import app_for
from tests.services.api.auth_client import authorize, listener
from tests.services.api.serving import serving


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, Store], engines: Engines) -> Iterator[TestClient]:
    settings, _ = trained
    with TestClient(app_for(settings, engines)) as test_client:
        yield authorize(test_client)


def wav_bytes(y: np.ndarray, sr: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    return buffer.getvalue()


def webm_opus(y: np.ndarray, sr: int) -> bytes:
    """What a browser's MediaRecorder sends: Opus in WebM, at 48 kHz."""
    import soxr

    y48 = soxr.resample(y, sr, 48000).astype(np.float32)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(y48[None, :], format="flt", layout="mono")
        frame.sample_rate = 48000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def calmer_speech(voice: HibariSynthesizer) -> tuple[np.ndarray, int]:
    speech = voice.synthesize("Play something calmer, please.")
    pad = np.zeros(int(0.4 * speech.sr), dtype=np.float32)
    return np.concatenate([pad, speech.y, pad]), speech.sr


def new_session(client: TestClient, user: str = "demo-user-01", n_tracks: int = 6) -> dict:
    response = client.post("/v1/sessions", json={"user_id": user, "n_tracks": n_tracks, "arc": "steady"})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_show_a_session(client: TestClient) -> None:
    body = new_session(client)
    assert body["count"] == 6 and body["position"] == 0 and len(body["upcoming"]) == 5
    assert body["playing"]["title"] and all(t["title"] and t["transition"] for t in body["upcoming"])
    shown = client.get(f"/v1/sessions/{body['session_id']}").json()
    assert shown["playing"] == body["playing"] and shown["upcoming"] == body["upcoming"]
    moved = client.post(f"/v1/sessions/{body['session_id']}/advance").json()
    assert moved["position"] == 1 and moved["playing"] == body["upcoming"][0]
    assert moved["played"] == [body["playing"]["track_id"]]


def test_typed_requests_calmer_skip_why(client: TestClient) -> None:
    body = new_session(client, user="demo-user-02")
    sid, playing = body["session_id"], body["playing"]
    calmer = client.post(f"/v1/sessions/{sid}/requests", json={"text": "play something calmer"})
    assert calmer.status_code == 200, calmer.text
    out = calmer.json()
    assert out["intent"]["kind"] == "energy_down" and out["answer"] in LINES["energy_down"]
    assert out["replanned"] and out["session"]["playing"] == playing  # the playing track stays
    assert out["constraints"]["energy_range"][1] < 1.0 and out["transcript"] is None
    audio = client.get(out["answer_audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    y, sr = sf.read(io.BytesIO(audio.content))
    assert len(y) / sr > 0.5 and np.abs(y).max() > 0.05

    why = client.post(f"/v1/sessions/{sid}/requests", json={"text": "why this song?"}).json()
    said = spoken_title(
        playing["title"], playing["artist"]
    )  # as the host says it: "a tender electronic piece"
    assert why["intent"]["kind"] == "why" and said in why["answer"] and not why["replanned"]

    skip = client.post(f"/v1/sessions/{sid}/requests", json={"text": "skip"}).json()
    assert skip["intent"]["kind"] == "skip"
    assert skip["session"]["position"] == 1 and skip["session"]["played"] == [playing["track_id"]]
    assert playing["track_id"] not in [t["track_id"] for t in skip["session"]["upcoming"]]
    assert client.get(f"/v1/sessions/{sid}").json()["requests"] == [
        "play something calmer",
        "why this song?",
        "skip",
    ]


@pytest.mark.parametrize("encoding", ["wav", "webm"])
def test_spoken_request(client: TestClient, calmer_speech: tuple[np.ndarray, int], encoding: str) -> None:
    y, sr = calmer_speech
    data, mime = (wav_bytes(y, sr), "audio/wav") if encoding == "wav" else (webm_opus(y, sr), "audio/webm")
    sid = new_session(client, user="demo-user-03")["session_id"]
    response = client.post(
        f"/v1/sessions/{sid}/requests/audio", files={"file": (f"request.{encoding}", data, mime)}
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert "calmer" in out["transcript"]["text"].lower() and out["intent"]["kind"] == "energy_down"
    assert out["replanned"] and out["timings"]["transcribe_s"] > 0 and out["answer_audio_url"]
    assert len(out["session"]["upcoming"]) == 5


def test_upload_errors(client: TestClient, trained: tuple[Settings, Store], engines: Engines) -> None:
    settings, _ = trained
    sid = new_session(client, user="demo-user-04", n_tracks=3)["session_id"]
    url = f"/v1/sessions/{sid}/requests/audio"
    garbage = client.post(url, files={"file": ("x.wav", b"RIFF this is not audio at all" * 50, "audio/wav")})
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "audio_decode_failed"
    silence = wav_bytes(np.zeros(16000 * 2, dtype=np.float32), 16000)
    quiet = client.post(url, files={"file": ("s.wav", silence, "audio/wav")})
    assert quiet.status_code == 422 and quiet.json()["error"]["code"] == "no_speech"
    missing = client.post("/v1/sessions/nope/requests/audio", files={"file": ("s.wav", silence, "audio/wav")})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.post("/v1/sessions/nope/requests", json={"text": "skip"}).status_code == 404
    assert client.get("/v1/sessions/nope").json()["error"]["status"] == 404

    small = settings.model_copy(update={"max_upload_bytes": 20_000})
    with TestClient(app_for(small, engines)) as limited:
        authorize(limited)
        big = limited.post(url, files={"file": ("big.wav", silence * 3, "audio/wav")})
        assert big.status_code == 413 and big.json()["error"]["code"] == "audio_too_large"
        chunks = (silence[i : i + 8192] for i in range(0, 3 * len(silence), 8192))  # no Content-Length
        streamed = limited.post(url, content=chunks, headers={"content-type": "audio/wav"})
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "audio_too_large"


def test_understand_without_a_session(client: TestClient, calmer_speech: tuple[np.ndarray, int]) -> None:
    typed = client.post("/v1/requests/understand", json={"text": "more like this"})
    assert typed.status_code == 200 and typed.json()["intent"]["kind"] == "more_like_this"
    y, sr = calmer_speech
    spoken = client.post("/v1/requests/understand", files={"file": ("r.wav", wav_bytes(y, sr), "audio/wav")})
    assert spoken.status_code == 200, spoken.text
    assert spoken.json()["intent"]["kind"] == "energy_down" and spoken.json()["transcript"]["backend"]
    tastes = client.post("/v1/requests/understand", json={"text": "i like acoustic and hate electronic"})
    slots = tastes.json()["intent"]["slots"]
    assert {(s["value"], s["opinion"]) for s in slots} == {("acoustic", "like"), ("electronic", "dislike")}
    empty = client.post("/v1/requests/understand", json={"text": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_request"


@pytest.fixture(scope="module")
def server(trained: tuple[Settings, Store], engines: Engines) -> Iterator[str]:
    """The app on uvicorn, rendering at most one mix at a time."""
    settings = trained[0].model_copy(update={"max_concurrent_renders": 1})
    with serving(app_for(settings, engines)) as url:
        yield url


@pytest.fixture(scope="module")
def key(trained: tuple[Settings, Store]) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.issue(trained[1], 'app', name='tests').secret}"}


def test_mix_streams_audio_before_the_render_finishes(server: str, key: dict[str, str]) -> None:
    with httpx.Client(base_url=server, timeout=60, headers=key) as http:
        sid = http.post("/v1/sessions", json={"user_id": "demo-user-05", "n_tracks": 4}).json()["session_id"]
        with http.stream("GET", f"/v1/sessions/{sid}/mix", params={"voice": "false"}) as response:
            assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
            assert "content-length" not in response.headers
            duration = float(response.headers["x-selecta-duration-s"])
            chunks = response.iter_bytes()
            head = b""
            while len(head) < 44 + 4 * 44100:  # the header and a second of audio
                head += next(chunks)
            assert head[:4] == b"RIFF" and head[8:16] == b"WAVEfmt "
            first = np.frombuffer(head[44 : 44 + 4 * 44100], dtype="<i2")
            assert np.abs(first).max() > 1000  # music, not silence
            progress = http.get(f"/v1/sessions/{sid}").json()["mix"]
            assert progress["state"] == "rendering" and progress["rendered_s"] < duration
            data = head + b"".join(chunks)
        assert http.get(f"/v1/sessions/{sid}").json()["mix"]["state"] == "done"
    y, sr = sf.read(io.BytesIO(data), dtype="float32")
    assert sr == 44100 and y.shape[1] == 2
    assert abs(len(y) / sr - duration) < 1.0
    assert np.abs(y).max() <= 1.0 and np.sqrt(np.mean(y**2)) > 0.01


def decode(data: bytes) -> tuple[np.ndarray, int, str]:
    """Decode a whole stream with FFmpeg (PyAV): float samples (channels, n), the rate and the codec."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        frames = [f.to_ndarray() for f in container.decode(stream)]
        return np.concatenate(frames, axis=1), stream.rate, stream.codec_context.name


@pytest.mark.parametrize(
    ("ask", "media_type", "codec", "magic"),
    [
        ({"params": {"format": "opus"}}, "audio/ogg; codecs=opus", "opus", b"OggS"),
        ({"headers": {"Accept": "audio/ogg"}}, "audio/ogg; codecs=opus", "opus", b"OggS"),
        ({"headers": {"Accept": "audio/mpeg, audio/wav;q=0.5"}}, "audio/mpeg", "mp3", b"ID3"),
    ],
    ids=["opus-query", "opus-accept", "mp3-accept"],
)
def test_mix_streams_compressed_while_it_renders(
    server: str, key: dict[str, str], ask: dict, media_type: str, codec: str, magic: bytes
) -> None:
    """A compressed stream is chunked as it renders, a fraction of WAV's size, and decodes to the whole
    set: its duration, not silence, within the limiter's ceiling."""
    with httpx.Client(base_url=server, timeout=60, headers=key) as http:
        sid = http.post("/v1/sessions", json={"user_id": "demo-user-07", "n_tracks": 3}).json()["session_id"]
        params = {"voice": "false", **ask.get("params", {})}
        with http.stream(
            "GET", f"/v1/sessions/{sid}/mix", params=params, headers=ask.get("headers")
        ) as response:
            assert response.status_code == 200 and response.headers["content-type"] == media_type
            assert "content-length" not in response.headers
            duration = float(response.headers["x-selecta-duration-s"])
            chunks = response.iter_bytes()
            head = next(chunks)
            assert head.startswith(magic) or (codec == "mp3" and head[:2] == b"\xff\xfb"), head[:8]
            progress = http.get(f"/v1/sessions/{sid}").json()["mix"]
            assert progress["state"] == "rendering" and progress["rendered_s"] < duration
            data = head + b"".join(chunks)
    y, sr, name = decode(data)
    assert name.startswith(codec) and y.shape[0] == 2  # the decoder: opus, mp3float
    assert abs(y.shape[1] / sr - duration) < 0.2, (y.shape[1] / sr, duration)
    assert np.sqrt(np.mean(y**2)) > 0.01 and np.abs(y).max() <= 1.05
    assert len(data) * 8 / duration < 200_000  # bits per second: WAV would be 1,411,200


def test_mix_format_errors_are_406_json(server: str, key: dict[str, str]) -> None:
    with httpx.Client(base_url=server, timeout=60, headers=key) as http:
        sid = http.post("/v1/sessions", json={"user_id": "demo-user-07", "n_tracks": 2}).json()["session_id"]
        mix = f"/v1/sessions/{sid}/mix"
        for ask in ({"params": {"format": "flac"}}, {"headers": {"Accept": "audio/flac, application/json"}}):
            refused = http.get(mix, **ask)
            assert refused.status_code == 406 and refused.json()["error"]["code"] == "unsupported_format"
            assert "opus" in refused.json()["error"]["message"]
        metrics = http.get("/metrics").text
        assert "selecta_renders_in_flight 0.0" in metrics  # refused before a render slot was taken


def test_renders_past_the_bound_get_a_503_with_retry_after(server: str, key: dict[str, str]) -> None:
    """One render slot (the fixture's bound): a second stream while the first renders is refused at
    once, and the slot is free again when the first stream ends."""
    with httpx.Client(base_url=server, timeout=60, headers=key) as http:
        sid = http.post("/v1/sessions", json={"user_id": "demo-user-06", "n_tracks": 3}).json()["session_id"]
        mix = f"/v1/sessions/{sid}/mix"
        with http.stream("GET", mix, params={"voice": "false"}) as first:
            assert first.status_code == 200
            next(first.iter_bytes())
            busy = http.get(mix, params={"voice": "false"})
            assert busy.status_code == 503 and busy.json()["error"]["code"] == "renders_busy"
            assert int(busy.headers["retry-after"]) > 0
            metrics = http.get("/metrics").text
            assert "selecta_renders_in_flight 1.0" in metrics
        deadline = time.monotonic() + 30
        while "selecta_renders_in_flight 0.0" not in http.get("/metrics").text:
            assert time.monotonic() < deadline, "the slot was never released"
            time.sleep(0.1)
        with http.stream("GET", mix, params={"voice": "false"}) as again:
            assert again.status_code == 200


def test_voice_and_request_calls_are_rate_limited_per_credential(
    trained: tuple[Settings, Store], engines: Engines
) -> None:
    limited = trained[0].model_copy(update={"voice_rate_per_min": 2})
    with TestClient(app_for(limited, engines)) as client:
        authorize(client)
        typed = {"json": {"text": "more like this"}}
        assert [client.post("/v1/requests/understand", **typed).status_code for _ in range(2)] == [200, 200]
        refused = client.post("/v1/requests/understand", **typed)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert 0 < int(refused.headers["retry-after"]) <= 60
        other = listener(client, "demo-user-01")  # another credential has its own count
        assert client.post("/v1/requests/understand", headers=other, **typed).status_code == 200


def test_metrics_count_routes_stages_and_the_model(client: TestClient) -> None:
    client.get("/v1/tracks")
    client.get("/v1/users/demo-user-01/recommendations")
    client.post("/v1/requests/understand", json={"text": "play something calmer"})
    text = client.get("/metrics").text
    assert 'selecta_requests_total{method="GET",route="/v1/tracks",status="200"}' in text
    assert 'selecta_request_seconds_bucket{le="0.1",method="GET",route="/v1/tracks"}' in text
    assert re.search(r'selecta_model_info\{bundle="[^"]+"\} 1\.0', text)
    assert "selecta_voice_stage_seconds_count{stage=" in text
    assert "selecta_store_errors_total 0.0" in text
    assert "selecta_renders_in_flight" in text
    assert client.get("/metrics", headers=listener(client, "demo-user-01")).status_code == 403
