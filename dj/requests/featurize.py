"""What the learned models see of a request: per-word features for the slot tagger, and per-request
features for the intent classifier.

Word features are the usual ones for a CRF tagger (the word, its shape, affixes, position, its
neighbours) plus the gazetteer's marks, so a name the catalogue knows is recognisable even if no training
sentence had it. Names are long and their own words say little ("Kings Of The Wild Frontier"), so each
word also sees the nearest cue word on either side, however far ("by", "from", "album", "to"), and the
kinds of thing the whole request mentions ("album", "song", "playlist"): "play X by Y" is an album when
the request says "album" somewhere, a track when it says "song".

Request features are words and word pairs, the opening words (where wake words and
carrier phrases sit), the DJ-control rule the hand grammar would fire (its phrase lists are domain
knowledge the classifier may trust or not, as the data says), and the slots the tagger found.
"""

from __future__ import annotations

import re

from dj.requests.grammar import clean, rule_kind
from dj.requests.tokens import Token

__all__ = ["intent_features", "word_features"]

Features = list[str]

CUES = frozenset(
    {
        "by", "from", "of", "off", "on", "in", "to", "into", "onto", "the", "album", "albums", "record",
        "ep", "song", "songs", "track", "tracks", "tune", "single", "playlist", "list", "artist", "band",
        "singer", "genre", "called", "named", "titled", "play", "hear", "listen", "add", "put",
    }
)  # fmt: skip
"""Words that say what the name beside them is; a name's words see the nearest one each side."""
ITEMS: dict[str, str] = {
    "album": "album", "albums": "album", "record": "album", "ep": "album", "lp": "album",
    "song": "track", "songs": "track", "track": "track", "tracks": "track", "tune": "track",
    "single": "track", "playlist": "playlist", "list": "playlist", "artist": "artist", "band": "artist",
    "singer": "artist", "genre": "genre", "soundtrack": "album",
}  # fmt: skip
"""Words that name a kind of thing, anywhere in the request: every word of it sees "mentions=album"."""


def _shape(text: str) -> str:
    """ "Daft" -> "Xx", "80s" -> "dx", "R&B" -> "X&X": character classes with runs collapsed."""
    shape = re.sub(r"[A-Z]", "X", text)
    shape = re.sub(r"[a-z]", "x", shape)
    shape = re.sub(r"\d", "d", shape)
    return re.sub(r"(.)\1+", r"\1", shape)


def _word(token: Token, prefix: str) -> Features:
    w = token.lower
    return [f"{prefix}w={w}", f"{prefix}shape={_shape(token.text)}", f"{prefix}suf2={w[-2:]}"]


def word_features(tokens: list[Token], marks: list[list[str]]) -> list[Features]:
    """One feature list per word; ``marks`` are the gazetteer's (see :class:`Gazetteer.marks`)."""
    n = len(tokens)
    words = [t.lower for t in tokens]
    mentions = [f"mentions={k}" for k in sorted({ITEMS[w] for w in words if w in ITEMS})]
    left = _nearest_cues(words)
    right = _nearest_cues(words[::-1])[::-1]
    out: list[Features] = []
    for i, token in enumerate(tokens):
        w = token.lower
        feats = [
            "bias",
            f"w={w}",
            f"shape={_shape(token.text)}",
            f"pre3={w[:3]}",
            f"suf3={w[-3:]}",
            f"suf2={w[-2:]}",
            f"len={min(len(w), 8)}",
            f"pos={min(i, 4)}",
            f"rpos={min(n - 1 - i, 4)}",
        ]
        if token.text[:1].isupper():
            feats.append("title")
        if w.isdigit():
            feats.append("digits")
        feats.extend(f"gaz={m}" for m in marks[i])
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < n:
                feats.extend(_word(tokens[j], f"{offset}_"))
                if abs(offset) == 1:
                    feats.extend(f"{offset}_gaz={m}" for m in marks[j])
            else:
                feats.append(f"{offset}_edge")
        feats.extend(mentions)
        if left[i] is not None:
            feats.append(f"lcue={left[i]}")
        if right[i] is not None:
            feats.append(f"rcue={right[i]}")
        if i > 0:
            feats.append(f"bi-={tokens[i - 1].lower}|{w}")
        if i < n - 1:
            feats.append(f"bi+={w}|{tokens[i + 1].lower}")
        out.append(feats)
    return out


def _nearest_cues(words: list[str]) -> list[str | None]:
    """Per word, the nearest cue word before it (not itself), or None."""
    out: list[str | None] = []
    last: str | None = None
    for w in words:
        out.append(last)
        if w in CUES:
            last = w
    return out


def intent_features(text: str, tokens: list[Token], labels: list[str]) -> Features:
    """Features of the whole request; ``labels`` are the slot tags of its words (BIO)."""
    words = [t.lower for t in tokens]
    feats = ["bias", f"n={min(len(words), 12)}"]
    # Sorted, not set order: the order features are first seen fixes their ids in the trained file, so
    # string hashing (random per process) would make two trainings on the same data differ byte for byte.
    feats.extend(f"w={w}" for w in sorted(set(words)))
    feats.extend(f"bi={a}|{b}" for a, b in sorted(set(zip(["<s>", *words], [*words, "</s>"], strict=True))))
    feats.extend(f"first{i}={w}" for i, w in enumerate(words[:3]))
    cleaned = clean(text)
    kind = rule_kind(cleaned)
    feats.append(f"rule={kind}")
    cleaned_words = cleaned.split()
    feats.extend(f"cfirst{i}={w}" for i, w in enumerate(cleaned_words[:2]))
    slots = {label[2:] for label in labels if label != "O"}
    feats.extend(f"slot={s}" for s in sorted(slots))
    if labels and all(label != "O" for label in labels):
        feats.append("all_slot")  # a bare name: "seven years", "Daft Punk!"
    # The words outside the slots: "play X by Y" and "add X to my Y" differ here, whatever X and Y are.
    frame = [w if label == "O" else label[2:].upper() for w, label in zip(words, labels, strict=True)]
    frame = [w for i, w in enumerate(frame) if i == 0 or w != frame[i - 1] or w.islower()]
    feats.append("frame=" + " ".join(frame[:8]))
    feats.extend(f"fbi={a}|{b}" for a, b in zip(["<s>", *frame], [*frame, "</s>"], strict=True))
    return feats
