"""A picture of the set for a DJ: tempo as heard, Camelot key on the wheel, energy, and where the hand-overs
and the host's lines fall.

What a DJ reads from such a picture, and so how each panel is drawn:

* **Tempo as heard** (effective tempo): a 68 BPM track mixed against a 136 BPM one plays in half time, and
  a DJ hears one pace, not a jump. Each track is drawn at the octave nearest the track before it (the
  half/equal/double relation the planner uses, :func:`dj.planning.tempo_match.match_tempo`), its own
  tempo named beside it ("68 BPM in half time"). Where the beats follow a drifting performance, the line
  follows the track's tempo curve; a stretched head shows the stretch.
* **Camelot on the wheel**: 12A and 1A are neighbours, so the axis is unwrapped (each key is drawn at the
  turn of the wheel nearest the previous one, labelled with its code) and a move of one step is one step
  on the page. Key clashes are marked at their transition.
* **Energy on the catalogue's scale**: the short-term loudness curve smoothed over a few bars and given as
  its percentile among every moment of every track in the catalogue, so "0.9" means "louder than 90% of
  what this listener has", not a number that only compares within one track.
* **Transitions**: blend bands (EQ blend or crossfade), with the outgoing track's bar lines and phrase
  starts inside them (a DJ checks that a blend starts and ends on a phrase), and a lane for the host's
  lines, each drawn red when it falls inside a blend; the last track's fade-out is a grey band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from core.camelot import compatibility, parse_camelot
from dj.mix.render import MixResult
from dj.planning.tempo_match import EQ_BLEND, TEMPO_RELATIONS, match_tempo

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from dj.analysis import TrackAnalysis
    from dj.mix.timeline import TrackPlacement

__all__ = ["catalogue_scale", "effective_multipliers", "plot_set", "smooth", "wheel_positions"]

_SMOOTH_S = 8.0
_TEMPO_SMOOTH_S = 4.0  # energy smoothing window: about four bars at 120 BPM, longer than any single hit
_MINOR_OFFSET = 0.0
_MAJOR_OFFSET = 0.35  # B (major) keys drawn a little above their relative A (minor) keys: neighbours too
_CLASH_LABEL = "key clash"


def wheel_positions(codes: Sequence[str]) -> list[float]:
    """Y positions of a sequence of Camelot codes on an unwrapped wheel: each number is moved by whole
    turns (12) to sit nearest the previous one, so 12A -> 1A is one step up, not eleven down."""
    out: list[float] = []
    for code in codes:
        number, letter = parse_camelot(code)
        y = number + (_MAJOR_OFFSET if letter == "B" else _MINOR_OFFSET)
        if out:
            y += 12.0 * round((out[-1] - y) / 12.0)
        out.append(float(y))
    return out


def effective_multipliers(bpms: Sequence[float]) -> list[float]:
    """Per track, the factor its tempo is drawn at: 1 for the first, then whatever half/equal/double
    relation puts each track nearest the tempo the previous one was drawn at (the planner's relation)."""
    out: list[float] = []
    for bpm in bpms:
        if not out or bpm <= 0:
            out.append(1.0)
            continue
        drawn_before = bpms[len(out) - 1] * out[-1]
        out.append(match_tempo(bpm_a=drawn_before, bpm_b=bpm).multiplier if drawn_before > 0 else 1.0)
    return out


def smooth(curve: np.ndarray, *, hop_s: float, window_s: float = _SMOOTH_S) -> np.ndarray:
    """A Hann-weighted moving average over ``window_s`` (edges averaged over what is there)."""
    width = max(1, round(window_s / hop_s)) | 1
    if len(curve) == 0 or width == 1:
        return np.asarray(curve, dtype=float)
    kernel = np.hanning(width + 2)[1:-1]
    values = np.convolve(np.asarray(curve, dtype=float), kernel, mode="same")
    weights = np.convolve(np.ones(len(curve)), kernel, mode="same")
    out: np.ndarray = values / weights
    return out


def catalogue_scale(analyses: Mapping[str, TrackAnalysis]) -> np.ndarray:
    """The sorted energy values of every (smoothed) moment in the catalogue: a value's rank in it is its
    place on the catalogue's scale."""
    pooled = [
        smooth(np.asarray(a.energy_curve, dtype=float), hop_s=_hop(a))
        for a in analyses.values()
        if len(a.energy_curve)
    ]
    return np.sort(np.concatenate(pooled)) if pooled else np.zeros(0)


def _hop(a: TrackAnalysis) -> float:
    times = np.asarray(a.energy_times, dtype=float)
    return float(np.median(np.diff(times))) if len(times) > 1 else 0.5


def _on_scale(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    if len(scale) == 0:
        return values
    return np.searchsorted(scale, values, side="right") / len(scale)


def _tempo_line(p: TrackPlacement, a: TrackAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """Mix times and the tempo heard there (before the octave factor): the track's tempo curve where its
    beats follow the music, its tempo otherwise, times the head's stretch."""
    src = np.linspace(p.src_start_s, p.src_end_s, 400)
    mix = np.array([p.mix_time(t) for t in src])
    times, curve = np.asarray(a.tempo_times, dtype=float), np.asarray(a.tempo_curve, dtype=float)
    follows = len(times) >= 2 and not a.beats_on_grid
    local = np.interp(src, times, curve) if follows else np.full(len(src), a.bpm)
    if follows and len(src) > 1:  # a played tempo wavers beat to beat; a DJ reads its course over bars
        local = smooth(local, hop_s=float(src[1] - src[0]), window_s=_TEMPO_SMOOTH_S)
    speed = np.ones_like(src)
    if p.head is not None:
        speeds = np.diff(p.head.src_knots) / np.diff(p.head.out_knots)
        k = np.clip(np.searchsorted(p.head.src_knots, src, side="right") - 1, 0, len(speeds) - 1)
        speed = np.where(src <= p.head.src_end_s, speeds[k], 1.0)
    return mix, local * speed


def _bar_marks(ax: Axes, p: TrackPlacement, a: TrackAnalysis, span: tuple[float, float], row: float) -> None:
    """Bar lines (short ticks) and phrase starts (tall, thick) of one track inside a blend."""
    for times, height, width in ((a.downbeats, 0.25, 0.8), (a.phrase_starts, 0.45, 2.2)):
        at = [p.mix_time(float(t)) for t in np.asarray(times, dtype=float)]
        at = [t for t in at if span[0] - 1e-3 <= t <= span[1] + 1e-3]
        if at:
            ax.vlines(at, row - height / 2, row + height / 2, color="black", lw=width)


def plot_set(
    path: Path, *, result: MixResult, analyses: Mapping[str, TrackAnalysis], titles: Mapping[str, str]
) -> Path:
    """Write a PNG of the set to ``path``. ``analyses`` is the catalogue (at least the set's tracks): its
    energy is the scale the set's energy is drawn on."""
    tl = result.timeline
    placed = [analyses[p.track_id] for p in tl.placements]
    fig, (ax_t, ax_k, ax_e, ax_l) = plt.subplots(
        4, 1, figsize=(14, 9.5), sharex=True, height_ratios=[1.1, 0.9, 1.0, 0.55]
    )
    colours = plt.cm.tab10(np.arange(len(tl.placements)) % 10)
    multipliers = effective_multipliers([a.bpm for a in placed])
    keys = wheel_positions([a.camelot for a in placed])
    scale = catalogue_scale(analyses)
    for p, a, mult, key_y in zip(tl.placements, placed, multipliers, keys, strict=True):
        colour = colours[p.index]
        mid = 0.5 * (p.mix_start_s + p.mix_end_s)
        mix, bpm = _tempo_line(p, a)
        ax_t.plot(mix, bpm * mult, color=colour, lw=2.2, ls="-" if mult == 1.0 else "--")
        relation = f" in {TEMPO_RELATIONS[mult].removeprefix('B in ')}" if mult != 1.0 else ""
        ax_t.annotate(
            f"{p.index + 1}: {a.bpm:.0f} BPM{relation}",
            (mid, float(np.median(bpm * mult))),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color=colour,
        )
        ax_k.hlines(key_y, p.mix_start_s, p.mix_end_s, color=colour, lw=7)
        ax_k.text(mid, key_y + 0.45, a.camelot, ha="center", va="bottom", fontsize=9, weight="bold")
        times = np.asarray(a.energy_times, dtype=float)
        curve = _on_scale(smooth(np.asarray(a.energy_curve, dtype=float), hop_s=_hop(a)), scale)
        keep = (times >= p.src_start_s) & (times <= p.src_end_s)
        ax_e.plot([p.mix_time(t) for t in times[keep]], curve[keep], color=colour, lw=1.8)
    _transitions(ax_t, ax_k, ax_e, ax_l, result, placed, keys)
    _voices(ax_l, result)
    _finish(fig, (ax_t, ax_k, ax_e, ax_l), result, placed, titles, keys, colours)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _transitions(
    ax_t: Axes,
    ax_k: Axes,
    ax_e: Axes,
    ax_l: Axes,
    result: MixResult,
    placed: Sequence[TrackAnalysis],
    keys: Sequence[float],
) -> None:
    """Blend bands on every panel, the kind and length above the tempo panel, bar and phrase marks of
    both tracks in the lane panel, key clashes marked on the key panel, and the last track's fade-out."""
    tl = result.timeline
    for k, spec in enumerate(tl.transitions):
        start, end = tl.overlap(k)
        colour = "tab:green" if spec.kind == EQ_BLEND else "tab:orange"
        for ax in (ax_t, ax_k, ax_e, ax_l):
            ax.axvspan(start, end, color=colour, alpha=0.18, lw=0)
        label = f"EQ {spec.bars} bars" if spec.kind == EQ_BLEND else "crossfade"
        ax_t.text(
            0.5 * (start + end), 1.01, label, transform=ax_t.get_xaxis_transform(), ha="center", fontsize=7
        )
        _bar_marks(ax_l, tl.placements[k], placed[k], (start, end), row=1.0)
        _bar_marks(ax_l, tl.placements[k + 1], placed[k + 1], (start, end), row=0.0)
        if compatibility(placed[k].camelot, placed[k + 1].camelot).label == _CLASH_LABEL:
            y = 0.5 * (keys[k] + keys[k + 1])
            ax_k.plot([0.5 * (start + end)], [y], marker="X", color="tab:red", ms=13)
            ax_k.text(
                0.5 * (start + end), y - 0.6, "clash", color="tab:red", ha="center", va="top", fontsize=8
            )
    fade = tl.placements[-1].fade_out_span()
    if fade is not None:  # the last track leaves on a fade that ends on a phrase
        for ax in (ax_t, ax_k, ax_e, ax_l):
            ax.axvspan(*fade, color="tab:gray", alpha=0.25, lw=0)
        ax_t.text(
            0.5 * sum(fade), 1.01, "fade-out", transform=ax_t.get_xaxis_transform(), ha="center", fontsize=7
        )


def _voices(ax_l: Axes, result: MixResult) -> None:
    """Each placed host line as a bar in its own row: purple outside the blends, red inside one."""
    tl = result.timeline
    blends = [tl.overlap(k) for k in range(len(tl.transitions))]
    for v in result.voices:
        span = v.span
        if span is None:
            continue
        inside = any(min(span[1], e) - max(span[0], s) > 0.05 for s, e in blends)
        ax_l.broken_barh(
            [(span[0], span[1] - span[0])], (1.7, 0.6), color="tab:red" if inside else "tab:purple"
        )


def _finish(
    fig: Figure,
    axes: tuple[Axes, Axes, Axes, Axes],
    result: MixResult,
    placed: Sequence[TrackAnalysis],
    titles: Mapping[str, str],
    keys: Sequence[float],
    colours: np.ndarray,
) -> None:
    """Axes, ticks, the track list under the plot and the legend line."""
    ax_t, ax_k, ax_e, ax_l = axes
    tl = result.timeline
    ax_t.set_ylabel("tempo as heard (BPM)")
    ax_t.grid(axis="y", alpha=0.3)
    lo, hi = int(np.floor(min(keys))) - 1, int(np.ceil(max(keys))) + 2
    ticks = list(range(lo, hi + 1))
    ax_k.set_yticks(ticks, [f"{(t - 1) % 12 + 1}" for t in ticks])
    ax_k.set_ylim(lo, hi)
    ax_k.set_ylabel("Camelot (wheel)")
    ax_k.grid(axis="y", alpha=0.3)
    ax_e.set_ylim(0, 1.02)
    ax_e.set_ylabel("energy\n(catalogue pct.)")
    ax_e.grid(axis="y", alpha=0.3)
    ax_l.set_ylim(-0.5, 2.5)
    ax_l.set_yticks([0.0, 1.0, 2.0], ["in: bars", "out: bars", "host"])
    ax_l.set_xlabel(
        "mix time (s)    green: EQ blend   orange: crossfade   grey: last track's fade-out   "
        "ticks: bar lines, thick: phrase starts   "
        "host: purple, red when inside a blend"
    )
    ax_l.set_xlim(0, result.duration_s)
    lines = []
    for p, a in zip(tl.placements, placed, strict=True):
        title = titles.get(p.track_id, p.track_id)
        lines.append(f"{p.index + 1}. {title[:48]}  ({a.bpm:.0f} BPM, {a.camelot}, {a.meter})")
    columns = 2 if len(lines) > 4 else 1
    per = int(np.ceil(len(lines) / columns))
    for c in range(columns):
        for r, text in enumerate(lines[c * per : (c + 1) * per]):
            i = c * per + r
            # Rows stack up from the bottom edge, below the space tight_layout keeps free for them.
            y = 0.015 + 0.022 * (per - 1 - r)
            fig.text(0.06 + 0.47 * c, y, text, fontsize=8.5, color=colours[i])
    fig.suptitle(f"Selecta set: {len(tl.placements)} tracks, {result.duration_s / 60:.1f} min", y=0.995)
    fig.tight_layout(rect=(0.0, 0.02 + 0.022 * per, 1.0, 0.98))
