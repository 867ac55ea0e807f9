"""A live mix stream against a Redis that stalls mid-stream: the listener still gets the whole set."""

from __future__ import annotations

import io
import signal
from pathlib import Path

import pytest
import soundfile as sf

from services.engines import Engines
from services.sessions import lifecycle as sessions
from services.sessions.stream import mix_progress, mix_stream, prepare_mix
from services.sessions.stream_encoders import stream_format
from services.settings import Settings
from services.store import Store, open_store
from tests.conftest import RedisServer, free_port


def test_a_redis_that_stalls_mid_stream_costs_progress_records_not_audio(
    trained: tuple[Settings, Store], engines: Engines, tmp_path: Path
) -> None:
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    assert server.process is not None
    try:
        settings = trained[0].model_copy(update={"redis_url": server.url, "redis_timeout_s": 0.3})
        store = open_store(settings)
        session = sessions.start_session(settings, store, user_id="demo-user-02", n_tracks=3)
        prepared = prepare_mix(store, session.session_id, engines=engines, voice=False)
        chunks = mix_stream(prepared, store, stream_format("wav"))
        data = next(chunks)
        assert mix_progress(store, session.session_id) is not None  # recorded while Redis answered
        server.process.send_signal(signal.SIGSTOP)
        data += b"".join(chunks)  # every progress write from here on would time out
        server.process.send_signal(signal.SIGCONT)
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.kill()
    y, sr = sf.read(io.BytesIO(data), dtype="float32")
    assert len(y) / sr == pytest.approx(prepared.duration_s, abs=0.5)
