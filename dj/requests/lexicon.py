"""Words the request parser knows: genres, decades, filler; moods come from :mod:`core.moods`.

Kept apart from the grammar so the vocabulary can grow without touching the rules.
"""

from __future__ import annotations

import re

GENRES: frozenset[str] = frozenset(
    [
        "rock",
        "pop",
        "jazz",
        "blues",
        "hip-hop",
        "rap",
        "r&b",
        "rnb",
        "soul",
        "funk",
        "disco",
        "house",
        "techno",
        "trance",
        "dnb",
        "dubstep",
        "classical",
        "country",
        "folk",
        "metal",
        "punk",
        "indie",
        "electronic",
        "electronica",
        "electro",
        "synthpop",
        "synth-pop",
        "reggae",
        "latin",
        "k-pop",
        "kpop",
        "edm",
        "lo-fi",
        "lofi",
        "grunge",
        "acoustic",
        "piano",
        "instrumental",
        "soundtrack",
        "alternative",
        "emo",
        "gospel",
        "opera",
        "ska",
        "trip-hop",
        "lounge",
        "salsa",
        "afrobeat",
        "singer-songwriter",
        "dance",
        "garage",
        "grime",
        "britpop",
        "shoegaze",
        "post-rock",
        "psychedelic",
        "industrial",
        "goth",
        "gothic",
        "eurodance",
        "vaporwave",
        "synthwave",
        "trap",
        "drill",
        "chillwave",
        "downtempo",
        "breakbeat",
        "jungle",
        "hardcore",
        "post-punk",
        "j-pop",
        "j-rock",
        "motown",
        "swing",
        "bebop",
        "fusion",
        "electropop",
        "europop",
        "bluegrass",
        "americana",
        "ambient",
    ]
)
"""Single-word genres; multi-word genres are in GENRE_PHRASES (a token list would split them)."""

GENRE_PHRASES: frozenset[str] = frozenset(
    {
        "hip hop",
        "drum and bass",
        "synth pop",
        "new wave",
        "trip hop",
        "bossa nova",
        "progressive rock",
        "hard rock",
        "heavy metal",
        "death metal",
        "new age",
        "italo disco",
        "french house",
        "indie rock",
        "indie pop",
        "classic rock",
        "alternative rock",
        "punk rock",
        "pop punk",
        "soft rock",
        "dream pop",
        "deep house",
        "big beat",
        "black metal",
        "thrash metal",
        "nu metal",
        "symphonic metal",
        "power metal",
        "visual kei",
        "doo wop",
        "big band",
        "smooth jazz",
        "dance pop",
        "teen pop",
        "easy listening",
        "singer songwriter",
        "post rock",
        "post punk",
        "electro pop",
        "lo fi",
        "k pop",
        "j pop",
        "r and b",
        "rhythm and blues",
        "film score",
        "video game music",
    }
)

DECADE_WORDS: dict[str, str] = {
    "fifties": "1950s",
    "sixties": "1960s",
    "seventies": "1970s",
    "eighties": "1980s",
    "nineties": "1990s",
    "noughties": "2000s",
    "two thousands": "2000s",
    "twenty tens": "2010s",
    "tens": "2010s",
    "twenties": "2020s",
}

DECADE_RE = re.compile(r"(?<![\w])(?:(?:from|in|of)\s+)?(?:the\s+)?'?((?:19|20)?[0-9]0)(?:'?s)?(?![\w])")
YEAR_RE = re.compile(r"(?:from|in|of)\s+((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s+(?:songs|music|hits|tracks)\b")

FILLER = frozenset(
    [
        "some",
        "a",
        "an",
        "any",
        "of",
        "bit",
        "little",
        "more",
        "music",
        "songs",
        "song",
        "tracks",
        "track",
        "stuff",
        "tunes",
        "tune",
        "something",
        "anything",
        "me",
        "us",
        "for",
        "with",
        "vibes",
        "vibe",
        "hits",
        "jams",
        "bangers",
        "kind",
        "sort",
        "type",
        "style",
        "genre",
        "please",
        "now",
        "tonight",
        "today",
        "instead",
        "maybe",
        "just",
        "really",
        "good",
        "great",
        "nice",
        "few",
        "couple",
        "bunch",
        "lot",
        "lots",
    ]
)
"""Words that carry no slot value in "play me some good music"."""

GENERIC_OBJECTS = frozenset(
    [
        "something",
        "anything",
        "stuff",
        "music",
        "songs",
        "song",
        "tracks",
        "track",
        "tunes",
        "hits",
        "some",
        "a",
        "few",
        "a",
        "song",
        "a",
        "track",
        "everything",
        "whatever",
    ]
)


def decade_value(number: str) -> str | None:
    """'80' -> '1980s', '1990' -> '1990s', '20' -> '2020s', '2010' -> '2010s'."""
    n = int(number)
    if n >= 1900:
        return f"{n}s" if n % 10 == 0 else None
    if n in (50, 60, 70, 80, 90):
        return f"19{n}s"
    if n in (0, 10, 20):
        return f"20{n:02d}s"
    return None


def era_range(value: str) -> tuple[int, int]:
    """'1980s' -> (1980, 1989); '2007' -> (2007, 2007)."""
    if value.endswith("s"):
        start = int(value[:-1])
        return start, start + 9
    year = int(value)
    return year, year


SERVICES: frozenset[str] = frozenset(
    {
        "spotify", "youtube", "youtube music", "itunes", "apple music", "deezer", "pandora", "tidal",
        "soundcloud", "last fm", "lastfm", "google music", "google play music", "amazon music", "napster",
        "iheart", "iheartradio", "groove shark", "grooveshark", "slacker", "vimeo", "netflix", "zvooq",
        "bandcamp", "shazam",
    }
)  # fmt: skip
"""Streaming services people name ("on youtube"): recognised so they are not taken for an artist, then
ignored, since Selecta plays its own catalogue."""

LATEST_WORDS: frozenset[str] = frozenset({"latest", "newest", "new", "most recent", "last", "recent"})
"""Sort words that mean the most recent release (the "recency" slot the effects pin an album for)."""


_OLDER_DECADES = {"thirties": "1930s", "forties": "1940s", "fourties": "1940s"}


def era_value(phrase: str) -> str | None:
    """ "eighties", "the 80s", "'90s", "1997", "nineteen eighties" -> "1980s"/"1997"; None otherwise."""
    text = phrase.lower().replace("'", "").strip()
    for word, decade in {**DECADE_WORDS, **_OLDER_DECADES}.items():
        if re.search(rf"\b{word}\b", text):
            return decade
    year = re.search(r"\b((?:19|20)\d\d)\b", text)
    if year:
        return year.group(1)
    tens = re.search(r"\b((?:19|20)?[0-9]0)s?\b", text)
    return decade_value(tens.group(1)) if tens else None
