"""Item side information as matrices: tags (TF-IDF, L2-normalised rows) and audio embeddings.

Both feed the content model (cold start, "sounds like"), LightFM's item features, and the mapping that
places a track with no listens among the tracks that sound or are tagged like it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp


@dataclass(frozen=True, kw_only=True)
class ItemFeatures:
    """``tags``: (n_items, n_tags) TF-IDF rows, L2-normalised; ``audio``: (n_items, d) L2-normalised
    embeddings with zero rows where ``has_audio`` is False; ``tag_vocab`` names the tag columns."""

    tags: sp.csr_matrix
    tag_vocab: list[str]
    audio: np.ndarray
    has_audio: np.ndarray

    @property
    def n_items(self) -> int:
        return int(self.tags.shape[0])

    def has_tags(self) -> np.ndarray:
        tagged: np.ndarray = np.diff(self.tags.indptr) > 0
        return tagged


def l2_normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix, dtype=np.float32)


def tag_matrix(
    tag_lists: list[list[str]], *, vocab: list[str] | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """Binary tag incidence weighted by inverse document frequency, rows L2-normalised.

    With ``vocab`` given (a loaded bundle), tags outside it are ignored so columns keep their meaning.
    """
    if vocab is None:
        vocab = sorted({t for tags in tag_lists for t in tags})
    index = {t: i for i, t in enumerate(vocab)}
    rows, cols = [], []
    for r, tags in enumerate(tag_lists):
        for t in set(tags):
            c = index.get(t)
            if c is not None:
                rows.append(r)
                cols.append(c)
    incidence = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tag_lists), len(vocab))
    )
    df = np.asarray((incidence > 0).sum(axis=0)).ravel()
    idf = np.log((1.0 + len(tag_lists)) / (1.0 + df)).astype(np.float32) + 1.0
    return l2_normalise_rows(sp.csr_matrix(incidence @ sp.diags(idf))), vocab


def audio_matrix(embeddings: Sequence[Sequence[float] | np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-item embeddings (``None`` where a track has no audio) into L2-normalised rows."""
    present = [np.asarray(e, dtype=np.float32) for e in embeddings if e is not None and len(e) > 0]
    dim = present[0].shape[0] if present else 0
    audio = np.zeros((len(embeddings), dim), dtype=np.float32)
    has = np.zeros(len(embeddings), dtype=bool)
    for i, e in enumerate(embeddings):
        if e is not None and len(e) == dim and dim > 0:
            v = np.asarray(e, dtype=np.float32)
            n = float(np.linalg.norm(v))
            if n > 0:
                audio[i] = v / n
                has[i] = True
    return audio, has


def build_item_features(items: pl.DataFrame, *, tag_vocab: list[str] | None = None) -> ItemFeatures:
    """Features for every row of ``items`` in order (``tags`` and ``embedding`` columns are optional)."""
    n = items.height
    tag_lists = items.get_column("tags").to_list() if "tags" in items.columns else [[] for _ in range(n)]
    tags, vocab = tag_matrix([[str(t).lower() for t in (x or [])] for x in tag_lists], vocab=tag_vocab)
    embeddings = items.get_column("embedding").to_list() if "embedding" in items.columns else [None] * n
    audio, has_audio = audio_matrix(embeddings)
    return ItemFeatures(tags=tags, tag_vocab=vocab, audio=audio, has_audio=has_audio)


def content_matrix(features: ItemFeatures, *, audio_weight: float) -> sp.csr_matrix:
    """Tags and audio side by side. An item with both splits its unit norm between them (``audio_weight``
    to audio); an item with only one keeps all of it there, so it stays comparable to every other item."""
    if not features.audio.shape[1]:
        return features.tags
    both = features.has_tags() & features.has_audio
    tag_scale = np.where(both, np.sqrt(1.0 - audio_weight), 1.0).astype(np.float32)
    audio_scale = np.where(both, np.sqrt(audio_weight), 1.0).astype(np.float32)
    blocks = [sp.diags(tag_scale) @ features.tags, sp.diags(audio_scale) @ sp.csr_matrix(features.audio)]
    return sp.csr_matrix(sp.hstack(blocks), dtype=np.float32)
