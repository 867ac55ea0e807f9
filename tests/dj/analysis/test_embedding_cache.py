"""Embedding shape and meaning, the JSON round trip, the content-hash cache and batch analysis."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from dj.analysis import EMBEDDING_DIM, TrackAnalysis, analyze, analyze_file, analyze_many
from dj.errors import AudioDecodeError
from dj.testing.music import render_track


def _write(path: Path, bpm: float, pattern: str, seed: int = 0, tonic: int = 9) -> Path:
    track = render_track(bpm=bpm, pattern=pattern, tonic=tonic, duration_s=6.0, seed=seed)
    sf.write(path, track.y, track.sr)
    return path


def test_embedding_is_fixed_length_unit_norm_and_similar_for_similar_music() -> None:
    def emb(bpm: float, pattern: str, seed: int) -> np.ndarray:
        track = render_track(bpm=bpm, pattern=pattern, duration_s=6.0, seed=seed)
        return analyze(y=track.y, sr=track.sr).embedding

    a, b, c = emb(126, "four_on_floor", 1), emb(128, "four_on_floor", 2), emb(70, "sparse", 3)
    for e in (a, b, c):
        assert e.shape == (EMBEDDING_DIM,) and e.dtype == np.float32
        assert np.linalg.norm(e) == pytest.approx(1.0, abs=1e-5)
    assert float(a @ b) > float(a @ c) + 0.1


def test_analysis_round_trips_through_json(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.wav", 120, "backbeat")
    result = analyze_file(path)
    again = TrackAnalysis.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.bpm == result.bpm and again.key == result.key and again.intro == result.intro
    np.testing.assert_allclose(again.beats, result.beats, atol=1e-6)
    np.testing.assert_allclose(again.embedding, result.embedding, atol=1e-6)
    assert result.path == str(path) and len(result.content_hash or "") == 64


def test_cache_is_keyed_by_content_not_path(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _write(tmp_path / "a.wav", 100, "backbeat")
    copy = tmp_path / "b.wav"
    copy.write_bytes(first.read_bytes())
    result = analyze_file(first, cache_dir=cache)
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1
    # Poison the entry: a hit must come from the cache, not from re-analysis.
    data = json.loads(entries[0].read_text())
    data["bpm"] = 999.0
    entries[0].write_text(json.dumps(data))
    hit = analyze_file(copy, cache_dir=cache)
    assert hit.bpm == 999.0 and hit.path == str(copy) and hit.content_hash == result.content_hash
    entries[0].write_text("{ not json")  # a corrupt entry is recomputed, not fatal
    assert analyze_file(copy, cache_dir=cache).bpm == pytest.approx(100.0, rel=0.01)


def test_analyze_many_keeps_order_reports_progress_and_failures(tmp_path: Path) -> None:
    paths = [_write(tmp_path / f"t{i}.wav", bpm, "backbeat", seed=i) for i, bpm in enumerate((90, 120, 150))]
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF....WAVEjunk")
    seen: list[int] = []
    failures: list[str] = []
    results = analyze_many(
        [paths[0], bad, paths[1], paths[2]],
        workers=2,
        on_progress=lambda done, total, _p: seen.append(done),
        on_error=lambda p, _e: failures.append(p),
    )
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [round(r.bpm) for r in results] == [90, 120, 150]
    assert sorted(seen) == [1, 2, 3, 4] and failures == [str(bad)]
    with pytest.raises(AudioDecodeError):
        analyze_many([bad], workers=1)


def test_analyze_refuses_too_short_or_non_finite_audio() -> None:
    with pytest.raises(AudioDecodeError, match="at least"):
        analyze(y=np.zeros(1000, dtype=np.float32), sr=22050)
    y = np.zeros(22050, dtype=np.float32)
    y[5] = np.nan
    with pytest.raises(AudioDecodeError, match="NaN"):
        analyze(y=y, sr=22050)
