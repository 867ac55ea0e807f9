"""Training data: the fixed SNIPS validation split, SNIPS spans, gold values placed in their text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dj.requests.corpus import bio_labels, is_validation, load_gold, load_snips, locate
from dj.requests.tokens import tokenize
from tests.conftest import REPO

SNIPS = Path(os.environ.get("SELECTA_SNIPS_DIR", REPO.parent / "shared" / "datasets" / "snips-nlu-benchmark"))
needs_snips = pytest.mark.skipif(
    not (SNIPS / "train_PlayMusic_full.json").is_file(), reason="the SNIPS dataset is not at hand"
)


def test_validation_rule_is_a_fixed_fifth() -> None:
    picked = [i for i in range(2000) if is_validation("PlayMusic", i)]
    assert 350 < len(picked) < 450
    assert picked == [i for i in range(2000) if is_validation("PlayMusic", i)]  # no hidden state
    assert picked != [i for i in range(2000) if is_validation("AddToPlaylist", i)]


@needs_snips
def test_snips_splits_are_disjoint_and_spans_cut_the_annotated_text() -> None:
    train = load_snips(SNIPS, validation=False)
    validation = load_snips(SNIPS, validation=True)
    assert not {e.id for e in train} & {e.id for e in validation}
    assert not {e.text for e in validation if e.intent == "play"} <= {e.text for e in train}
    first = next(e for e in validation if e.id == "snips:PlayMusic:1")
    assert first.text == "play Yo Ho from the new york pops on Youtube"
    assert [(s, first.text[a:b]) for s, a, b in first.spans] == [
        ("track", "Yo Ho"),
        ("artist", "the new york pops"),
        ("service", "Youtube"),
    ]
    assert {e.intent for e in validation} == {"play", "add_to_playlist", "out_of_scope"}


@needs_snips
def test_snips_text_is_read_as_utf8_despite_stray_bytes() -> None:
    texts = " ".join(e.text for e in load_snips(SNIPS, validation=True))
    assert "Ã" not in texts  # mojibake of a UTF-8 accent read as Latin-1


@needs_snips
def test_snips_sentences_in_the_tests_are_from_the_validation_split() -> None:
    from tests.dj.requests.test_intents import SLOT_KINDS, SNIPS_OUT_OF_SCOPE

    train = {e.text for e in load_snips(SNIPS, validation=False)}
    quoted = [text for text, _ in SLOT_KINDS] + SNIPS_OUT_OF_SCOPE
    assert not set(quoted) & train


def test_locate_finds_the_shortest_span_that_says_the_value() -> None:
    text = "Play some eighties music by Daft Punk"
    assert locate(text, "era", "1980s") == ("era", 10, 18)
    assert locate(text, "artist", "Daft Punk") == ("artist", 28, 37)
    assert locate("play something sad", "mood", "sad") == ("mood", 15, 18)
    assert locate("Play Metalica.", "artist", "Metallica") is None


def test_gold_requests_with_unplaceable_values_teach_the_intent_only() -> None:
    gold = {e.id: e for e in load_gold(REPO / "data" / "requests" / "gold.jsonl")}
    assert gold["q246"].spans is None  # "Play DAF Punk." names Daft Punk by a misspelling
    assert gold["q209"].spans == (("era", 12, 15), ("genre", 16, 25))  # "Put on some 80s synth pop."


def test_bio_labels() -> None:
    text = "play the new york pops now"
    tokens = tokenize(text)
    assert bio_labels(tokens, (("artist", 5, 22),)) == [
        "O",
        "B-artist",
        "I-artist",
        "I-artist",
        "I-artist",
        "O",
    ]


def test_a_fixed_choice_filler_is_a_slot_and_names_come_from_the_pool() -> None:
    import random

    from dj.requests.templates import render

    text, spans = render(
        "play the {music_item=song|tune} {track}", random.Random(3), {"track": ["Let It Be"]}
    )
    assert text in ("play the song Let It Be", "play the tune Let It Be")
    assert [(name, text[a:b]) for name, a, b in spans] == [("music_item", text[9:13]), ("track", "Let It Be")]
