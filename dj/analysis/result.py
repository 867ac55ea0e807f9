"""The typed result of analysing one track, and its JSON-safe round trip (for the cache and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

__all__ = ["ANALYSIS_VERSION", "TrackAnalysis"]

#: Bumped whenever an algorithm change alters results; part of every cache key.
ANALYSIS_VERSION = "1.5"

_ARRAY_FIELDS = {
    "beats": np.float64,
    "downbeats": np.float64,
    "phrase_starts": np.float64,
    "tempo_times": np.float64,
    "tempo_curve": np.float64,
    "energy_times": np.float64,
    "energy_curve": np.float32,
    "embedding": np.float32,
}
_PAIR_FIELDS = ("intro", "outro")


@dataclass(frozen=True, kw_only=True)
class TrackAnalysis:
    """Everything the DJ mixes with and the recommender learns from, for one track.

    Times are seconds from the start of the audio. ``meter`` is "4/4", "3/4", "6/8", "12/8" or "9/8" (with
    ``meter_confidence`` 0..1), ``beats_per_bar`` its beats to the bar (4, 3, 2, 4, 3: in 6/8, 12/8 and 9/8 a
    beat is a dotted quarter): ``downbeats`` are the first beats of bars, ``phrase_starts`` the downbeats
    that open 8-bar phrases (16- and 32-bar phrases start on every 2nd/4th of them). ``bpm`` is the
    track's main tempo; ``tempo_curve`` the local tempo (BPM) at ``tempo_times``, flat when the beats lie
    on one straight grid (``beats_on_grid``), following the music where it drifts. ``intro``/``outro`` are
    (start_s, end_s)
    regions a DJ can mix over: they start and end on downbeats. ``energy`` and ``energy_curve`` are 0..1;
    ``lufs`` is BS.1770 integrated loudness and ``true_peak_dbtp`` the 4x-oversampled peak.
    ``bpm_octave_margin`` (0..1) is how clearly ``bpm`` beats its own half/double time
    (``bpm_octave_rival``, 0 when out of range): near 0 the octave was a tie (a DJ may count the
    track either way; the planner matches half and double time anyway).
    """

    path: str | None
    content_hash: str | None
    duration_s: float
    bpm: float
    bpm_confidence: float
    beats: np.ndarray
    downbeats: np.ndarray
    beats_per_bar: int
    phrase_starts: np.ndarray
    key: str
    camelot: str
    key_confidence: float
    energy: float
    energy_times: np.ndarray
    energy_curve: np.ndarray
    lufs: float
    true_peak_dbtp: float
    intro: tuple[float, float]
    outro: tuple[float, float]
    embedding: np.ndarray
    meter: str = "4/4"
    meter_confidence: float = 0.0
    bpm_octave_margin: float = 1.0
    bpm_octave_rival: float = 0.0
    beats_on_grid: bool = True
    tempo_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tempo_curve: np.ndarray = field(default_factory=lambda: np.zeros(0))
    analysis_version: str = ANALYSIS_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: arrays become lists of floats, pairs become 2-lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _ARRAY_FIELDS:
                out[f.name] = [round(float(v), 6) for v in np.asarray(value)]
            elif f.name in _PAIR_FIELDS:
                out[f.name] = [float(value[0]), float(value[1])]
            elif isinstance(value, (np.floating, np.integer)):
                out[f.name] = value.item()
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrackAnalysis:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so newer readers accept older caches."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in _ARRAY_FIELDS:
                value = np.asarray(value, dtype=_ARRAY_FIELDS[f.name])
            elif f.name in _PAIR_FIELDS:
                value = (float(value[0]), float(value[1]))
            kwargs[f.name] = value
        return cls(**kwargs)

    def with_source(self, *, path: str | None, content_hash: str | None) -> TrackAnalysis:
        """A copy that records where the audio came from (analysis itself only sees arrays)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(path=path, content_hash=content_hash)
        return TrackAnalysis(**data)
