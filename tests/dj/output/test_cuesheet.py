"""The cue sheet is typed, and its JSON (the mix's ``.json`` file format) survives a round trip unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from dj.analysis.result import TrackAnalysis
from dj.mix.measure import measure_mix
from dj.mix.pipeline import lay_out
from dj.mix.render import RenderOptions
from dj.output.cuesheet import CueSheet, Provenance, cue_sheet
from dj.output.export import mix_tags
from dj.planning.planner import TrackMeta, plan_set

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
    "arc",
    "requests",
    "options",
]


@dataclass(frozen=True, kw_only=True)
class Cand:
    track_id: str
    score: float = 1.0
    explanation: str = ""


@pytest.fixture(scope="module")
def sheet(drum_tracks: dict[str, TrackAnalysis]) -> CueSheet:
    meta = {t: TrackMeta(track_id=t, title=f"Track {t}", artist="Drums") for t in drum_tracks}
    cands = [Cand(track_id=t, explanation=f"because {t}") for t in drum_tracks]
    plan = plan_set(cands, analyses=drum_tracks, n_tracks=3, meta=meta)
    result = lay_out(plan.track_ids, drum_tracks, options=RenderOptions(sr=SR)).render()
    provenance = Provenance(
        user_id="u1",
        recommender_bundle="bundle-1",
        analysis_version="v1",
        tts_backend=None,
        tts_voice=None,
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
