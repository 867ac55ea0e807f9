"""Audio analysis: tempo, beats, downbeats, phrases, key, energy, loudness and an embedding per track.

``analyze`` works on arrays (any rate, mono or multichannel); ``analyze_file`` adds decoding and the
content-hash cache; ``analyze_many`` runs a catalogue on a process pool with a progress callback.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import soxr

from dj.analysis.beats import track_beats
from dj.analysis.bpm_tag import bpm_tag
from dj.analysis.cache import AnalysisCache, content_hash
from dj.analysis.embedding import EMBEDDING_DIM, audio_embedding
from dj.analysis.energy import energy_profile
from dj.analysis.key import chroma_profile, estimate_key
from dj.analysis.loudness import integrated_loudness, true_peak_dbtp
from dj.analysis.onset import ANALYSIS_SR, compute_frontend
from dj.analysis.result import ANALYSIS_VERSION, TrackAnalysis
from dj.analysis.structure import analyse_structure
from dj.analysis.tempo import estimate_tempo
from dj.audio import DEFAULT_MAX_DURATION_S, load_audio
from dj.errors import AudioDecodeError

__all__ = [
    "ANALYSIS_VERSION",
    "EMBEDDING_DIM",
    "ErrorCallback",
    "ProgressCallback",
    "TrackAnalysis",
    "analyze",
    "analyze_file",
    "analyze_many",
]

_MIN_DURATION_S = 0.5


def analyze(*, y: np.ndarray, sr: int, tagged_bpm: float | None = None) -> TrackAnalysis:
    """Analyse decoded audio ``y`` ((n,) or (channels, n), any rate ``sr``).

    ``tagged_bpm`` is the tempo the file's tags state (:func:`dj.analysis.bpm_tag.bpm_tag`): a strong prior
    on the tempo octave, which the beat grid is still fitted to the audio around.

    Loudness and true peak are measured on ``y`` as given (all channels, native rate); everything else on
    the mono mix resampled to 22.05 kHz.
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim not in (1, 2) or y.shape[-1] == 0:
        raise AudioDecodeError(f"expected audio of shape (n,) or (channels, n), got {y.shape}")
    duration_s = y.shape[-1] / sr
    if duration_s < _MIN_DURATION_S:
        raise AudioDecodeError(f"audio is {duration_s:.2f} s long; at least {_MIN_DURATION_S} s is needed")
    if not np.all(np.isfinite(y)):
        raise AudioDecodeError("audio contains NaN or infinite samples")
    lufs = integrated_loudness(y=y, sr=sr)
    peak = true_peak_dbtp(y=y, sr=sr)
    mono = y.mean(axis=0) if y.ndim == 2 else y
    if sr != ANALYSIS_SR:
        mono = soxr.resample(mono, sr, ANALYSIS_SR, quality="HQ").astype(np.float32)
    frontend = compute_frontend(y=mono, sr=ANALYSIS_SR)
    tempo = estimate_tempo(frontend, tagged_bpm=tagged_bpm)
    grid = track_beats(frontend, bpm=tempo.bpm)
    structure = analyse_structure(frontend, beats=grid.beats, duration_s=duration_s)
    chroma = chroma_profile(y=mono, sr=ANALYSIS_SR)
    key = estimate_key(chroma)
    energy = energy_profile(frontend, lufs=lufs, bpm=grid.bpm)
    embedding = audio_embedding(
        frontend,
        chroma=chroma,
        key=key,
        bpm=grid.bpm,
        bpm_confidence=tempo.confidence,
        energy=energy,
        lufs=lufs,
    )
    return TrackAnalysis(
        path=None,
        content_hash=None,
        duration_s=float(duration_s),
        bpm=round(float(grid.bpm), 2),
        bpm_confidence=round(float(tempo.confidence), 3),
        bpm_octave_margin=round(float(tempo.octave_margin), 3),
        bpm_octave_rival=round(float(tempo.octave_rival_bpm), 2),
        beats=grid.beats,
        downbeats=structure.downbeats,
        beats_per_bar=structure.meter.beats_per_bar,
        meter=structure.meter.name,
        meter_confidence=structure.meter.confidence,
        beats_on_grid=grid.on_grid,
        tempo_times=grid.tempo_times,
        tempo_curve=grid.tempo_curve,
        phrase_starts=structure.phrase_starts,
        key=key.name,
        camelot=key.camelot,
        key_confidence=round(key.confidence, 3),
        energy=round(float(energy.energy), 3),
        energy_times=energy.times,
        energy_curve=energy.curve,
        lufs=round(float(lufs), 2),
        true_peak_dbtp=round(float(peak), 2),
        intro=structure.intro,
        outro=structure.outro,
        embedding=embedding,
    )


def analyze_file(
    path: str | Path,
    *,
    cache_dir: str | Path | None = None,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> TrackAnalysis:
    """Decode and analyse one file (its BPM tag as the tempo prior), reading and filling the cache in
    ``cache_dir`` when given (the content hash covers the tags too)."""
    digest = content_hash(path) if Path(path).is_file() else None
    cache = AnalysisCache(cache_dir) if cache_dir is not None else None
    if cache is not None and digest is not None:
        hit = cache.get(digest)
        if hit is not None:
            return hit.with_source(path=str(path), content_hash=digest)
    audio = load_audio(path, sr=None, mono=False, max_duration_s=max_duration_s)
    result = analyze(y=audio.y, sr=audio.sr, tagged_bpm=bpm_tag(path)).with_source(
        path=str(path), content_hash=digest
    )
    if cache is not None and digest is not None:
        cache.put(digest, result)
    return result


ProgressCallback = Callable[[int, int, str], None]
ErrorCallback = Callable[[str, Exception], None]


def analyze_many(
    paths: Sequence[str | Path],
    *,
    cache_dir: str | Path | None = None,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    on_error: ErrorCallback | None = None,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
) -> list[TrackAnalysis]:
    """Analyse many files on ``workers`` processes; results in input order.

    ``on_progress(done, total, path)`` is called after each file. Without ``on_error`` the first failure
    raises; with it, failing files are reported there and left out of the result.
    """
    names = [str(p) for p in paths]
    total = len(names)
    results: dict[int, TrackAnalysis] = {}

    def _done(i: int, outcome: TrackAnalysis | Exception, done: int) -> None:
        if isinstance(outcome, Exception):
            if on_error is None:
                raise outcome
            on_error(names[i], outcome)
        else:
            results[i] = outcome
        if on_progress is not None:
            on_progress(done, total, names[i])

    if workers <= 1 or total <= 1:
        for i, p in enumerate(names):
            try:
                outcome: TrackAnalysis | Exception = analyze_file(
                    p, cache_dir=cache_dir, max_duration_s=max_duration_s
                )
            except Exception as exc:
                outcome = exc
            _done(i, outcome, i + 1)
    else:
        # Workers come from a fork server, never a fork of this process: a service that analyses has
        # threads alive (a web server, speech-model thread pools), and a child forked while another
        # thread held a lock (the allocator's, a model runtime's) waits for it forever.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                pool.submit(analyze_file, p, cache_dir=cache_dir, max_duration_s=max_duration_s): i
                for i, p in enumerate(names)
            }
            for done, fut in enumerate(as_completed(futures), start=1):
                error = fut.exception()
                _done(futures[fut], error if isinstance(error, Exception) else fut.result(), done)
    return [results[i] for i in sorted(results)]
