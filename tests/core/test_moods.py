"""One mood vocabulary: whatever mood a request can ask for, a tagged track carries into planning."""

from __future__ import annotations

import pytest

from core.moods import MOOD_WORDS, MOODS, mood_of
from dj.planning.planner import TrackMeta
from services.data.demo import demo_catalog


def test_every_mood_names_itself_first() -> None:
    assert all(words[0] == mood for mood, words in MOODS.items())


@pytest.mark.parametrize(("word", "mood"), sorted(MOOD_WORDS.items()))
def test_a_track_tagged_with_any_mood_word_has_that_mood_in_planning(word: str, mood: str) -> None:
    meta = TrackMeta(track_id="t", title="T", artist="A", tags=("rock", word))
    assert meta.mood == mood
    assert TrackMeta(track_id="t", title="T", artist="A", tags=(word.title(),)).mood == mood


def test_a_track_without_a_mood_tag_has_none() -> None:
    assert mood_of(["rock", "acoustic", "ai-generated"]) is None
    assert TrackMeta(track_id="t", title="T", artist="A").mood is None


def test_the_first_mood_tag_wins() -> None:
    assert mood_of(["melancholic", "happy"]) == "sad"


def test_demo_tracks_carry_moods_of_the_vocabulary() -> None:
    tags = demo_catalog()["tags"].to_list()
    assert tags and all(mood_of(t) == t[0] for t in tags)
