"""The trained request model: a CRF slot tagger and a maximum-entropy intent classifier, loaded once.

Both are CRFsuite models (python-crfsuite, MIT; CRFsuite, BSD) shipped as package data under
``dj/requests/model/`` and written by ``selecta requests train`` (:mod:`dj.requests.training`). The
intent classifier is a CRF over one-item sequences, which is exactly multinomial logistic regression: one
library, one file format, and the probability of every intent comes with the answer. Nothing is downloaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pycrfsuite

from dj.errors import DJError
from dj.requests.featurize import intent_features, word_features
from dj.requests.tokens import Token

__all__ = ["MODEL_DIR", "ModelMissingError", "RequestModel", "shipped_model"]

MODEL_DIR = Path(__file__).resolve().parent / "model"
TAGGER_FILE = "tagger.crfsuite"
CLASSIFIER_FILE = "intent.crfsuite"


class ModelMissingError(DJError):
    """The trained request model is not where the package keeps it (a broken install, or a training run
    that has not finished): requests cannot be understood until it is there, so the service is unavailable."""

    code = "request_model_missing"
    status = 503


@dataclass
class RequestModel:
    """The two trained models; a lock because a CRFsuite tagger keeps the sequence it is working on."""

    tagger: pycrfsuite.Tagger
    classifier: pycrfsuite.Tagger
    labels: tuple[str, ...]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> RequestModel:
        paths = [directory / TAGGER_FILE, directory / CLASSIFIER_FILE]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ModelMissingError(f"the request model is missing: {', '.join(missing)}")
        tagger, classifier = pycrfsuite.Tagger(), pycrfsuite.Tagger()
        tagger.open(str(paths[0]))
        classifier.open(str(paths[1]))
        return cls(tagger=tagger, classifier=classifier, labels=tuple(classifier.labels()))

    def tag(self, tokens: list[Token], marks: list[list[str]]) -> tuple[list[str], list[float]]:
        """BIO slot tags of the words, and each tag's marginal probability."""
        if not tokens:
            return [], []
        with self._lock:
            labels: list[str] = self.tagger.tag(word_features(tokens, marks))
            sure = [self.tagger.marginal(label, i) for i, label in enumerate(labels)]
        return labels, sure

    def classify(self, text: str, tokens: list[Token], labels: list[str]) -> dict[str, float]:
        """Every intent's probability for the request, given its words' slot tags."""
        with self._lock:
            self.classifier.set([intent_features(text, tokens, labels)])
            return {label: self.classifier.marginal(label, 0) for label in self.labels}


@cache
def shipped_model() -> RequestModel:
    """The model shipped with the package, loaded on first use and kept for the process."""
    return RequestModel.load()
