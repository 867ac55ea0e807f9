"""A picture of the set: tempo, Camelot key and energy over the mix, with transitions and voice marked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from core.camelot import parse_camelot
from dj.mix.render import MixResult
from dj.planning.tempo_match import EQ_BLEND

if TYPE_CHECKING:
    from dj.analysis import TrackAnalysis


def _tempo_curve(
    result: MixResult, analyses: Mapping[str, TrackAnalysis], index: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mix times and the track's tempo there (its head is stretched toward the previous track's tempo)."""
    p = result.timeline.placements[index]
    bpm = analyses[p.track_id].bpm
    src = np.linspace(p.src_start_s, p.src_end_s, 200)
    mix = np.array([p.mix_time(t) for t in src])
    speed = np.ones_like(src)
    if p.head is not None:
        speeds = np.diff(p.head.src_knots) / np.diff(p.head.out_knots)
        k = np.clip(np.searchsorted(p.head.src_knots, src, side="right") - 1, 0, len(speeds) - 1)
        speed = np.where(src <= p.head.src_end_s, speeds[k], 1.0)
    return mix, bpm * speed


def plot_set(
    path: Path, *, result: MixResult, analyses: Mapping[str, TrackAnalysis], titles: Mapping[str, str]
) -> Path:
    """Write a PNG of the set to ``path``."""
    tl = result.timeline
    fig, (ax_t, ax_k, ax_e) = plt.subplots(3, 1, figsize=(12, 7), sharex=True, height_ratios=[1, 0.8, 1])
    colours = plt.cm.tab10(np.arange(len(tl.placements)) % 10)
    for p in tl.placements:
        a = analyses[p.track_id]
        mix, bpm = _tempo_curve(result, analyses, p.index)
        ax_t.plot(mix, bpm, color=colours[p.index], lw=2)
        number, _ = parse_camelot(a.camelot)
        ax_k.hlines(number, p.mix_start_s, p.mix_end_s, color=colours[p.index], lw=6)
        ax_k.text(0.5 * (p.mix_start_s + p.mix_end_s), number + 0.6, a.camelot, ha="center", fontsize=8)
        times = np.asarray(a.energy_times, dtype=float)
        keep = (times >= p.src_start_s) & (times <= p.src_end_s)
        ax_e.plot(
            [p.mix_time(t) for t in times[keep]], np.asarray(a.energy_curve)[keep], color=colours[p.index]
        )
        label = titles.get(p.track_id, p.track_id)
        ax_t.text(
            p.mix_start_s,
            1.02,
            f"{p.index + 1}. {label}",
            transform=ax_t.get_xaxis_transform(),
            fontsize=7,
            rotation=20,
            color=colours[p.index],
        )
    for k, spec in enumerate(tl.transitions):
        start, end = tl.overlap(k)
        for ax in (ax_t, ax_k, ax_e):
            ax.axvspan(
                start, end, color="tab:green" if spec.kind == EQ_BLEND else "tab:orange", alpha=0.18, lw=0
            )
    for v in result.voices:
        if v.placed:
            ax_e.axvspan(v.slot.start_s, v.slot.end_s, ymin=0.0, ymax=0.08, color="tab:purple", alpha=0.8)
    ax_t.set_ylabel("tempo (BPM)")
    ax_k.set_ylabel("Camelot key")
    ax_k.set_ylim(0, 13.5)
    ax_e.set_ylabel("energy")
    ax_e.set_xlabel("mix time (s)   green: EQ blend   orange: crossfade   purple: host voice (synthetic)")
    fig.suptitle(f"Selecta set: {len(tl.placements)} tracks, {result.duration_s / 60:.1f} min", y=0.995)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
