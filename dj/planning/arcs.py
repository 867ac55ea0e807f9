"""Energy arcs: the shape of a set's energy over time that the listener (or the caller) asks for."""

from __future__ import annotations

from enum import Enum

import numpy as np

from dj.errors import DJError


class InvalidArcError(DJError):
    """An energy arc name we do not know."""

    code = "invalid_energy_arc"
    status = 422


class EnergyArc(str, Enum):
    """``warm-up`` builds, ``peak-time`` climbs to a peak about two thirds in, ``cool-down`` winds down,
    ``steady`` holds the middle of the pool and penalises jumps."""

    WARM_UP = "warm-up"
    PEAK_TIME = "peak-time"
    COOL_DOWN = "cool-down"
    STEADY = "steady"

    @classmethod
    def parse(cls, value: str | EnergyArc) -> EnergyArc:
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(a.value for a in cls)
            raise InvalidArcError(f"unknown energy arc {value!r}; choose one of {names}") from None


def target_energy(arc: EnergyArc, *, position: int, n_tracks: int) -> float:
    """The wanted energy (0..1, relative to the candidate pool) at slot ``position`` of ``n_tracks``."""
    x = position / max(1, n_tracks - 1)
    if arc is EnergyArc.WARM_UP:
        return 0.15 + 0.75 * x
    if arc is EnergyArc.COOL_DOWN:
        return 0.9 - 0.75 * x
    if arc is EnergyArc.PEAK_TIME:
        return float(np.interp(x, [0.0, 0.65, 1.0], [0.45, 1.0, 0.7]))
    return 0.5


def describe_move(arc: EnergyArc, *, energy_from: float, energy_to: float) -> str:
    """A short phrase for a transition's energy move, in the arc's terms."""
    delta = energy_to - energy_from
    if abs(delta) < 0.08:
        return f"energy holds for the {arc.value} arc"
    direction = "lifts" if delta > 0 else "eases"
    return f"energy {direction} ({energy_from:.2f} -> {energy_to:.2f}) for the {arc.value} arc"
