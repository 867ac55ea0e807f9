"""Words of a request with their character offsets, so a tagged span can be cut from the text as said.

One tokeniser for training and for parsing: a label learned on "Radiohead 's" would never fire on
"Radiohead's" otherwise. Apostrophes stay inside words ("don't", "guns n' roses" keeps "n'") except a
possessive "'s", which is its own token so "Radiohead's latest album" tags "Radiohead" alone; "&", "+",
"-" and "." join the letters around them ("r&b", "a-ha", "t.a.t.u").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "span_text", "tokenize"]

_TOKEN = re.compile(r"'s\b|\w+(?:[.&+\-]\w+)*(?:'(?!s\b)\w*)*|[&+]")


@dataclass(frozen=True)
class Token:
    """One word: its text as written and where it sits in the request."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().replace("\u2019", "'")


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` (typographic apostrophes read as straight ones), punctuation dropped."""
    plain = text.replace("\u2019", "'").replace("\u2018", "'")
    return [Token(plain[m.start() : m.end()], m.start(), m.end()) for m in _TOKEN.finditer(plain)]


def span_text(text: str, tokens: list[Token], first: int, last: int) -> str:
    """The request's own characters from token ``first`` to token ``last`` (inclusive)."""
    return text[tokens[first].start : tokens[last].end]
