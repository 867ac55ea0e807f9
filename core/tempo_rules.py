"""Tempo rules the recommender, the planner, the host and the request handler must read the same way.

Two facts about how listeners and DJs hear tempo:

- **Which relations mix**: the same tempo, double time and half time. A 70 bpm track mixes into a 140 bpm
  set counted in double time. The recommender's tempo filter and the planner's tempo match
  (``dj.planning.tempo_match``) must allow the same relations, or the recommender would offer tracks the
  planner cannot place, or hide ones it could.
- **How far two tempos may differ before a listener hears it**: about 6 %. Below it a stretched track still
  sounds like itself and a hand-over sounds like "the same pace"; at or above it a listener hears "faster"
  or "slower". Three rules rest on that one perception, so they share one constant rather than three 0.06
  literals that could drift apart: the set planner prefers beat-matches that stretch a track by less than
  it (``dj.planning.tempo_match``), the host calls a hand-over faster or slower only from it on
  (``dj.host.handover``), and a "faster"/"slower" request moves the tempo by at least it
  (``dj.requests.effects``).
"""

from __future__ import annotations

TEMPO_MULTIPLIERS = (1.0, 2.0, 0.5)
"""Factors a track's tempo may be counted at against another's, in order of preference (ties: equal time)."""

AUDIBLE_TEMPO_CHANGE = 0.06
"""Relative tempo difference (6 %) a listener hears as faster or slower; below it a stretch goes unheard."""
