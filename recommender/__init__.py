"""Selecta's recommender: history, tag and audio models blended into one ranking.

The public surface is small: :class:`Recommender` (fit, recommend, similar_tracks, add_events, save/load),
the :class:`Constraints` a DJ passes, and the :class:`Recommendation` it gets back.
"""

from recommender.config import default_config
from recommender.recommender import Recommender
from recommender.types import Constraints, ModelSpec, Recommendation, RecommenderConfig

__all__ = ["Constraints", "ModelSpec", "Recommendation", "Recommender", "RecommenderConfig", "default_config"]
