"""Why a track was ranked: the blend part that contributed most, turned into words and a stable code.

Collaborative models name the history track that pulls the recommendation up the most
(``weight × item-item similarity``); the content model names the most similar history track by audio
("sounds like") or by tags ("tagged like"); popularity says so. The codes are part of the API.
"""

from __future__ import annotations

import numpy as np

from recommender.blend import Blend
from recommender.features import ItemFeatures
from recommender.item_table import ItemTable

BECAUSE_YOU_PLAYED = "because_you_played"
SOUNDS_LIKE = "sounds_like"
TAGGED_LIKE = "tagged_like"
POPULAR = "popular"
ALSO_PLAYED = "listeners_also_played"
NEW_ARTIST = "new_artist"
REASON_CODES = frozenset({BECAUSE_YOU_PLAYED, SOUNDS_LIKE, TAGGED_LIKE, POPULAR, ALSO_PLAYED, NEW_ARTIST})
ITEM_ITEM_PREFERENCE = ("ease", "itemknn", "als", "bpr", "lightfm")


class Explainer:
    """Builds explanations from the blend parts of one user's scores."""

    def __init__(self, *, blend: Blend, table: ItemTable, features: ItemFeatures) -> None:
        self.blend = blend
        self.table = table
        self.features = features
        self.is_cold = np.zeros(features.n_items, dtype=bool)
        self.is_cold[blend.cold_items] = True
        self.item_item = next(
            (key for name in ITEM_ITEM_PREFERENCE for key, m in blend.models.items() if m.name == name), None
        )

    def content_reason(self, item: int, history: np.ndarray, weights: np.ndarray) -> tuple[str, str]:
        """ "sounds like Y" when both have audio, else "tagged like Y" naming the closest history track."""
        audio_hist = history[self.features.has_audio[history]] if len(history) else history
        if self.features.has_audio[item] and len(audio_hist):
            sims = self.features.audio[audio_hist] @ self.features.audio[item]
            best = int(audio_hist[int(np.argmax(sims))])
            return SOUNDS_LIKE, f"sounds like {self.table.label(best)}"
        if len(history):
            sims = np.asarray((self.features.tags[history] @ self.features.tags[item].T).todense()).ravel()
            if sims.max(initial=0.0) > 0:
                best = int(history[int(np.argmax(sims * np.log1p(weights)))])
                return TAGGED_LIKE, f"tagged like {self.table.label(best)}"
        return POPULAR, "popular with listeners like you"

    def explain(
        self,
        item: int,
        *,
        parts: dict[str, float],
        history: np.ndarray,
        weights: np.ndarray,
        new_artist: bool,
    ) -> tuple[str, str]:
        """(reason_code, explanation) for one ranked item given each model's weighted contribution."""
        others = history != item  # a replayed track is never explained by itself
        history, weights = history[others], weights[others]
        if not len(history):
            return POPULAR, "popular with listeners"
        content = parts.get("content", -np.inf)
        popularity = parts.get("popularity", -np.inf)
        collaborative = max(
            (v for k, v in parts.items() if self.blend.models[k].name not in ("content", "popularity")),
            default=-np.inf,
        )
        best = max(content, popularity, collaborative)
        if best == content or (self.is_cold[item] and np.isfinite(content)):
            code, text = self.content_reason(item, history, weights)
        elif best == popularity:
            code, text = POPULAR, "popular with listeners like you"
        else:
            code, text = self.because_you_played(item, history, weights)
        if new_artist and code == POPULAR:
            return NEW_ARTIST, f"new to you: {self.table.artists[item] or self.table.label(item)}"
        return code, text

    def because_you_played(self, item: int, history: np.ndarray, weights: np.ndarray) -> tuple[str, str]:
        if self.item_item is None:
            return self.content_reason(item, history, weights)
        sims = self.blend.models[self.item_item].similarity_to(item, history) * np.log1p(weights)
        if sims.max(initial=0.0) <= 0:
            return self.content_reason(item, history, weights)
        return (
            BECAUSE_YOU_PLAYED,
            f"because you played {self.table.label(int(history[int(np.argmax(sims))]))}",
        )
