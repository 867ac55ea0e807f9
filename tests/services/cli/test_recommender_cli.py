"""The recommender's CLI commands, run through the real Typer app on small files."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from services.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three taste clusters of 20 tracks; 45 users each play 12 tracks of their own cluster."""
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(5)
    rows = []
    for u in range(45):
        cluster = u % 3
        for i in rng.choice(20, size=12, replace=False):
            rows.append(
                {"user_id": f"u{u}", "track_id": f"c{cluster}-{i}", "plays": int(rng.integers(1, 50))}
            )
    pl.DataFrame(rows).write_csv(root / "train.csv")
    items = [
        {"track_id": f"c{c}-{i}", "title": f"T{c}{i}", "artist": f"A{c}{i % 5}", "tags": f"style{c}|x"}
        for c in range(3)
        for i in range(20)
    ]
    pl.DataFrame(items).write_csv(root / "items.csv")
    (root / "users.txt").write_text("u0\nu1\nnobody\n")
    return root


def test_recommend_batch_writes_top_n_excluding_training_items(files):
    out = files / "recs.csv"
    result = runner.invoke(
        app,
        ["recommend-batch", "--events", str(files / "train.csv"), "--users", str(files / "users.txt"),
         "--items", str(files / "items.csv"), "--n", "5", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    recs = pl.read_csv(out)
    assert recs.columns == ["user_id", "rank", "track_id", "score"]
    assert recs.group_by("user_id").len().sort("user_id").to_dicts() == [
        {"user_id": u, "len": 5} for u in ("nobody", "u0", "u1")
    ]
    train = pl.read_csv(files / "train.csv")
    for user, cluster in (("u0", "c0-"), ("u1", "c1-")):
        mine = recs.filter(pl.col("user_id") == user)
        assert mine["rank"].to_list() == [1, 2, 3, 4, 5]
        assert all(t.startswith(cluster) for t in mine["track_id"])
        assert not set(mine["track_id"]) & set(train.filter(pl.col("user_id") == user)["track_id"])


def test_train_then_recommend_from_the_bundle(files, tmp_path):
    bundle = tmp_path / "bundle"
    result = runner.invoke(
        app,
        [
            "train",
            "--events",
            str(files / "train.csv"),
            "--items",
            str(files / "items.csv"),
            "--out",
            str(bundle),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "blend weights" in result.output
    result = runner.invoke(app, ["recommend", "u2", "--n", "3", "--bundle", str(bundle), "--tag", "style2"])
    assert result.exit_code == 0, result.output
    assert "3 tracks for u2" in result.output


def test_evaluate_prints_every_model_side_by_side(files):
    result = runner.invoke(
        app,
        ["evaluate", "--events", str(files / "train.csv"), "--items", str(files / "items.csv"),
         "--protocol", "holdout", "--model", "popularity", "--model", "rp3beta (beta 0.3)"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for label in ("popularity", "rp3beta", "blend"):
        assert label in result.output


def test_evaluate_on_a_user_sample_prints_the_same_table_twice(files):
    args = ["evaluate", "--events", str(files / "train.csv"), "--protocol", "holdout", "--sample-users", "30",
            "--model", "bpr (defaults)", "--model", "lightfm warp + tags"]  # fmt: skip
    outputs = [runner.invoke(app, args) for _ in range(2)]
    assert all(r.exit_code == 0 for r in outputs), outputs[0].output
    # Every column but the last ("fit s", a timing) must match to the last digit.
    tables = [
        [line.rsplit("|", 2)[0] for line in r.stdout.splitlines() if line.startswith("| holdout")]
        for r in outputs
    ]
    assert len(tables[0]) == 3 and tables[0] == tables[1]
    assert all(row.endswith("| 30 ") for row in tables[0])  # users column: the 30 sampled users
