"""Piper with the bundled voice really speaks; the cache returns the same audio; bad input is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dj.errors import SpeechBackendUnavailableError, SpeechTextError
from dj.speech.tts import CoquiSynthesizer, PiperSynthesizer


@pytest.fixture(scope="module")
def piper(tmp_path_factory: pytest.TempPathFactory) -> PiperSynthesizer:
    return PiperSynthesizer(cache_dir=tmp_path_factory.mktemp("tts-cache"))


def test_piper_speaks_with_bundled_voice(piper: PiperSynthesizer) -> None:
    speech = piper.synthesize("Coming up next.")
    assert speech.backend == "piper"
    assert speech.voice == "en_US-joe-medium"
    assert speech.sr == 22050
    assert speech.y.dtype == np.float32 and speech.y.ndim == 1
    assert 0.4 < speech.duration_s < 3.0
    assert float(np.sqrt(np.mean(speech.y**2))) > 0.02  # audible, not silence


def test_length_scale_changes_rate(piper: PiperSynthesizer) -> None:
    fast = piper.synthesize("Here is one for the road.", length_scale=0.8)
    slow = piper.synthesize("Here is one for the road.", length_scale=1.4)
    assert slow.duration_s > fast.duration_s * 1.3


def test_cache_returns_identical_audio(piper: PiperSynthesizer) -> None:
    first = piper.synthesize("Stay   with me.")
    again = piper.synthesize("Stay with me.")  # whitespace is normalised before keying
    assert np.array_equal(first.y, again.y)
    assert piper.cache_dir is not None
    key = piper.cache_key("Stay with me.")
    assert (piper.cache_dir / key[:2] / f"{key}.npz").is_file()
    assert key != piper.cache_key("Stay with me.", length_scale=1.2)


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_bad_text_is_refused(piper: PiperSynthesizer, text: str) -> None:
    with pytest.raises(SpeechTextError):
        piper.synthesize(text)


def test_bad_length_scale_is_refused(piper: PiperSynthesizer) -> None:
    with pytest.raises(SpeechTextError):
        piper.synthesize("hello", length_scale=0.0)


def test_missing_piper_voice_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpeechBackendUnavailableError, match="not found"):
        PiperSynthesizer(model_path=tmp_path / "missing.onnx")


def test_coqui_without_model_names_what_to_pass() -> None:
    with pytest.raises(SpeechBackendUnavailableError, match="model_path"):
        CoquiSynthesizer(model_path=None, config_path=None)


def test_coqui_with_files_names_the_extra(tmp_path: Path) -> None:
    model, config = tmp_path / "model.pth", tmp_path / "config.json"
    model.write_bytes(b"\0")
    config.write_text("{}")
    try:
        import TTS  # noqa: F401
    except ImportError:
        with pytest.raises(SpeechBackendUnavailableError, match=r"selecta\[coqui\]"):
            CoquiSynthesizer(model_path=model, config_path=config)
    else:
        pytest.skip("coqui-tts is installed; the missing-package message cannot be observed")


def test_deterministic_mode_repeats_exactly(piper: PiperSynthesizer) -> None:
    synth = PiperSynthesizer(deterministic=True)
    assert np.array_equal(synth.synthesize("Up next.").y, synth.synthesize("Up next.").y)
    assert synth.cache_key("Up next.") != piper.cache_key("Up next.")
