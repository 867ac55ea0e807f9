"""Loudness targets for the mix: gain to -14 LUFS and a look-ahead true-peak limiter.

Streaming services play at about -14 LUFS and ask for true peaks at or below -1 dBTP (a sample-peak
check misses the overs that appear between samples after a lossy encode). The limiter looks ahead, so
the gain is already down when a peak arrives, and it works chunk by chunk, so a streamed mix and a
rendered file pass through the same code.

Loudness and the reported true peak are measured by :mod:`dj.analysis.loudness`, the same meter that
measured each track, so a track's gain and the finished mix are judged on one scale. Only the limiter's
per-sample true peak (which the meter does not give) is computed here.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import convolve1d, minimum_filter1d, uniform_filter1d
from scipy.signal import firwin

from dj.analysis.loudness import SILENCE_LUFS, integrated_loudness

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
_OVERSAMPLE = 4
_FIR_MARGIN = 32  # samples of context the oversampling filter needs on each side
# The 4x interpolation filter scipy's resample_poly designs (81 taps, about 20 per phase), designed once:
# the one the meter in dj.analysis.loudness oversamples with. BS.1770's 48-tap example under-reads
# material with energy near Nyquist by half a dB, too much here.
_HALF = 10 * _OVERSAMPLE
_FIR = firwin(2 * _HALF + 1, 1.0 / _OVERSAMPLE, window=("kaiser", 5.0)) * _OVERSAMPLE


def _phase_filters() -> list[tuple[np.ndarray, int]]:
    """For each output phase p, the taps that make it and the sample shift that aligns it with upfirdn."""
    phases = []
    for p in range(_OVERSAMPLE):
        q, base = (p + _HALF) % _OVERSAMPLE, (p + _HALF) // _OVERSAMPLE
        h = _FIR[q::_OVERSAMPLE].astype(np.float32)
        phases.append((h, base - len(h) // 2))
    return phases


_PHASES = _phase_filters()


def integrated_lufs(y: np.ndarray, *, sr: int) -> float:
    """Integrated loudness of ``y`` (channels, n) or (n,); -inf for silence or audio under 0.4 s, so
    gain code can test ``np.isfinite`` instead of amplifying silence to the target."""
    loudness = integrated_loudness(y=y, sr=sr)
    return float("-inf") if loudness <= SILENCE_LUFS else loudness


def _phase_peaks(y2: np.ndarray) -> np.ndarray:
    """max |4x-oversampled signal| per input sample, as four short polyphase filters (one per phase)."""
    out = np.abs(y2).max(axis=0)
    for h, shift in _PHASES:
        if np.count_nonzero(np.abs(h) > 1e-6) == 1:
            continue  # the phase that passes the input samples through unchanged
        c = convolve1d(y2, h, axis=-1, mode="constant")
        c = np.abs(c).max(axis=0)
        if shift > 0:
            out[:-shift] = np.maximum(out[:-shift], c[shift:])
        elif shift < 0:
            out[-shift:] = np.maximum(out[-shift:], c[:shift])
        else:
            out = np.maximum(out, c)
    result: np.ndarray = out
    return result


def sample_true_peak(y: np.ndarray, *, floor: float = 0.0) -> np.ndarray:
    """Per-sample true-peak magnitude (max over channels and over the 4 oversampled points).

    Where no sample of the whole signal reaches ``floor / 2`` the sample magnitude is returned (a true
    peak cannot exceed the sample peak by 6 dB on real audio), which is all a caller comparing against
    ``floor`` needs; otherwise the signal is oversampled with a polyphase filter bank.
    """
    y2 = np.atleast_2d(np.asarray(y, dtype=np.float32))
    if y2.shape[1] == 0 or np.abs(y2).max() < 0.5 * floor:
        return np.abs(y2).max(axis=0) if y2.shape[1] else np.zeros(0, dtype=np.float32)
    return _phase_peaks(y2)


class TruePeakLimiter:
    """Look-ahead limiter holding the true peak under ``ceiling_dbtp``; feed chunks, then ``flush``.

    The gain is the required gain (ceiling / true peak) min-filtered over the look-ahead, held for
    ``hold_s`` and smoothed over the look-ahead, which keeps it under the required gain at every peak.
    Output lags input by the look-ahead plus a few samples; ``flush`` returns the rest.
    """

    def __init__(
        self,
        *,
        sr: int,
        ceiling_dbtp: float = CEILING_DBTP,
        lookahead_s: float = 0.003,
        hold_s: float = 0.06,
        margin_db: float = 0.2,
    ) -> None:
        self.ceiling = 10 ** ((ceiling_dbtp - margin_db) / 20.0)
        self.lookahead = max(1, int(lookahead_s * sr))
        self.hold = max(1, int(hold_s * sr))
        self.delay = self.lookahead + _FIR_MARGIN
        self.context = 2 * self.lookahead + self.hold + _FIR_MARGIN
        self._history: np.ndarray | None = None  # samples already output, kept as left context
        self._pending: np.ndarray | None = None  # samples received but not yet output

    def _gain(self, data: np.ndarray) -> np.ndarray:
        need = np.minimum(1.0, self.ceiling / np.maximum(sample_true_peak(data, floor=self.ceiling), 1e-12))
        size = self.lookahead + 1
        # min over [n, n + lookahead]: a centred filter shifted back by half its size.
        ahead = minimum_filter1d(need, size=size, origin=-(size // 2), mode="nearest")
        held = minimum_filter1d(ahead, size=self.hold + 1, origin=self.hold // 2, mode="nearest")
        smooth = uniform_filter1d(held, size=size, origin=size // 2, mode="nearest")
        gain: np.ndarray = np.minimum(smooth, need).astype(np.float32)
        return gain

    def push(self, chunk: np.ndarray) -> np.ndarray:
        parts = [p for p in (self._history, self._pending, chunk) if p is not None]
        data = np.concatenate(parts, axis=1)
        left = 0 if self._history is None else self._history.shape[1]
        end = data.shape[1] - self.delay
        if end <= left:
            self._pending = data[:, left:]
            return np.zeros((data.shape[0], 0), dtype=np.float32)
        out: np.ndarray = (data[:, left:end] * self._gain(data)[left:end]).astype(np.float32)
        self._history = data[:, max(0, end - self.context) : end]
        self._pending = data[:, end:]
        return out

    def flush(self) -> np.ndarray:
        if self._pending is None or self._pending.shape[1] == 0:
            return np.zeros((0 if self._pending is None else self._pending.shape[0], 0), dtype=np.float32)
        parts = [p for p in (self._history, self._pending) if p is not None]
        data = np.concatenate(parts, axis=1)
        left = 0 if self._history is None else self._history.shape[1]
        out: np.ndarray = (data[:, left:] * self._gain(data)[left:]).astype(np.float32)
        self._history, self._pending = None, None
        return out


def limit(y: np.ndarray, *, sr: int, ceiling_dbtp: float = CEILING_DBTP) -> np.ndarray:
    """Limit a whole signal in one go."""
    limiter = TruePeakLimiter(sr=sr, ceiling_dbtp=ceiling_dbtp)
    return np.concatenate([limiter.push(y), limiter.flush()], axis=1)


def normalise(
    y: np.ndarray, *, sr: int, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> tuple[np.ndarray, float]:
    """Gain to ``target_lufs`` integrated, then true-peak limit; returns the audio and its loudness.

    Limiting lowers loudness a little on dense material, so when the result misses the target by more
    than 0.2 LU a second pass makes it up.
    """
    out, loudness = y, integrated_lufs(y, sr=sr)
    for _ in range(2):
        if not np.isfinite(loudness) or abs(loudness - target_lufs) <= 0.2:
            break
        out = limit(
            out * np.float32(10 ** ((target_lufs - loudness) / 20.0)), sr=sr, ceiling_dbtp=ceiling_dbtp
        )
        loudness = integrated_lufs(out, sr=sr)
    return out, loudness
