"""``selecta train | evaluate | recommend | recommend-batch``: the recommender from the command line.

``train`` fits the shipped default blend on everything in the store (or an event file) and saves the
bundle; ``evaluate`` prints one table with every model and baseline side by side (hetrec-2k by default,
or any event log); ``recommend`` ranks for one user from the saved bundle; ``recommend-batch`` trains on a
plain event file and writes every requested user's top-N, so anyone can score it with their own protocol.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, cast

import polars as pl
import typer
from rich.table import Table

from services.cli.output import console, err_console

HETREC_DEFAULT = Path("../shared/datasets/hetrec2011-lastfm-2k")


def _status(description: str) -> Callable[[str], None]:
    """A progress callback that shows each fitting step on stderr as it starts."""
    start = time.perf_counter()
    return lambda step: err_console.print(
        f"[dim]{time.perf_counter() - start:6.1f}s[/] {description}: {step}"
    )


def _read_inputs(events: Path, items: Path | None) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    from services.data.tables import read_catalog, read_events

    return read_events(events), read_catalog(items) if items is not None else None


def _range(text: str | None) -> tuple[float, float] | None:
    """``LO:HI`` as two floats (a tempo or energy band), or None when the option was not given."""
    if text is None:
        return None
    lo, _, hi = text.partition(":")
    if not hi:
        raise typer.BadParameter(f"expected LO:HI, got {text!r}")
    return float(lo), float(hi)


def train(
    events: Annotated[
        Path | None, typer.Option(help="Train on this event file instead of the store.")
    ] = None,
    items: Annotated[Path | None, typer.Option(help="Catalogue file to use with --events.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Bundle directory (default: data_dir/models/recommender).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for splits and models.")] = 42,
) -> None:
    """Retrain the shipped default blend on every event (weights fit on a validation split) and save it."""
    from recommender import Recommender, default_config
    from services.recommending import bundle_path
    from services.settings import get_settings

    settings = get_settings()
    target = out or bundle_path(settings)
    start = time.perf_counter()
    if events is None:
        from services.recommending import train as train_from_store
        from services.store import open_store

        model = train_from_store(
            settings,
            open_store(settings),
            config=default_config(seed=seed),
            progress=_status("train"),
            out=target,
        )
    else:
        frame, catalog = _read_inputs(events, items)
        model = Recommender.fit(
            events=frame, items=catalog, config=default_config(seed=seed), progress=_status("train")
        )
        model.save(target)
    meta = model.metadata
    console.print(
        f"trained on {meta['n_interactions']} interactions ({meta['n_users']} users, "
        f"{meta['n_items']} tracks) in {time.perf_counter() - start:.1f} s -> {target}"
    )
    console.print("blend weights: " + ", ".join(f"{k} {w:.3f}" for k, w in model.blend.weights.items()))
    metrics = cast("dict[str, float]", meta["metrics"])  # the recommender writes it; metadata is untyped
    val = {k.removeprefix("val_ndcg10_"): v for k, v in metrics.items()}
    if val:
        console.print("validation NDCG@10: " + ", ".join(f"{k} {v:.4f}" for k, v in val.items()))


def evaluate(
    events: Annotated[
        Path | None, typer.Option(help="Evaluate on this event log instead of hetrec-2k.")
    ] = None,
    items: Annotated[Path | None, typer.Option(help="Catalogue (tags) for --events.")] = None,
    hetrec: Annotated[
        Path | None,
        typer.Option(help="hetrec2011-lastfm-2k folder (default: SELECTA_HETREC_DIR or ../shared/...)"),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Evaluate on the store's events and catalogue.")
    ] = False,
    protocol: Annotated[list[str] | None, typer.Option(help="holdout and/or cold (default: both).")] = None,
    model: Annotated[list[str] | None, typer.Option(help="Only these model labels (default: all).")] = None,
    k: Annotated[int, typer.Option(help="Cut-off K.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the splits and models.")] = 0,
    sample_users: Annotated[
        int | None, typer.Option(help="Only this many users, drawn with the seed (a quick run).")
    ] = None,
) -> None:
    """One table: every model and baseline side by side, per protocol (fixed seeds, single-threaded
    fits: the same command prints the same table). On hetrec, friends are passed as user features."""
    from recommender.evaluate import EVAL_MODELS, PROTOCOLS, format_table
    from recommender.evaluate import evaluate as run_evaluation
    from recommender.evaluate import sample_users as sample

    if events is not None:
        frame, catalog = _read_inputs(events, items)
        users, name = None, events.name
    elif store:
        from services.data.catalog import load_catalog
        from services.settings import get_settings
        from services.store import open_store

        settings = get_settings()
        frame, catalog = open_store(settings).events_frame(), load_catalog(settings.catalog_path)
        users, name = None, "the store's events"
    else:
        from services.data.hetrec import friend_features, load_hetrec

        folder = hetrec or Path(os.environ.get("SELECTA_HETREC_DIR", HETREC_DEFAULT))
        data = load_hetrec(folder)
        frame, catalog, name = data.events, data.catalog, "hetrec2011-lastfm-2k"
        users = friend_features(data.user_friends)
    if sample_users is not None:
        frame = sample(frame, sample_users, seed=seed)
    specs = tuple(s for s in EVAL_MODELS if not model or (s.label or s.name) in model)
    protocols = tuple(protocol or PROTOCOLS)
    rows = run_evaluation(
        frame,
        catalog,
        users,
        protocols=protocols,
        models=specs,
        k=k,
        seed=seed,
        progress=_status("evaluate"),
    )
    console.print(f"{name}: {frame.height} events, seed {seed}", highlight=False)
    # Plain text, one row per model: readable in a terminal, in a pipe and pasted into a note alike.
    console.print(format_table(rows), soft_wrap=True, highlight=False, markup=False)


def recommend(
    user: Annotated[str, typer.Argument(help="The user id (unknown users get what is popular in context).")],
    n: Annotated[int, typer.Option(help="How many tracks.")] = 10,
    discovery: Annotated[float, typer.Option(help="0 familiar .. 1 only new artists.")] = 0.0,
    artist_cap: Annotated[int | None, typer.Option(help="At most this many tracks per artist.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Only tracks with any of these tags.")] = None,
    tempo: Annotated[str | None, typer.Option(help="BPM range LO:HI (half/double time match).")] = None,
    energy: Annotated[str | None, typer.Option(help="Energy range LO:HI (0..1).")] = None,
    camelot: Annotated[list[str] | None, typer.Option(help="Only these Camelot keys, e.g. 8A.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Never these track ids.")] = None,
    include_played: Annotated[bool, typer.Option(help="Allow tracks the user already played.")] = False,
    bundle: Annotated[Path | None, typer.Option(help="Bundle directory (default: the trained one).")] = None,
) -> None:
    """Rank tracks for one user from the saved bundle, with a reason for each."""
    from recommender import Constraints, Recommender
    from services.recommending import bundle_path
    from services.settings import get_settings

    model = Recommender.load(bundle or bundle_path(get_settings()))
    constraints = Constraints(
        tags=frozenset(tag) if tag else None,
        tempo_range=_range(tempo),
        energy_range=_range(energy),
        camelot=frozenset(camelot) if camelot else None,
        exclude=frozenset(exclude or ()),
    )
    ranked = model.recommend(
        user,
        n,
        discovery=discovery,
        artist_cap=artist_cap,
        constraints=constraints,
        include_played=include_played,
    )
    table = Table(title=f"{len(ranked)} tracks for {user}")
    for column in ("#", "track", "artist", "score", "why"):
        table.add_column(column)
    for rank, r in enumerate(ranked, start=1):
        item = model.item_index[r.track_id]
        table.add_row(
            str(rank),
            str(model.table.titles[item]),
            str(model.table.artists[item]),
            f"{r.score:.3f}",
            r.explanation,
        )
    console.print(table)


def recommend_batch(
    events: Annotated[
        Path, typer.Option(help="Training events: user_id,track_id,plays or the event schema.")
    ],
    users: Annotated[Path, typer.Option(help="Text file with one user id per line.")],
    out: Annotated[Path, typer.Option(help="Output CSV: user_id,rank,track_id,score.")],
    n: Annotated[int, typer.Option(help="Top-N per user.")] = 10,
    items: Annotated[
        Path | None, typer.Option(help="Catalogue with tags (track_id,title,artist,tags).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the validation split and models.")] = 42,
) -> None:
    """Train the shipped default on an event file and write each user's top-N (excluding what they have)."""
    from recommender import Recommender, default_config
    from services.cli.output import track

    frame, catalog = _read_inputs(events, items)
    wanted = [line.strip() for line in users.read_text().splitlines() if line.strip()]
    start = time.perf_counter()
    model = Recommender.fit(
        events=frame, items=catalog, config=default_config(seed=seed), progress=_status("train")
    )
    fit_s = time.perf_counter() - start
    rows = []
    for user in track(wanted, "ranking", total=len(wanted)):
        for rank, r in enumerate(model.recommend(user, n), start=1):
            rows.append({"user_id": user, "rank": rank, "track_id": r.track_id, "score": r.score})
    schema = {"user_id": pl.String, "rank": pl.Int64, "track_id": pl.String, "score": pl.Float64}
    pl.DataFrame(rows, schema=schema).write_csv(out)
    console.print(f"wrote {len(rows)} rows for {len(wanted)} users to {out} (trained in {fit_s:.1f} s)")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("recommend")(recommend)
    app.command("recommend-batch")(recommend_batch)
