"""``DJSession``: a lossless JSON round trip, changes that make new sessions and keep the playing track,
and a stable error code for bad payloads."""

from __future__ import annotations

import pytest

from dj.planning.session import DJSession, InvalidSessionError


def test_json_round_trip_keeps_everything() -> None:
    s = DJSession(
        session_id="abc",
        user_id="u1",
        track_ids=("a", "b", "c"),
        position=1,
        constraints={"tempo_range": [100.0, 120.0], "tags": ["calm"]},
        requests=("play something calmer",),
        energy_arc="cool-down",
    )
    back = DJSession.from_json(s.to_json())
    assert back == s
    assert back.playing == "b" and back.upcoming == ("c",)


def test_changes_make_new_sessions_and_keep_the_playing_track() -> None:
    s = DJSession.new(user_id="u", energy_arc="warm-up").with_plan(("a", "b", "c"))
    s2 = s.advance()
    assert (s.position, s2.position) == (0, 1)
    assert s2.with_plan(("a", "b", "x", "y")).upcoming == ("x", "y")
    with pytest.raises(InvalidSessionError):
        s2.with_plan(("a", "z", "y"))
    assert s2.with_request("more like this", constraints={"tags": ["happy"]}).requests == ("more like this",)
    with pytest.raises(InvalidSessionError):
        s2.advance().advance()


def test_bad_payloads_have_a_stable_code() -> None:
    with pytest.raises(InvalidSessionError) as err:
        DJSession.from_json("{not json")
    assert err.value.code == "invalid_session"
    with pytest.raises(InvalidSessionError):
        DJSession.from_dict({"user_id": "u"})
    with pytest.raises(InvalidSessionError):
        DJSession(session_id="s", user_id="u", track_ids=("a",), position=3)
