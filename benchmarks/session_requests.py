"""Latency of a spoken request through the API: upload -> transcript -> intent -> re-planned set -> answer.

    nice .venv/bin/python benchmarks/session_requests.py [--n 20] [--data-dir .selecta/bench-sessions]

Runs the real app under uvicorn on loopback with the demo catalogue (28 recordings), synthetic listeners
and a trained recommender in ``--data-dir`` (built on the first run, reused after), the embedded Redis,
faster-whisper tiny.en and the hibari voice. The request is about 5 s of hibari speech uploaded as WAV to
``POST /v1/sessions/{id}/requests/audio``; each request alternates calmer / more energetic so every one
re-plans the set. The first request (model loading) is reported apart from the steady-state figures.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import httpx
import numpy as np
import soundfile as sf
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dj.speech.tts import HibariSynthesizer  # noqa: E402
from services.api.app import create_app  # noqa: E402
from services.settings import Settings  # noqa: E402
from services.store import credentials  # noqa: E402

REQUESTS = (
    "Hey DJ, could you play something a little bit calmer for the next few songs, please?",
    "Okay, now let's bring the energy back up and play something more energetic, thanks.",
)


def prepare(settings: Settings) -> None:
    """Demo catalogue, synthetic listeners and a trained bundle, unless the data dir has them."""
    from services.data.demo import demo_catalog, demo_events
    from services.importing import import_tracks
    from services.recommending import bundle_path, train
    from services.store import open_store

    store = open_store(settings)
    if (bundle_path(settings) / "manifest.json").is_file():
        return
    print("preparing the demo data directory (analysis and training, once)", file=sys.stderr)
    catalog = demo_catalog()
    import_tracks(catalog, settings=settings, store=store)
    store.append_events(demo_events(catalog=catalog, n_users=12, seed=3))
    train(settings, store)


def speech_wav(settings: Settings) -> list[tuple[bytes, float]]:
    voice = HibariSynthesizer(cache_dir=settings.cache_dir / "tts")
    out = []
    for text in REQUESTS:
        speech = voice.synthesize(text)
        pad = np.zeros(int(0.3 * speech.sr), dtype=np.float32)
        y = np.concatenate([pad, speech.y, pad])
        buffer = io.BytesIO()
        sf.write(buffer, y, speech.sr, format="WAV", subtype="PCM_16")
        out.append((buffer.getvalue(), len(y) / speech.sr))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="timed requests after the first")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".selecta" / "bench-sessions")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, redis_namespace="benchsessions")
    prepare(settings)
    uploads = speech_wav(settings)
    port = 8765
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    key = credentials.issue(app.state.selecta.store, "app", name="benchmark").secret
    stages: dict[str, list[float]] = {}
    latencies: list[float] = []
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120, headers=auth) as http:
        sid = http.post("/v1/sessions", json={"user_id": "demo-user-01", "n_tracks": 8}).json()["session_id"]
        for i in range(args.n + 1):
            data, _ = uploads[i % 2]
            t0 = time.perf_counter()
            response = http.post(
                f"/v1/sessions/{sid}/requests/audio", files={"file": ("request.wav", data, "audio/wav")}
            )
            elapsed = time.perf_counter() - t0
            response.raise_for_status()
            body = response.json()
            if i == 0:
                first, heard = elapsed, body["transcript"]["text"]
                continue
            latencies.append(elapsed)
            for k, v in body["timings"].items():
                stages.setdefault(k, []).append(v)
    server.should_exit = True
    thread.join(timeout=10)
    q = statistics.quantiles(latencies, n=10)
    print(f"request audio: {uploads[0][1]:.1f} s and {uploads[1][1]:.1f} s of speech (WAV); heard: {heard!r}")
    print(f"first request (loads Whisper and the voice): {first * 1000:.0f} ms")
    print("| requests | p50 ms | p90 ms | max ms |\n|---|---|---|---|")
    print(
        f"| {len(latencies)} | {statistics.median(latencies) * 1000:.0f} | {q[8] * 1000:.0f} | "
        f"{max(latencies) * 1000:.0f} |"
    )
    print(
        "median per stage (ms): "
        + ", ".join(f"{k} {statistics.median(v) * 1000:.1f}" for k, v in stages.items())
    )


if __name__ == "__main__":
    main()
