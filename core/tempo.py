"""How far two tempos may differ before a listener hears it: one threshold for the whole product.

About 6 % is where a tempo change stops being subtle: below it a stretched track still sounds like
itself and a hand-over sounds like "the same pace"; at or above it a listener hears "faster" or
"slower". Three rules rest on that one perception, so they share this constant rather than three 0.06
literals that could drift apart:

- the set planner prefers beat-matches that stretch a track by less than it (``dj.planning.tempo_match``),
- the host calls a hand-over faster or slower only from it on (``dj.host.handover``),
- a "faster"/"slower" request moves the tempo by at least it (``dj.requests.effects``).
"""

from __future__ import annotations

AUDIBLE_TEMPO_CHANGE = 0.06
"""Relative tempo difference (6 %) a listener hears as faster or slower; below it a stretch goes unheard."""
