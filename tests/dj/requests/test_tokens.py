"""One tokeniser for training and parsing: offsets that cut the request as said."""

from __future__ import annotations

from dj.requests.tokens import span_text, tokenize


def test_possessive_is_its_own_word_and_apostrophes_stay_inside() -> None:
    assert [t.text for t in tokenize("Play Radiohead's latest, don't stop")] == [
        "Play", "Radiohead", "'s", "latest", "don't", "stop",
    ]  # fmt: skip


def test_joined_words_and_typographic_apostrophes() -> None:
    assert [t.lower for t in tokenize("R&B by a-ha, t.A.T.u. Don\u2019t")] == [
        "r&b",
        "by",
        "a-ha",
        "t.a.t.u",
        "don't",
    ]


def test_span_text_cuts_the_original_characters() -> None:
    text = "play  Yo Ho, from the NEW york pops!"
    tokens = tokenize(text)
    assert span_text(text, tokens, 5, 7) == "NEW york pops"
    assert span_text(text, tokens, 1, 2) == "Yo Ho"
