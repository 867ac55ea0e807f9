"""Recommender quality on hetrec2011-lastfm-2k: every model and baseline side by side, both protocols.

    nice .venv/bin/python benchmarks/recommender_eval.py [--protocol holdout --protocol cold] [--seed 0]
        [--sample-users 300]

``holdout`` is the protocol of the data set's SOURCE.md (20% of each user's artists with >= 10 artists
held out, rank all artists not played in training, binary relevance, K=10); ``cold`` holds out 10% of
artists entirely and ranks each user's held-out artists among all held-out artists from tags alone
(collaborative models reach them through each cold artist's nearest tag neighbours). Friends
(``user_friends.dat``) are passed as user features (``friend:<user>``), used by the
"lightfm warp + tags + friends" row and the "blend + user features" row (the shipped blend leaves them
out: they did not raise its validation NDCG). Seeds are fixed and every fit runs
single-threaded, so two runs print the same table (the "fit s" column aside); the blend fits its
weights on a validation split of the training part only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.evaluate import PROTOCOLS, evaluate, format_table, sample_users
from services.data.hetrec import friend_features, load_hetrec

REFERENCE = """Reference (SOURCE.md, holdout protocol): popularity 0.079 | ALS defaults raw 0.128 |
BPR defaults 0.158 | LightFM WARP 0.204 | LightFM WARP + tags 0.216 | ALS 64f log1p alpha 2 0.221 |
EASE l2 200 0.228 (NDCG@10)"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--hetrec", default=os.environ.get("SELECTA_HETREC_DIR", "../shared/datasets/hetrec2011-lastfm-2k")
    )
    parser.add_argument("--protocol", action="append", choices=PROTOCOLS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--sample-users", type=int, help="only this many users, drawn with the seed")
    args = parser.parse_args()
    data = load_hetrec(args.hetrec)
    events = data.events
    if args.sample_users is not None:
        events = sample_users(events, args.sample_users, seed=args.seed)
    start = time.perf_counter()
    rows = evaluate(
        events,
        data.catalog,
        friend_features(data.user_friends),
        protocols=tuple(args.protocol or PROTOCOLS),
        k=args.k,
        seed=args.seed,
        progress=lambda step: print(
            f"  {time.perf_counter() - start:7.1f}s {step}", file=sys.stderr, flush=True
        ),
    )
    print(f"hetrec2011-lastfm-2k: {events.height} user-artist pairs, seed {args.seed}, K={args.k}")
    print(format_table(rows))
    print(REFERENCE)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
