"""``selecta mix``: a personalised, beat-matched mix with a synthetic host voice, cue sheet and picture."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dj.output.cuesheet import MeasuredFigures
from services.cli.output import LENGTH_HELP, console, err_console, length_mode


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _offset_cell(m: MeasuredFigures) -> str:
    """The transition's beat offsets as tracked independently in each stem (median / p90 of their size),
    or why they could not be paired: the planner's own grid would only confirm itself."""
    if m.offset_median_abs_ms is None:
        return f"- ({m.offset_note})" if m.offset_note else "-"
    return f"{m.offset_median_abs_ms:.1f} / {_fmt(m.offset_p90_abs_ms, '.1f')}"


def mix_command(
    user: Annotated[str, typer.Option("--user", help="Listener whose history shapes the set.")],
    tracks: Annotated[int, typer.Option("--tracks", min=2, max=100, help="How many tracks in the set.")] = 8,
    out: Annotated[Path, typer.Option("--out", help="Mix audio file (.ogg, .flac, .wav, .mp3).")] = Path(
        "mix.ogg"
    ),
    arc: Annotated[
        str, typer.Option("--arc", help="Energy arc: warm-up, peak-time, cool-down or steady.")
    ] = "steady",
    voice: Annotated[
        bool, typer.Option("--voice/--no-voice", help="Synthetic host lines before tracks.")
    ] = True,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Override the format the extension implies.")
    ] = None,
    hq: Annotated[
        bool,
        typer.Option(
            "--hq-stretch",
            help="Rubber Band's finer (R3) engine instead of Signalsmith: slower; needs the GPL extra "
            "selecta[rubberband].",
        ),
    ] = False,
    ramp: Annotated[
        bool,
        typer.Option("--ramp/--no-ramp", help="Ease each new track back to its own tempo after the blend."),
    ] = True,
    length: Annotated[
        str,
        typer.Option("--length", help=LENGTH_HELP),
    ] = "dj",
    tts: Annotated[
        str,
        typer.Option(
            "--tts",
            help="Voice backend: hibari (bundled af_heart voice), piper (selecta[piper]) or coqui "
            "(selecta[coqui]).",
        ),
    ] = "hibari",
    tts_model: Annotated[
        Path | None, typer.Option(help="Voice model for piper or coqui (Piper .onnx or Coqui model file).")
    ] = None,
    tts_config: Annotated[
        Path | None, typer.Option(help="Its config (Piper .onnx.json, Coqui config.json).")
    ] = None,
) -> str:
    """Plan and render a mix: writes OUT, OUT.json (cue sheet with provenance) and OUT.png (the set)."""
    started = time.perf_counter()
    from dj.mix.stretch import stretch_engine
    from services.personal_mix import MixRequest, make_mix, synthesizer_for
    from services.sessions.lifecycle import save_planned
    from services.settings import get_settings
    from services.store import open_store

    mode = length_mode(length)
    stretch_engine(high_quality=hq)  # a missing extra fails here, before any analysis or rendering
    settings = get_settings()
    request = MixRequest(
        user_id=user,
        n_tracks=tracks,
        arc=arc,
        voice=voice,
        high_quality_stretch=hq,
        tempo_ramp=ramp,
        length=mode,
    )
    synthesizer = (
        synthesizer_for(settings, backend=tts, model_path=tts_model, config_path=tts_config)
        if voice
        else None
    )
    store = open_store(settings)
    with err_console.status("mixing") as status:
        outcome = make_mix(
            settings,
            store,
            request,
            out=out,
            fmt=fmt,
            synthesizer=synthesizer,
            on_step=lambda text: status.update(text),
        )
    sheet = outcome.sheet
    if outcome.shortfall:
        err_console.print(f"[yellow]warning:[/] {outcome.shortfall}", highlight=False)
    tracks_table = Table(title=f"{sheet.title} ({sheet.arc} arc, {mode} length)")
    for column in ("#", "start", "track", "BPM", "key", "energy", "played", "LUFS at cut"):
        tracks_table.add_column(column)
    for t in sheet.tracks:
        tracks_table.add_row(
            str(t.position),
            f"{t.start_s:.1f}s",
            t.title,
            f"{t.bpm:.1f}",
            t.camelot,
            f"{t.energy:.2f}",
            f"{_fmt(t.played_s, '.0f')}s ({_fmt(t.played_share, '.0%')})",
            f"{_fmt(t.lufs_before_cut, '.1f')} -> {_fmt(t.lufs_after_cut, '.1f')}",
        )
    console.print(tracks_table)
    table = Table(title="Transitions (measured on the rendered audio)")
    columns = ("#", "at", "type", "bars", "stretch %", "offset ms med/p90", "Camelot", "dist", "jump LU")
    for column in columns:
        table.add_column(column)
    for tr in sheet.transitions:
        m = tr.measured
        table.add_row(
            str(tr.index),
            f"{tr.start_s:.1f}s",
            tr.kind,
            str(tr.bars or "-"),
            _fmt(m.stretch_pct, "+.2f"),
            _offset_cell(m),
            tr.camelot,
            str(m.camelot_distance),
            _fmt(m.loudness_jump_lu, "+.2f"),
        )
    console.print(table)
    s = sheet.summary
    console.print(
        f"beat offsets (tracked independently in each stem) median |offset| "
        f"{_fmt(s.offsets_median_abs_ms, '.1f')} ms, p90 {_fmt(s.offsets_p90_abs_ms, '.1f')} ms over "
        f"{s.offsets_measured}/{s.beatmatched} beat-matched transitions; stretch within 6%: "
        f"{_fmt(s.stretch_within_6pct_share, '.0%')}; loudness {s.loudness_lufs:.2f} LUFS, "
        f"true peak {s.true_peak_dbtp:.2f} dBTP"
    )
    for v in sheet.voices:
        where = f"{v.start_s:.1f}s" if v.start_s is not None else "left out"
        console.print(f"[dim]voice before #{v.before_track} ({where}): {v.text}[/]")
    if voice and sheet.host is not None:
        h = sheet.host
        console.print(
            f"host: {h.tracks_introduced}/{h.tracks} tracks introduced, "
            f"{h.voice_in_blends_s:.1f}s of voice inside blends"
        )
        for why in h.not_introduced:
            console.print(f"[dim]not introduced {why}[/]")
    duration, render_s = sheet.duration_s, outcome.timings_s["render"]
    whole_s = time.perf_counter() - started
    console.print(
        f"{duration / 60:.1f} min mix rendered in {render_s:.1f}s ({duration / render_s:.0f}x real time); "
        f"whole command {whole_s:.1f}s ({duration / whole_s:.0f}x real time)"
    )
    console.print(
        f"wrote {outcome.audio_path}, {outcome.json_path}"
        + (f", {outcome.png_path}" if outcome.png_path else "")
    )
    console.print(f"[dim]{sheet.synthetic_voice}[/]")
    # The session's answers speak with the voice of this mix's host.
    voice_choice = synthesizer.choice if synthesizer is not None else None
    session = save_planned(store, user_id=user, plan=outcome.plan, voice=voice_choice, length=mode)
    console.print(
        f"DJ session {session.session_id} (first track playing): "
        f'selecta ask "play something calmer" --session {session.session_id}'
    )
    return session.session_id  # for in-process callers such as `selecta demo`


def register(app: typer.Typer) -> None:
    app.command("mix")(mix_command)
