"""The stretchers: Signalsmith (default) puts every click where the piecewise speed map says, to the
millisecond; Rubber Band is the optional extra and says so when missing."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from dj.mix.stretch import StretchEngineUnavailableError, signalsmith_stretch, stretch_engine

SR = 44100


def _clicks(seconds: float = 8.0, every_s: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    y = np.zeros((2, int(seconds * SR)), dtype=np.float32)
    at = np.arange(0.3, seconds - 0.2, every_s)
    for t in at:
        i = int(t * SR)
        y[:, i : i + 64] = np.hanning(64)
    return y, (at * SR).astype(int) + 32  # the centre of each click


def _landing_errors_ms(out: np.ndarray, centres: np.ndarray, speed: np.ndarray) -> np.ndarray:
    landing = np.concatenate([[0.0], np.cumsum(1.0 / speed)])
    env = np.abs(out[0])
    errors = []
    for c in centres:
        expected = landing[c]
        lo = int(expected - 0.1 * SR)
        found = lo + int(np.argmax(env[lo : lo + int(0.2 * SR)]))
        errors.append(1000.0 * (found - expected) / SR)
    return np.asarray(errors)


def _ramp_speed(n: int) -> np.ndarray:
    """A head as the timeline builds it: a constant overlap speed, then steps back to 1."""
    speed = np.ones(n)
    for k, s in enumerate((1.03, 1.0225, 1.015, 1.0075)):
        speed[k * 2 * SR : (k + 1) * 2 * SR] = s
    return speed


def test_signalsmith_lands_every_click_on_the_speed_map() -> None:
    y, centres = _clicks()
    speed = _ramp_speed(y.shape[1])
    out = signalsmith_stretch(y, SR, speed)
    assert out.shape == (2, round(np.sum(1.0 / speed)))
    errors = _landing_errors_ms(out, centres, speed)
    assert np.max(np.abs(errors)) < 1.0  # every click, including those next to a speed change
    # No seam clicks: between the clicks the output stays near silence.
    quiet = np.ones(out.shape[1], dtype=bool)
    landing = np.concatenate([[0.0], np.cumsum(1.0 / speed)])
    for c in centres:
        k = int(landing[c])
        quiet[max(0, k - int(0.03 * SR)) : k + int(0.03 * SR)] = False
    assert float(np.max(np.abs(out[:, quiet]))) < 0.05


def test_signalsmith_takes_read_only_sources() -> None:
    y, _ = _clicks(2.0)
    y.flags.writeable = False  # decoded sources can be read-only views
    assert signalsmith_stretch(y, SR, np.full(y.shape[1], 1.03)).shape[1] == round(y.shape[1] / 1.03)


def test_default_engine_is_signalsmith() -> None:
    assert stretch_engine(high_quality=False) is signalsmith_stretch


def test_rubber_band_is_the_optional_extra() -> None:
    if importlib.util.find_spec("pedalboard") is None:
        with pytest.raises(StretchEngineUnavailableError, match=r"selecta\[rubberband\]"):
            stretch_engine(high_quality=True)
        return
    y, centres = _clicks()
    speed = _ramp_speed(y.shape[1])
    errors = _landing_errors_ms(stretch_engine(high_quality=True)(y, SR, speed), centres, speed)
    assert np.median(np.abs(errors)) < 10.0  # R3 smears clicks more, but lands them near their place
