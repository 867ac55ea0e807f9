"""How the host says a track's name and the recommender's reason out loud.

A title written for a screen is not always sayable. The bundled demo tracks have no names, only
descriptions with a generation number ("Happy, acoustic (seed 411)"), and reading "seed four hundred
eleven" over every intro sounds like a database: a track whose artist marks it as AI-generated is spoken
as what its title describes ("a happy acoustic piece"). A catalogue filled from files can still hold a file
name, an id or a placeholder artist ("147793 setuniman sweet-waltz-0i-22mi.hq" by "Unknown artist"); the
host says the words of the name and never the id, the file suffix or the placeholder, and a name written
in capitals or backwards ("MACLEOD, KEVIN") as a name ("Kevin MacLeod"), because a voice spells out
capitals letter by letter.

A reason is worth saying only when it names something else the listener knows: a different track, an
artist, their own request. "It sounds like the one before" and "another nostalgic electronic piece" name
nothing, and "popular with listeners like you" fits every track, so those are not said.
"""

from __future__ import annotations

import re

_NUMBERING = re.compile(r"\s*(?:\(seed\s*\d+\)|#\s*\d+)\s*$", re.IGNORECASE)
_LABEL_ARTIST = " by "
_FILE_SUFFIX = re.compile(r"(\.(hq|lq|mp3|ogg|oga|opus|flac|wav|m4a|aac|wma))+$", re.IGNORECASE)
_ID = re.compile(r"^(?:\d{5,}|[0-9a-f]{12,}|[a-z]+:[0-9a-z]{8,})$", re.IGNORECASE)
_CODE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]+$", re.IGNORECASE)
"""A trailing word of letters and digits ("0i", "22mi"): a file's version code, not a word."""
_PLACEHOLDERS = frozenset(
    {
        "unknown",
        "unknown artist",
        "[unknown]",
        "<unknown>",
        "various",
        "various artists",
        "n/a",
        "none",
        "artist",
        "untitled",
        "no artist",
        "-",
    }
)
_ABBREVIATIONS = (
    (re.compile(r"\bNo\.\s*(?=\d)", re.IGNORECASE), "Number "),
    (re.compile(r"\bOp\.\s*(?=\d)", re.IGNORECASE), "Opus "),
    (re.compile(r"\bVol\.\s*(?=\d)", re.IGNORECASE), "Volume "),
    (re.compile(r"\bPt\.\s*(?=\d)", re.IGNORECASE), "Part "),
    (re.compile(r"\b(?:feat|ft)\.\s*", re.IGNORECASE), "featuring "),
)
"""Abbreviations a voice reads as the end of a sentence ("Dance No. 5" is heard "Dance now. Five")."""
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"})


def is_anonymous(artist: str | None) -> bool:
    """True for a generated track whose "artist" is a source, not a person the host should name."""
    return artist is not None and "ai-generated" in artist.lower()


def _name_case(word: str, *, first: bool) -> str:
    """One word of a name in capitals or small letters, as a name is written ("mcleod" -> "McLeod")."""
    lower = word.lower()
    if "." in lower.rstrip("."):  # "u.s." -> "U.S.": an abbreviation, said letter by letter anyway
        return word.upper()
    if lower in _SMALL_WORDS and not first:
        return lower
    for prefix in ("mc", "mac"):
        if (
            lower.startswith(prefix)
            and len(lower) > len(prefix) + 2
            and (prefix == "mc" or lower[3] not in "aeiouyhk")
        ):
            return prefix.capitalize() + lower[len(prefix) :].capitalize()
    return lower[:1].upper() + lower[1:]


def spoken_name(text: str | None) -> str:
    """A title or artist as a host says it, ``""`` when nothing sayable is left.

    Drops what only a file carries (extensions, ".hq", underscores, ids of five or more digits, trailing
    version codes such as "0i 22mi"); turns "Last, First" around; writes a name in capitals or all in
    small letters with capitals where a name has them (a voice reads "KEVIN" letter by letter); says
    "&" as "and" and "No. 5" as "Number 5". A placeholder ("Unknown artist", "Various artists") or a
    bare id says nothing.
    """
    text = " ".join((text or "").replace("_", " ").split())
    text = _FILE_SUFFIX.sub("", text).strip(" -.")
    # "sweet-waltz-0i-22mi", "battle-epic": a file name's words (a name in capitals keeps "Jay-Z").
    text = " ".join(w.replace("-", " ") if w.count("-") >= 2 or text.islower() else w for w in text.split())
    if text.lower() in _PLACEHOLDERS or _ID.match(text):
        return ""
    words = [w for w in text.split() if not _ID.match(w)]
    while len(words) > 1 and _CODE.match(words[-1]):
        words.pop()
    text = " ".join(words)
    last, comma, given = text.partition(", ")
    if comma and len(last.split()) == 1 and len(given.split()) == 1 and given.isalpha() and last.isalpha():
        text = f"{given} {last}"
    letters = [c for c in text if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters) and (len(letters) > 4 or " " in text)
    if all_caps or (letters and all(c.islower() for c in letters)):
        text = " ".join(_name_case(w, first=not k) for k, w in enumerate(text.split()))
    text = re.sub(r"\s*&\s*", " and ", text)
    for pattern, spelled in _ABBREVIATIONS:
        text = pattern.sub(spelled, text)
    return "" if text.lower() in _PLACEHOLDERS else text


def spoken_artist(artist: str | None) -> str | None:
    """The artist to name, or None: a generated track's source, a placeholder and an id are not names."""
    if artist is None or is_anonymous(artist):
        return None
    return spoken_name(artist) or None


def spoken_title(title: str, artist: str | None) -> str:
    """The name to say: a real title made sayable (:func:`spoken_name`, ``""`` when only an id or a
    file code is left); a generated track's descriptive title as a noun phrase without its generation
    number (``"Happy, acoustic (seed 411)"`` -> ``"a happy acoustic piece"``)."""
    title = " ".join(title.split())
    if not is_anonymous(artist):
        return spoken_name(title)
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
    """The track a recommender label ("Title by Artist") names, spoken; ``""`` when saying it would
    name nothing the listener can tell apart: this track, the one just played, a generated track (its
    name is only a description), or a name spoken like this track's own."""
    title, _, artist = label.rpartition(_LABEL_ARTIST) if _LABEL_ARTIST in label else (label, "", "")
    title, artist = title.strip(), artist.strip()
    if previous_title is not None and title == " ".join(previous_title.split()):
        return ""
    if is_anonymous(artist):
        return ""
    name = spoken_title(title, artist or None)
    return "" if not name or name.lower() == own_name.lower() else name


def reason_subject(explanation: str, *, own_name: str, previous_title: str | None = None) -> tuple[str, str]:
    """The recommender's reason as one short spoken sentence and what it names (a track, an artist or
    "request"), both ``""`` when it names nothing worth saying (see the module docstring).

    The explanations take a few fixed forms ("because you played X", "sounds like X", "tagged like X",
    "popular with listeners ...", "new to you: A", "you asked for it").
    """
    text = " ".join(explanation.strip().rstrip(".").split())
    lower = text.lower()
    for prefix, frame in (
        ("because you played ", "Because you played {name}."),
        ("sounds like ", "It sounds like {name}."),
        ("tagged like ", "It's in the style of {name}."),
    ):
        if lower.startswith(prefix):
            name = _label_name(text[len(prefix) :], own_name=own_name, previous_title=previous_title)
            return (frame.format(name=name), name.lower()) if name else ("", "")
    if lower.startswith("new to you:"):
        artist = spoken_artist(text.split(":", 1)[1].strip())
        return (f"New to you: {artist}.", artist.lower()) if artist else ("", "")
    if lower == "you asked for it":
        return "You asked for this one.", "request"
    return "", ""


def spoken_reason(explanation: str, *, own_name: str, previous_title: str | None = None) -> str:
    """The reason sentence alone (see :func:`reason_subject`)."""
    return reason_subject(explanation, own_name=own_name, previous_title=previous_title)[0]
