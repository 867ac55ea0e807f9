"""The cue sheet is typed, and its JSON (the mix's ``.json`` file format) survives a round trip unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest

from dj.analysis.result import TrackAnalysis
from dj.mix.measure import measure_mix
from dj.mix.pipeline import lay_out
from dj.mix.render import RenderOptions
from dj.output.cuesheet import CueSheet, Provenance, cue_sheet
from dj.output.export import mix_tags, read_tags, write_mix
from dj.planning.planner import TrackMeta, plan_set
from dj.speech.tts import HibariSynthesizer

SR = 22050

# The mix.json format: these keys, in this order.
SHEET_KEYS = [
    "title",
    "duration_s",
    "sample_rate",
    "loudness_lufs",
    "true_peak_dbtp",
    "arc",
    "tracks",
    "transitions",
    "voice",
    "synthetic_voice",
    "provenance",
    "summary",
    "host",
    "timings_s",
]
TRACK_KEYS = [
    "position",
    "track_id",
    "title",
    "artist",
    "start_s",
    "end_s",
    "source_from_s",
    "source_to_s",
    "bpm",
    "key",
    "camelot",
    "energy",
    "gain_db",
    "why_picked",
    "played_s",
    "played_share",
    "exit",
    "lufs_before_cut",
    "lufs_after_cut",
    "fade_out_s",
]
TRANSITION_KEYS = [
    "index",
    "from",
    "to",
    "kind",
    "bars",
    "start_s",
    "end_s",
    "stretch_ratio",
    "stretch_pct",
    "tempo_multiplier",
    "ramp_s",
    "camelot",
    "camelot_distance",
    "reason",
    "plan_reason",
    "measured",
]
MEASURED_KEYS = [
    "beat_offset_ms",
    "stretch_pct",
    "camelot_distance",
    "loudness_jump_lu",
    "offset_median_ms",
    "offset_median_abs_ms",
    "offset_p90_abs_ms",
    "offset_beats",
    "offset_xcorr_ms",
    "offset_note",
]
PROVENANCE_KEYS = [
    "user_id",
    "recommender_bundle",
    "analysis_version",
    "tts_backend",
    "tts_voice",
    "tts_model",
    "arc",
    "requests",
    "options",
]


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


def _sheet(drum_tracks: dict[str, TrackAnalysis], *, voice: HibariSynthesizer | None = None) -> CueSheet:
    meta = {t: TrackMeta(track_id=t, title=f"Track {t}", artist="Drums") for t in drum_tracks}
    cands = [Cand(track_id=t, explanation=f"because {t}") for t in drum_tracks]
    plan = plan_set(cands, analyses=drum_tracks, n_tracks=3, meta=meta)
    result = lay_out(plan.track_ids, drum_tracks, options=RenderOptions(sr=SR)).render()
    provenance = Provenance(
        user_id="u1",
        recommender_bundle="bundle-1",
        analysis_version="v1",
        tts_backend=voice.backend if voice else None,
        tts_voice=voice.voice if voice else None,
        tts_model=voice.model_label if voice else None,
        arc=plan.arc.value,
        requests=("play something calmer",),
        options={"n_tracks": 3, "voice": False},
    )
    return cue_sheet(
        plan=plan,
        result=result,
        measures=measure_mix(result, analyses=drum_tracks),
        analyses=drum_tracks,
        meta=meta,
        provenance=provenance,
        timings_s={"render": 1.5},
    )


@pytest.fixture(scope="module")
def sheet(drum_tracks: dict[str, TrackAnalysis]) -> CueSheet:
    return _sheet(drum_tracks)


def test_the_json_keeps_the_mix_file_format(sheet: CueSheet) -> None:
    data = json.loads(sheet.to_json())
    assert list(data) == SHEET_KEYS
    assert all(list(t) == TRACK_KEYS for t in data["tracks"]) and len(data["tracks"]) == 3
    assert all(list(t) == TRANSITION_KEYS for t in data["transitions"]) and len(data["transitions"]) == 2
    assert all(list(t["measured"]) == MEASURED_KEYS for t in data["transitions"])
    assert list(data["provenance"]) == PROVENANCE_KEYS
    assert data["provenance"]["requests"] == ["play something calmer"] and data["voice"] == []
    first = data["transitions"][0]
    assert (first["from"], first["to"]) == (sheet.transitions[0].from_id, sheet.transitions[0].to_id)
    assert first["camelot"] == f"{sheet.tracks[0].camelot}->{sheet.tracks[1].camelot}"
    assert data["summary"]["transitions"] == 2 and data["timings_s"] == {"render": 1.5}


def test_each_blend_carries_its_independently_measured_offsets(sheet: CueSheet) -> None:
    """Steady drum tracks mixed on their beats: every beat of both blends is paired by the independent
    trackers, within a few ms, and the summary pools them."""
    for t in sheet.transitions:
        m = t.measured
        assert m.offset_note == "" and m.offset_beats >= 8
        assert m.offset_median_abs_ms is not None and m.offset_median_abs_ms < 5.0
        assert m.offset_p90_abs_ms is not None and m.offset_p90_abs_ms < 10.0
        assert m.offset_xcorr_ms is not None and abs(m.offset_xcorr_ms) < 5.0
    assert sheet.summary.offsets_measured == 2
    assert sheet.summary.offsets_p90_abs_ms is not None and sheet.summary.offsets_p90_abs_ms < 10.0


def test_a_saved_sheet_reads_back_equal(sheet: CueSheet) -> None:
    text = sheet.to_json()
    back = CueSheet.from_json(text)
    assert back == sheet and back.to_json() == text
    untimed = CueSheet.from_json(json.dumps({k: v for k, v in json.loads(text).items() if k != "timings_s"}))
    assert untimed.timings_s is None and "timings_s" not in json.loads(untimed.to_json())


def test_tags_come_from_the_typed_sheet(sheet: CueSheet) -> None:
    tags = mix_tags(sheet)
    assert tags["title"] == "Selecta mix for u1" and "1. 0.0s Track " in tags["comment"]
    assert json.loads(tags["provenance"])["requests"] == ["play something calmer"]


def test_each_track_says_how_much_played_and_the_loudness_at_its_cut(
    sheet: CueSheet, drum_tracks: dict[str, TrackAnalysis]
) -> None:
    for t in sheet.tracks:
        duration = drum_tracks[t.track_id].duration_s
        assert t.played_s == pytest.approx(t.source_to_s - t.source_from_s, abs=0.01)
        assert (
            t.played_share == pytest.approx(t.played_s / duration, abs=0.001) and 0.3 < t.played_share <= 1.0
        )
        assert t.exit and t.lufs_before_cut is not None
    # The drum tracks play at one level: the outgoing tracks' cuts fall inside the music, the last one
    # plays to its end (nothing after its cut).
    assert all(t.lufs_after_cut is not None for t in sheet.tracks[:-1])
    assert sheet.tracks[-1].lufs_after_cut is None
    # No host voice in this mix: nothing said inside a blend, no track introduced, and the sheet says why.
    assert sheet.host is not None and sheet.host.voice_in_blends_s == 0.0
    assert sheet.host.tracks_introduced == 0 and sheet.host.tracks == 3
    assert (
        all("no host voice" in why for why in sheet.host.not_introduced)
        and len(sheet.host.not_introduced) == 3
    )


@pytest.mark.parametrize("fmt", ["wav", "ogg", "flac"])
def test_the_sheet_and_the_file_tags_name_the_synthetic_voice(
    drum_tracks: dict[str, TrackAnalysis], tmp_path, fmt: str
) -> None:
    voice = HibariSynthesizer()
    sheet = _sheet(drum_tracks, voice=voice)
    label = "hibari-tts af_heart (Kokoro-82M distilled)"
    assert voice.model_label == label and sheet.provenance.tts_model == label
    assert "synthetic" in sheet.synthetic_voice and label in sheet.synthetic_voice
    assert CueSheet.from_json(sheet.to_json()).provenance.tts_model == label
    y = np.zeros((2, SR), dtype=np.float32)
    tags = read_tags(write_mix(tmp_path / f"mix.{fmt}", y=y, sr=SR, tags=mix_tags(sheet)))
    assert tags["synthetic_voice"] == "yes" and tags["synthetic_voice_model"] == label
    assert label in tags["comment"] and json.loads(tags["provenance"])["tts_model"] == label
    # A sheet written before the model was named still reads, and says the voice is synthetic.
    old = json.loads(sheet.to_json())
    del old["provenance"]["tts_model"]
    assert CueSheet.from_json(json.dumps(old)).provenance.tts_model is None
