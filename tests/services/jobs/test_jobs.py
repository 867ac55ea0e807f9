"""Offline playlist jobs and the worker, on the demo catalogue with a real trained recommender."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from services.data.catalog import load_catalog
from services.data.demo import demo_catalog, demo_events
from services.jobs.djsets import generate_djsets
from services.jobs.errors import UnknownBackendError
from services.jobs.playlists import UnknownFormatError, generate_playlists
from services.jobs.worker import Worker
from services.recommending import RecommendationService, bundle_path
from services.settings import Settings
from services.store import Store


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_local_playlists_cover_every_user_without_played_tracks(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = trained
    result = generate_playlists(settings, store, out=tmp_path / "p.parquet", n=4)
    frame = pl.read_parquet(tmp_path / "p.parquet")
    assert result["users"] == 12 and result["rows"] == frame.height == 48 and result["format"] == "parquet"
    assert frame.schema["rank"] == pl.Int32 and frame.schema["score"] == pl.Float64
    played = store.events_frame().group_by("user_id").agg(pl.col("track_id").unique())
    seen = {u: set(t) for u, t in played.iter_rows()}
    rows = frame.to_dicts()
    for row in rows:
        assert row["track_id"] not in seen[row["user_id"]]
        assert row["explanation"]
    # Every listener, each with ranks 1..4: the count alone would pass with one user listed twice.
    ranks: dict[str, list[int]] = {}
    for row in rows:
        ranks.setdefault(row["user_id"], []).append(row["rank"])
    assert set(ranks) == set(seen)
    assert all(sorted(r) == [1, 2, 3, 4] for r in ranks.values())
    assert not (tmp_path / "p.parquet.parts").exists()  # the checkpoint is dropped once the file is in place


def test_playlists_are_exactly_what_one_recommend_call_per_user_gives(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    """The job ranks users in blocks; each user's rows are still the request path's list, for known
    listeners and for one the bundle has never seen."""
    settings, store = trained
    service = RecommendationService(settings, store)
    model = service.model()
    users = [*sorted(model.user_ids), "nobody-yet"]
    result = generate_playlists(settings, store, out=tmp_path / "p.parquet", users=users, n=5, batch_size=4)
    expected = [
        (user, rank, rec.track_id, round(rec.score, 6), rec.explanation)
        for user in users
        for rank, rec in enumerate(model.recommend(user, 5, history=service.history(model, user)), start=1)
    ]
    assert result["users"] == 13
    assert pl.read_parquet(tmp_path / "p.parquet").rows() == expected


def test_csv_on_request_holds_the_same_rows_and_a_rerun_writes_the_same_bytes(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = trained
    generate_playlists(settings, store, out=tmp_path / "p.parquet", n=3)
    first = generate_playlists(settings, store, out=tmp_path / "p.txt", n=3, fmt="csv", batch_size=5)
    assert first["format"] == "csv" and first["batches"] == 3
    text = (tmp_path / "p.txt").read_text()
    assert text.splitlines()[0] == "user_id,rank,track_id,score,explanation"
    as_csv = pl.read_csv(tmp_path / "p.txt", schema=pl.read_parquet(tmp_path / "p.parquet").schema)
    assert as_csv.equals(pl.read_parquet(tmp_path / "p.parquet"))
    generate_playlists(settings, store, out=tmp_path / "p.txt", n=3, fmt="csv", batch_size=5)
    assert (tmp_path / "p.txt").read_text() == text
    with pytest.raises(UnknownFormatError):
        generate_playlists(settings, store, out=tmp_path / "p.json", n=3, fmt="json")


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from services.jobs.playlists import generate_playlists
from services.settings import Settings
from services.store import open_store

settings = Settings(data_dir=Path(sys.argv[1]), REDIS_URL=sys.argv[2], redis_namespace=sys.argv[3])

def progress(done: float) -> None:
    if done >= 0.5:  # half the batches are checkpointed: die as a kill -9 would, no clean-up
        os.kill(os.getpid(), signal.SIGKILL)

generate_playlists(settings, open_store(settings), out=Path(sys.argv[4]), n=3, batch_size=2,
                   on_progress=progress)
"""


def test_a_run_killed_midway_resumes_and_writes_what_an_uninterrupted_run_writes(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = trained
    out = tmp_path / "killed.parquet"
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_RUN,
            str(settings.data_dir),
            str(settings.redis_url),
            settings.redis_namespace,
            str(out),
        ],
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert not out.exists()
    parts = sorted(p.name for p in (tmp_path / "killed.parquet.parts").glob("part-*.parquet"))
    assert parts == [f"part-{i:06d}.parquet" for i in range(3)]  # 3 of 6 batches of 2 users
    resumed = generate_playlists(settings, store, out=out, n=3, batch_size=2)
    assert resumed["resumed_batches"] == 3 and resumed["batches"] == 6
    whole = generate_playlists(settings, store, out=tmp_path / "whole.parquet", n=3, batch_size=2)
    assert whole["resumed_batches"] == 0
    assert pl.read_parquet(out).equals(pl.read_parquet(tmp_path / "whole.parquet"))
    assert pl.read_parquet(out)["user_id"].n_unique() == 12


def test_a_checkpoint_of_other_parameters_is_discarded(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = trained
    parts = tmp_path / "p.parquet.parts"
    parts.mkdir()
    (parts / "manifest.json").write_text('{"kind": "playlists", "n": 99}')
    (parts / "part-000000.parquet").write_bytes(b"not parquet")
    result = generate_playlists(settings, store, out=tmp_path / "p.parquet", n=2)
    assert result["resumed_batches"] == 0 and pl.read_parquet(tmp_path / "p.parquet").height == 24


def test_djset_writes_a_planned_cue_sheet_per_user_without_audio(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = trained
    users = ["demo-user-01", "demo-user-02", "nobody-yet"]
    result = generate_djsets(settings, store, out=tmp_path / "sets", users=users, n_tracks=4, batch_size=2)
    assert result["users"] == 3 and result["planned"] == 3
    index = pl.read_parquet(tmp_path / "sets" / "index.parquet")
    assert sorted(index["user_id"]) == sorted(users) and index["error"].is_null().all()
    with_audio = set(load_catalog(settings.catalog_path).drop_nulls("path")["track_id"])
    for row in index.iter_rows(named=True):
        sheet = json.loads((tmp_path / "sets" / row["file"]).read_text())
        assert sheet["user_id"] == row["user_id"] and sheet["audio"] is None
        tracks = sheet["tracks"]
        assert [t["position"] for t in tracks] == [1, 2, 3, 4] and row["tracks"] == 4
        assert {t["track_id"] for t in tracks} <= with_audio and len({t["track_id"] for t in tracks}) == 4
        starts = [t["start_s"] for t in tracks]
        assert starts == sorted(starts) and starts[0] == 0.0
        assert sheet["duration_s"] == row["duration_s"] == max(t["end_s"] for t in tracks)
        assert len(sheet["transitions"]) == 3
        for k, tr in enumerate(sheet["transitions"]):
            assert (tr["from_id"], tr["to_id"]) == (tracks[k]["track_id"], tracks[k + 1]["track_id"])
            assert tracks[k + 1]["start_s"] <= tr["start_s"] < tr["end_s"] <= tracks[k]["end_s"]
    audio = [p for p in (tmp_path / "sets").iterdir() if p.suffix not in (".json", ".parquet")]
    assert audio == []


def test_djset_plans_by_the_length_mode_and_says_how_much_of_each_track_plays(
    trained: tuple[Settings, Store], tmp_path: Path
) -> None:
    """The sheet says the mode it was planned in and the share of each track that plays; a second run into
    the same folder in another mode replaces the first's sheets."""
    settings, store = trained
    catalog = load_catalog(settings.catalog_path)
    durations = dict(zip(catalog["track_id"], catalog["duration_s"], strict=True))
    out = tmp_path / "sets"
    for mode in ("dj", "full"):
        result = generate_djsets(settings, store, out=out, users=["demo-user-03"], n_tracks=3, length=mode)
        assert result["resumed_batches"] == 0
        (sheet_file,) = out.glob("*.json")
        sheet = json.loads(sheet_file.read_text())
        assert sheet["length"] == mode
        for track in sheet["tracks"]:
            played = track["source_to_s"] - track["source_from_s"]
            assert track["share_played"] == pytest.approx(played / durations[track["track_id"]], abs=0.01)


def test_unknown_backend_is_refused(trained: tuple[Settings, Store], tmp_path: Path) -> None:
    with pytest.raises(UnknownBackendError, match="unknown backend"):
        generate_playlists(*trained, out=tmp_path / "p.csv", backend="spark")
    assert not (tmp_path / "p.csv").exists()


def test_worker_runs_a_queued_job_and_records_failures(trained: tuple[Settings, Store]) -> None:
    settings, store = trained
    worker = Worker(settings, store, name="test-worker", retrain_after=10**9)
    good = store.enqueue_job("playlists", {"users": ["demo-user-01", "demo-user-02"], "n": 3})
    bad = store.enqueue_job("karaoke", {})
    assert worker.run_once(timeout_s=0.1) and worker.run_once(timeout_s=0.1)
    done = store.job_status(good)
    assert done.state == "done" and done.progress == 1.0 and done.result["rows"] == 6
    assert pl.read_parquet(done.result["path"]).height == 6
    failed = store.job_status(bad)
    assert failed.state == "failed" and "unknown job kind" in (failed.error or "")
    assert (failed.error or "").startswith("unknown_job_kind: ")  # the stable code first, as the CLI prints


def test_worker_retrains_after_enough_new_events_and_acknowledges_them(
    trained: tuple[Settings, Store],
) -> None:
    settings, store = trained
    worker = Worker(settings, store, name="updater", retrain_after=5)
    worker.consume_events()  # the backlog from the fixture
    manifest = bundle_path(settings) / "manifest.json"
    before = manifest.stat().st_mtime_ns
    store.append_events(demo_events(catalog=demo_catalog(), n_users=1, seed=99, mean_plays=10))
    assert worker.consume_events()
    assert manifest.stat().st_mtime_ns != before
    assert store.pending_ids("updater") == []


@pytest.mark.slow
def test_ray_backend_writes_the_same_playlists(trained: tuple[Settings, Store], tmp_path: Path) -> None:
    pytest.importorskip("ray")
    settings, store = trained
    generate_playlists(settings, store, out=tmp_path / "local.csv", n=3, batch_size=5)
    generate_playlists(settings, store, out=tmp_path / "ray.csv", n=3, backend="ray", batch_size=5)

    # Batches come back in any order; the file is assembled in batch order, so it is the same file.
    assert (tmp_path / "ray.csv").read_text() == (tmp_path / "local.csv").read_text()
    assert len(read_rows(tmp_path / "ray.csv")) == 36


def test_worker_runs_a_queued_djset_job(trained: tuple[Settings, Store]) -> None:
    settings, store = trained
    worker = Worker(settings, store, name="djset-worker", retrain_after=10**9)
    job_id = store.enqueue_job("djset", {"users": ["demo-user-05"], "n_tracks": 3, "length": "radio"})
    assert worker.run_once(timeout_s=0.1)
    done = store.job_status(job_id)
    assert done.state == "done" and done.result is not None and done.result["planned"] == 1, done.error
    sheets = list(Path(done.result["path"]).glob("*.json"))
    assert len(sheets) == 1
    sheet = json.loads(sheets[0].read_text())
    assert len(sheet["tracks"]) == 3 and sheet["length"] == "radio"
