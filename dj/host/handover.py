"""What a listener hears change when one track hands over to the next: mood, energy, tempo, key, artist.

The host's line is only as honest as these facts: "keeping this mood going" over an energetic-to-calm
hand-over is the generic commentary Spotify DJ's listeners complain about. Each change has a threshold
a listener would notice, and tempo is compared the way the mixer matches it (half and double time are
the same pulse, so 68 -> 136 BPM is not "faster").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.tempo_rules import AUDIBLE_TEMPO_CHANGE
from dj.host.spoken import spoken_artist

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis
    from dj.planning.planner import TrackMeta

ENERGY_CHANGE = 0.08
"""Energy (0..1) difference a host calls a lift or an easing; the planner's ``describe_move`` uses the
same 0.08 for "energy holds", so the host and the cue sheet agree."""
TEMPO_CHANGE = AUDIBLE_TEMPO_CHANGE
"""Relative tempo difference heard as faster or slower: the product's one audible-tempo threshold."""

CHANGE_ORDER = ("mood", "energy_up", "energy_down", "tempo_up", "tempo_down", "key", "artist")
"""Most to least salient: a host names the mood change before the key change."""


@dataclass(frozen=True, kw_only=True)
class Handover:
    """The outgoing and incoming track's facts, and the changes a host may talk about."""

    mood_from: str | None = None
    mood_to: str | None = None
    energy_from: float = 0.5
    energy_to: float = 0.5
    bpm_from: float | None = None
    bpm_to: float | None = None
    key_from: str | None = None
    key_to: str | None = None
    artist_from: str | None = None
    artist_to: str | None = None
    title_from: str | None = None

    @classmethod
    def between(
        cls,
        outgoing: TrackAnalysis,
        incoming: TrackAnalysis,
        *,
        meta_from: TrackMeta | None = None,
        meta_to: TrackMeta | None = None,
    ) -> Handover:
        return cls(
            mood_from=meta_from.mood if meta_from else None,
            mood_to=meta_to.mood if meta_to else None,
            energy_from=outgoing.energy,
            energy_to=incoming.energy,
            bpm_from=outgoing.bpm or None,
            bpm_to=incoming.bpm or None,
            key_from=outgoing.camelot or None,
            key_to=incoming.camelot or None,
            artist_from=meta_from.artist if meta_from else None,
            artist_to=meta_to.artist if meta_to else None,
            title_from=meta_from.title if meta_from else None,
        )

    @property
    def energy_delta(self) -> float:
        return round(self.energy_to - self.energy_from, 3)

    @property
    def tempo_ratio(self) -> float | None:
        """Incoming over outgoing tempo, taken as 1 when the two are half or double time of each other."""
        if not self.bpm_from or not self.bpm_to:
            return None
        ratio = self.bpm_to / self.bpm_from
        octaves = round(math.log2(ratio))
        folded = ratio / 2.0**octaves
        return 1.0 if octaves and abs(folded - 1.0) < TEMPO_CHANGE else ratio

    @property
    def changes(self) -> tuple[str, ...]:
        """The noticeable changes, most salient first (a subset of :data:`CHANGE_ORDER`)."""
        found: set[str] = set()
        if self.mood_from and self.mood_to and self.mood_from != self.mood_to:
            found.add("mood")
        if self.energy_delta >= ENERGY_CHANGE:
            found.add("energy_up")
        elif self.energy_delta <= -ENERGY_CHANGE:
            found.add("energy_down")
        ratio = self.tempo_ratio
        if ratio is not None and ratio >= 1.0 + TEMPO_CHANGE:
            found.add("tempo_up")
        elif ratio is not None and ratio <= 1.0 - TEMPO_CHANGE:
            found.add("tempo_down")
        if self.key_from and self.key_to and self.key_from.upper() != self.key_to.upper():
            found.add("key")
        if self.same_artist:
            found.add("artist")
        return tuple(c for c in CHANGE_ORDER if c in found)

    @property
    def same_artist(self) -> bool:
        """Both tracks by one named artist (a generated track's source or a placeholder such as "Unknown
        artist" does not count as an artist)."""
        a, b = spoken_artist(self.artist_from), spoken_artist(self.artist_to)
        return bool(a and b and a.lower() == b.lower())
