"""Integrated loudness (ITU-R BS.1770-4, LUFS) and true peak (dBTP), vectorised for speed.

Loudness is measured on the channels as given at their own rate (a stereo file reads 3 LU louder than
one of its channels alone, as the standard says), so callers pass the decoded multichannel audio.
The K-weighting filters are the standard's, re-derived for any sample rate (as pyloudnorm does).
"""

from __future__ import annotations

import numpy as np
import scipy.signal

__all__ = ["SILENCE_LUFS", "integrated_loudness", "true_peak_dbtp"]

#: Reported for silence or audio too short to measure: the standard's absolute gate.
SILENCE_LUFS = -70.0
_BLOCK_S = 0.4
_STEP_S = 0.1


def _biquad_high_shelf(sr: int, *, gain_db: float, q: float, fc: float) -> tuple[np.ndarray, np.ndarray]:
    a = 10 ** (gain_db / 40.0)
    w0 = 2 * np.pi * fc / sr
    alpha = np.sin(w0) / (2 * q)
    cw, sa = np.cos(w0), 2 * np.sqrt(a) * alpha
    b = [
        a * ((a + 1) + (a - 1) * cw + sa),
        -2 * a * ((a - 1) + (a + 1) * cw),
        a * ((a + 1) + (a - 1) * cw - sa),
    ]
    den = [(a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa]
    return np.asarray(b) / den[0], np.asarray(den) / den[0]


def _biquad_high_pass(sr: int, *, q: float, fc: float) -> tuple[np.ndarray, np.ndarray]:
    w0 = 2 * np.pi * fc / sr
    alpha = np.sin(w0) / (2 * q)
    cw = np.cos(w0)
    b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
    den = [1 + alpha, -2 * cw, 1 - alpha]
    return np.asarray(b) / den[0], np.asarray(den) / den[0]


def _k_weighted(y: np.ndarray, sr: int) -> np.ndarray:
    b1, a1 = _biquad_high_shelf(sr, gain_db=3.99984385397, q=0.7071752369554193, fc=1681.974450955533)
    b2, a2 = _biquad_high_pass(sr, q=0.5003270373253953, fc=38.13547087613982)
    sos = np.stack([np.concatenate([b1, a1]), np.concatenate([b2, a2])])
    weighted: np.ndarray = scipy.signal.sosfilt(sos, y, axis=-1)
    return weighted


def integrated_loudness(*, y: np.ndarray, sr: int) -> float:
    """Gated integrated loudness in LUFS of ``y`` (n,) or (channels, n); SILENCE_LUFS when unmeasurable."""
    y2 = np.atleast_2d(np.asarray(y, dtype=np.float64))
    block, step = round(_BLOCK_S * sr), round(_STEP_S * sr)
    if y2.shape[1] < block:
        return SILENCE_LUFS
    weighted = _k_weighted(y2, sr)
    csum = np.concatenate([np.zeros((y2.shape[0], 1)), np.cumsum(weighted**2, axis=1)], axis=1)
    starts = np.arange(0, y2.shape[1] - block + 1, step)
    z = (csum[:, starts + block] - csum[:, starts]) / block  # (channels, blocks) mean squares
    power = z.sum(axis=0)
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(power)
    gated = block_lufs > SILENCE_LUFS
    if not gated.any():
        return SILENCE_LUFS
    relative = -0.691 + 10 * np.log10(power[gated].mean()) - 10.0
    final = gated & (block_lufs > relative)
    return float(max(SILENCE_LUFS, -0.691 + 10 * np.log10(power[final].mean())))


def true_peak_dbtp(*, y: np.ndarray, sr: int, oversample: int = 4) -> float:
    """Peak of the 4x-oversampled signal in dBTP (BS.1770-4 Annex 2), computed only around loud samples.

    Inter-sample overs exceed the sample peak by at most a few dB, so only windows whose samples come
    within 6 dB of the sample peak are oversampled; the rest cannot hold the true peak.
    """
    # Framed in the input's own dtype (a rendered mix is float32 and long); only the loud windows are
    # widened to float64, which is exact, so the figure does not depend on the input dtype.
    y2 = np.atleast_2d(np.asarray(y))
    if not np.issubdtype(y2.dtype, np.floating):
        y2 = y2.astype(np.float64)
    sample_peak = float(np.abs(y2).max()) if y2.size else 0.0
    if sample_peak <= 0:
        return -120.0
    width, pad = 256, 32
    best = sample_peak
    for ch in y2:
        n_win = int(np.ceil(len(ch) / width))
        padded = np.zeros((n_win + 2) * width, dtype=y2.dtype)
        padded[width : width + len(ch)] = ch
        frames = padded.reshape(n_win + 2, width)
        loud = 1 + np.flatnonzero(np.abs(frames[1:-1]).max(axis=1) >= sample_peak * 0.5)
        if len(loud) == 0:
            continue
        # Each loud window with `pad` neighbours either side, oversampled in one call.
        segments = np.concatenate(
            [frames[loud - 1][:, -pad:], frames[loud], frames[loud + 1][:, :pad]], axis=1
        ).astype(np.float64)
        up = scipy.signal.resample_poly(segments, oversample, 1, axis=1)
        centre = up[:, pad * oversample : (pad + width) * oversample]
        best = max(best, float(np.abs(centre).max()))
    return float(20 * np.log10(best))
