"""Which tempo relations a DJ can mix: the same tempo, double time and half time.

A 70 bpm track mixes into a 140 bpm set counted in double time. The recommender's tempo filter and the
planner's tempo match (``dj.planning.tempo_match``) must allow the same relations, or the recommender
would offer tracks the planner cannot place, or hide ones it could.
"""

from __future__ import annotations

TEMPO_MULTIPLIERS = (1.0, 2.0, 0.5)
"""Factors a track's tempo may be counted at against another's, in order of preference (ties: equal time)."""
