"""How the host says a track's name and the recommender's reason out loud.

A title written for a screen is not always sayable: the bundled demo tracks have no names, only
descriptions with a generation number ("Happy, acoustic (seed 411)", "Calm, acoustic #1"), and reading
"seed four hundred eleven" over every intro sounds like a database. A track whose artist marks it as
AI-generated is therefore spoken as what its title describes ("a happy acoustic piece"); a real title is
spoken as it is. Because several such tracks share one description, a reason naming another track can
sound like the track itself ("a happy acoustic piece, because it sounds like a happy acoustic piece");
the host then says "another happy acoustic piece" instead, so no line names a track as being like itself.
"""

from __future__ import annotations

import re

_NUMBERING = re.compile(r"\s*(?:\(seed\s*\d+\)|#\s*\d+)\s*$", re.IGNORECASE)
_LABEL_ARTIST = " by "


def is_anonymous(artist: str | None) -> bool:
    """True for a generated track whose "artist" is a source, not a person the host should name."""
    return artist is not None and "ai-generated" in artist.lower()


def spoken_title(title: str, artist: str | None) -> str:
    """The name to say: a real title as it is; a generated track's descriptive title as a noun phrase
    without its generation number (``"Happy, acoustic (seed 411)"`` -> ``"a happy acoustic piece"``)."""
    title = " ".join(title.split())
    if not is_anonymous(artist):
        return title
    words = [w for w in re.split(r"[\s,;]+", _NUMBERING.sub("", title).lower()) if w]
    if not words:
        return "a generated piece"
    described = " ".join(words)
    return f"{'an' if described[0] in 'aeiou' else 'a'} {described} piece"


def another(name: str) -> str:
    """``"a happy acoustic piece"`` -> ``"another happy acoustic piece"``; a real title (``"Blue"``) ->
    ``"another version of Blue"``: what to say for a different track that is spoken the same way."""
    for article in ("a ", "an "):
        if name.startswith(article):
            return f"another {name[len(article) :]}"
    return f"another version of {name}"


def _label_name(label: str, *, own_name: str, previous_title: str | None) -> str:
    """A recommender label ("Title by Artist") spoken, never the same words as the track's own name."""
    title, _, artist = label.rpartition(_LABEL_ARTIST) if _LABEL_ARTIST in label else (label, "", "")
    if previous_title is not None and title.strip() == previous_title.strip():
        return "the one before"
    name = spoken_title(title.strip(), artist.strip() or None)
    return another(name) if name.lower() == own_name.lower() else name


def spoken_reason(explanation: str, *, own_name: str, previous_title: str | None = None) -> str:
    """The recommender's reason as one short spoken sentence, or ``""`` when there is none.

    The recommender's explanations take a few fixed forms ("because you played X", "sounds like X",
    "tagged like X", "popular with listeners ...", "new to you: A", "you asked for it"); each gets a
    phrasing a host would use, naming X as it is spoken (see :func:`spoken_title`): "the one before"
    when X is the track just played (``previous_title``), "another ..." when X is spoken like the track
    itself (``own_name``).
    """
    text = " ".join(explanation.strip().rstrip(".").split())
    if not text:
        return ""
    lower = text.lower()
    for prefix, frame in (
        ("because you played ", "Because you played {name}."),
        ("sounds like ", "It sounds like {name}."),
        ("tagged like ", "It's in the style of {name}."),
    ):
        if lower.startswith(prefix):
            name = _label_name(text[len(prefix) :], own_name=own_name, previous_title=previous_title)
            return frame.format(name=name)
    if lower.startswith("new to you:"):
        artist = text.split(":", 1)[1].strip()
        return "Something new to you." if not artist or is_anonymous(artist) else f"New to you: {artist}."
    if lower == "you asked for it":
        return "You asked for this one."
    if lower.startswith("popular"):
        return f"{text[0].upper()}{text[1:]}."
    return f"Picked for you: {text[0].lower()}{text[1:]}."
