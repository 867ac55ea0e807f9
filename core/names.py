"""How two spellings of an artist, title or tag are compared: one normal form for every matcher.

An import matches "Simon and Garfunkel - The Boxer" to the catalogue's "Simon & Garfunkel", and a listener
says "play Simon and Garfunkel"; both go through :func:`normalize_name`, so the import and the spoken
request cannot disagree on whether a name is in the catalogue. The rules, each for a real case in the
Last.fm catalogue:

- case and accents do not count ("Beyoncé" = "beyonce", "múm" = "MUM"), other letters are kept, so
  "Ленинград" and "宇多田ヒカル" stay searchable instead of becoming empty strings;
- "&" and a spaced "+" are "and" ("Angels & Airwaves" = "Angels and Airwaves", "Florence + the Machine");
- apostrophes vanish, straight or curly ("Don't" = "Don’t" = "Dont", "Guns N' Roses" = "Guns N Roses");
- other punctuation separates words ("Mary J. Blige" = "Mary J Blige", "t.A.T.u." = "T.A.T.U");
- a leading "the" is dropped ("The Killers" = "Killers").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_name"]

_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`\u00b4]")
_AND = re.compile(r"&|\s\+\s")
# Combining accents of the Latin, Greek and Cyrillic scripts (U+0300..U+036F); the voicing marks of
# Japanese kana are in another block and stay, as they change the sound.
_ACCENTS = re.compile("[\u0300-\u036f]")
_SEPARATORS = re.compile(r"[\W_]+")


def normalize_name(text: str | None) -> str:
    """Lower case, accents and punctuation gone, "&" as "and", a leading "the" dropped; "" for nothing."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    # Recompose what is left (kana with their voicing marks) so no mark stands alone as a separator.
    text = unicodedata.normalize("NFC", _ACCENTS.sub("", text)).casefold()
    text = _SEPARATORS.sub(" ", _AND.sub(" and ", text)).strip()
    return re.sub(r"^the ", "", text)
