"""Model registry: every model is built by name from one table, so configs and bundles name them."""

from __future__ import annotations

from recommender.errors import BadConfigError
from recommender.models.base import Model, Param, top_n
from recommender.models.content import ContentModel, PopularityModel
from recommender.models.factors import ALSModel, BPRModel, LightFMModel
from recommender.models.neighbors import EASEModel, ItemKNNModel

REGISTRY: dict[str, type[Model]] = {
    cls.name: cls
    for cls in (ALSModel, BPRModel, LightFMModel, EASEModel, ItemKNNModel, ContentModel, PopularityModel)
}


def make_model(name: str, params: dict[str, Param] | None = None) -> Model:
    """Build a model by registry name; unknown names and hyper-parameters are refused clearly."""
    cls = REGISTRY.get(name)
    if cls is None:
        raise BadConfigError(f"unknown model {name!r}; known: {sorted(REGISTRY)}")
    return cls(**(params or {}))


__all__ = ["REGISTRY", "Model", "Param", "make_model", "top_n"]
