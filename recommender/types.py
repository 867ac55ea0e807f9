"""The typed values the recommender hands out and takes in: results, constraints, configuration."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """One ranked track: its score (higher is better) and why it was picked, in words and as a stable code."""

    track_id: str
    score: float
    explanation: str
    reason_code: str


@dataclass(frozen=True, kw_only=True)
class Constraints:
    """What the DJ (or a listener) asks of every candidate; a field left ``None`` does not constrain.

    Constraints are strict: a track without the value a constraint needs (no bpm for a tempo range) is
    left out, because the DJ cannot mix a track whose tempo it does not know into a tempo-bound set.
    """

    tempo_range: tuple[float, float] | None = None
    camelot: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    energy_range: tuple[float, float] | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    artists: frozenset[str] | None = None
    year_range: tuple[int, int] | None = None

    def is_empty(self) -> bool:
        return (
            self.tempo_range is None
            and self.camelot is None
            and self.tags is None
            and self.energy_range is None
            and not self.exclude
            and self.artists is None
            and self.year_range is None
        )


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """One model of a blend: its registry name, an optional label (two specs of one model need distinct
    labels), and hyper-parameters (JSON-safe scalars only)."""

    name: str
    label: str | None = None
    params: dict[str, float | int | str | bool] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RecommenderConfig:
    """How the shipped default is built.

    The blend weights are fit on a validation split carved out of the training data (a second per-user
    holdout), never set by hand; ``weights`` only pins them for experiments and fast tests.
    ``deterministic`` fits every model on one thread so two fits with one seed give identical weights
    (evaluation sets it; training keeps every core, since threaded SGD is faster and no worse on average).
    """

    models: tuple[ModelSpec, ...]
    weights: dict[str, float] | None = None
    validation_fraction: float = 0.2
    validation_min_items: int = 10
    validation_users: int = 800
    validation_max_users: int = 20000
    seed: int = 42
    cold_neighbors: int = 20
    deterministic: bool = False
