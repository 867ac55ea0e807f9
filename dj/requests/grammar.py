"""The hand grammar that understood requests before the learned parser: the benchmark's reference.

It reads the project's own phrasings perfectly and real people's poorly (issue 14), so requests are now
understood by :mod:`dj.requests.intents`; its DJ-control rules still serve as features there. Its design:
a small grammar, not a model: requests to a DJ are short imperatives from a narrow set ("skip", "something
calmer", "play Daft Punk"), and rules give known answers, explainable mistakes and no model to ship.
Rules are tried in a fixed order (questions and comparatives before the generic "play ..."); what a
"play" request names is split into era, mood, novelty, genre and catalogue entities, and entity names are
resolved against the catalogue (see ``entities``) so transcription errors still find the artist.
"""

from __future__ import annotations

import re

from core.moods import MOOD_WORDS
from core.names import normalize_name
from dj.requests.entities import CatalogIndex
from dj.requests.lexicon import (
    DECADE_RE,
    DECADE_WORDS,
    FILLER,
    GENERIC_OBJECTS,
    GENRE_PHRASES,
    GENRES,
    YEAR_RE,
    decade_value,
)
from dj.requests.parsed import INTENT_KINDS, Intent, IntentKind, Slot, checked_text

__all__ = ["GRAMMAR_KINDS", "GrammarParser", "clean", "rule_kind"]

GRAMMAR_KINDS: tuple[IntentKind, ...] = tuple(k for k in INTENT_KINDS if k != "add_to_playlist")
"""The kinds the grammar can give (it predates add-to-playlist)."""

_LEAD = re.compile(
    r"^(?:(?:hey|hi|ok|okay|yo|so|um|uh|and|dj|selecta|please|now|alright|right)\s+)+"
    r"|^(?:(?:can|could|would|will) (?:you|we|i)(?: please)?|let's|let us|i want to|i wanna|i'd like to|"
    r"i would like to|i'd love to|i would love to|i need to|go ahead and|why don't you|time to)\s+"
)
_TRAIL = re.compile(r"\s+(?:please|now|thanks|thank you|dj|right now|next|okay|ok)$")

_THIS = r"(?:this|that|it|the current one|this one|that one|the current song|this song|this track|the song)"
_RULE_PATTERNS: tuple[tuple[IntentKind, str], ...] = (
    (
        "why",
        r"\bwhy\b|\bhow come\b|\bwhat made you (?:pick|choose|play)|\bexplain\b|"
        r"\breason (?:for|behind|you)\b|\bwhat's the reason\b",
    ),
    (
        "more_like_this",
        rf"\bmore like {_THIS}|\b(?:something|songs?|tracks?|more|stuff|anything|music) "
        rf"(?:similar to|like) {_THIS}\b|\bsimilar (?:songs?|tracks?|stuff|music|vibes?)\b|"
        rf"\bmore of (?:this|that|the same|these)\b|\bsame (?:vibe|style|kind|feel|mood|energy)|"
        rf"\bkeep (?:this|that|the|it) (?:vibe|going|mood|up|rolling)|\bin the same vein\b|"
        rf"\bmore (?:songs?|tracks?|stuff) like (?:this|that)\b|^another one like",
    ),
    (
        "tempo_up",
        r"\bfaster\b|\bspeed (?:it |things |the tempo )?up\b|\bquicker\b|"
        r"\b(?:higher|more|increase the|up the|raise the) (?:bpm|tempo)\b|"
        r"\bpick up the (?:pace|tempo)\b|\btoo slow\b",
    ),
    (
        "tempo_down",
        r"\bslower\b|\bslow (?:it |things |the tempo |the pace )?down\b|"
        r"\b(?:lower|less|decrease|drop|reduce) (?:the )?(?:bpm|tempo)\b|\btoo fast\b",
    ),
    (
        "energy_down",
        r"\b(?:calmer|mellower|softer|quieter|chiller|gentler|more relaxed|more relaxing|"
        r"more chill|more mellow|less energetic|less intense|less energy|less loud|"
        r"lower energy|less hectic|less aggressive|more laid back|lower-energy)\b|"
        r"\b(?:tone|bring|take|calm|cool|wind|settle) (?:it |things |everything |the energy )?down\b|"
        r"\bchill (?:out|it out)\b|\btoo (?:loud|intense|much|hectic|energetic|aggressive|busy)\b|"
        r"^(?:relax|chill|mellow out)(?: a bit| a little)?$",
    ),
    (
        "energy_up",
        r"\b(?:more energetic|more energy|more upbeat|livelier|more lively|harder|heavier|"
        r"more intense|higher energy|more hype|more exciting|more danceable|more power)\b|"
        r"\b(?:pump|crank|kick|step|amp|turn|liven|heat|fire|rev) (?:it|things|this|the energy)"
        r"(?: up| up a notch| a notch)\b|\b(?:pump|liven|heat|wake) (?:me |us )?up\b|"
        r"\btoo (?:calm|sleepy|mellow|quiet|boring|slow-paced|soft)\b|\bget (?:me|us) moving\b|"
        r"\bup the energy\b|\braise the energy\b|\bbring (?:the|some) energy(?! down)\b|\benergy up\b",
    ),
    (
        "dislike",
        rf"\b(?:do not|don't|dont|really don't|didn't) (?:like|love|want|enjoy|dig) {_THIS}|"
        rf"\bhate {_THIS}|\bthumbs? down\b|\bdislike\b|\bnot (?:a fan|into (?:this|it))\b|"
        rf"\b{_THIS} (?:is|sounds|was) (?:awful|terrible|bad|horrible|annoying|rubbish|garbage|trash|"
        rf"boring|lame|the worst)\b|\b(?:never|don't ever|dont ever) play {_THIS}|"
        rf"\bban {_THIS}|\bnot for me\b|\bnot my (?:thing|style|taste|cup of tea)\b|\bugh\b|\byuck\b",
    ),
    (
        "like",
        rf"\b(?:love|like|dig|enjoy|adore) {_THIS}\b|\bthumbs? up\b|"
        rf"\b(?:great|awesome|amazing|nice|cool|good|excellent|perfect|lovely) "
        rf"(?:song|track|tune|pick|choice|one)\b|\b{_THIS} (?:is|sounds) (?:great|awesome|amazing|"
        rf"fire|a banger|so good|beautiful|brilliant|perfect|lovely|fantastic|good)\b|"
        rf"\bfavou?rite\b|\bsave {_THIS}\b|\badd {_THIS} to my\b|\bheart {_THIS}\b|\bbanger\b|"
        rf"\bi'm loving\b|\bi am loving\b|\bwhat a (?:song|tune|track)\b",
    ),
    (
        "skip",
        rf"^(?:skip|next)\b|\bskip\b|\bnext (?:song|track|one|tune)\b|\bplay the next\b|"
        rf"\bmove on\b|\bchange (?:the|this) (?:song|track|tune)\b|\bnot {_THIS}\b|"
        rf"\bgo to the next\b|\bget rid of {_THIS}|\bsomething else\b|\bdifferent song\b|"
        rf"\bjump ahead\b|\bpass on {_THIS}\b",
    ),
)
_RULES: tuple[tuple[IntentKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in _RULE_PATTERNS
)
_PLAY = re.compile(
    r"^(?:play(?: me| us)?|put on|hold on|throw on|queue(?: up)?|spin|give me|gimme|let me hear|let's hear|"
    r"i want to hear|hear|i want|i need|i'd like|how about|what about|start|bring on|bring me|hit me with|"
    r"can i get|can i have|can i hear|i'm in the mood for|i am in the mood for|in the mood for|"
    r"i feel like(?: listening to| hearing)?|got any|do you have|you got|listen to|switch to|change to|"
    r"go with|try|shuffle|some)\b\s*"
)
_NOVELTY = re.compile(
    r"\b(?:something|songs?|tracks?|music|stuff|anything|artists?)? ?(?:that )?(?:i|we|i've|we've|they|you) "
    r"(?:haven't|have not|havent|have never|never|didn't|did not|don't) "
    r"(?:heard|hear|listened to|know)(?: before| yet| of)?\b"
    r"|\bsomething (?:new|fresh|different)(?: to me)?\b|\bnew (?:music|stuff|songs|artists|tracks)\b"
    r"|\b(?:discover|discovery|fresh finds|surprise me|deep cuts?)\b"
)
_LATEST = re.compile(
    r"\b(?:the )?(?:latest|newest|new|most recent|last|recent) (?:album|record|lp|release) "
    r"(?:by|from|of) (?P<a>.+)$"
    r"|^(?P<b>.+?)(?:'s|s)? (?:latest|newest|new|most recent) (?:album|record|lp|release)$"
)
_ALBUM = re.compile(r"^(?:the )?(?:album|record|lp) (?P<album>.+?)(?: (?:by|from) (?P<artist>.+))?$")
_SIMILAR = re.compile(
    r"^(?:some|more)?\s*(?:something|songs?|tracks?|music|stuff|anything|artists?)?\s*"
    r"(?:like|similar to|in the style of|that sounds? like|sounding like|along the lines of) (?P<seed>.+)$"
)
_BY = re.compile(r"^(?P<what>.+?) (?:by|from) (?P<artist>.+)$")


def rule_kind(cleaned: str) -> str | None:
    """The DJ-control rule a :func:`clean` request matches ("calmer" -> energy_down), "play" for a play
    verb, or None: what the grammar would decide first, read by the learned classifier as a feature."""
    verb = _PLAY.match(cleaned)
    for kind, pattern in _RULES:
        if kind == "why" and verb is not None:
            continue
        if pattern.search(cleaned):
            return kind
    return "play" if verb is not None else None


def clean(text: str) -> str:
    """Lower case, typographic quotes straightened, punctuation other than ' & - dropped, polite lead-ins
    and wake words ("hey DJ, could you ...") removed: the form every rule is written against."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^\w'&\- ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" '-")
    for word, decade in DECADE_WORDS.items():
        text = re.sub(rf"\b(?:the )?(?:nineteen |twenty )?{word}\b", decade, text)
    previous = None
    while previous != text:
        previous = text
        text = _LEAD.sub("", text).strip()
        text = _TRAIL.sub("", text).strip()
    return text


class GrammarParser:
    """Parse requests with the hand grammar (the learned :class:`dj.requests.intents.IntentParser`
    replaced it; it stays as the benchmark's reference). With a ``CatalogIndex`` names are resolved;
    without, they are extracted only."""

    def __init__(self, index: CatalogIndex | None = None) -> None:
        self.index = index

    def parse(self, text: str) -> Intent:
        """The request's intent and slots; anything that is not a request to the DJ is ``out_of_scope``."""
        said = checked_text(text)
        cleaned = clean(said)
        verb = _PLAY.match(cleaned)
        for kind, pattern in _RULES:
            if kind == "why" and verb is not None:
                continue  # "play Don't Know Why" names a song
            if pattern.search(cleaned):
                return Intent(kind=kind, text=said, confidence=0.95)
        obj = cleaned[verb.end() :] if verb else cleaned
        similar = _SIMILAR.match(obj)
        if similar:
            seed = tuple(self._entity_slot(similar.group("seed"), kind=None))
            confidence = min([0.95, *(s.confidence for s in seed)])
            return Intent(kind="more_like_this", text=said, slots=seed, confidence=round(confidence, 4))
        slots = self._play_slots(obj, strict=verb is None)
        if verb is None and not slots:
            return Intent(kind="out_of_scope", text=said, confidence=0.6)
        confidence = min([0.95, *(s.confidence for s in slots)])
        return Intent(kind="play", text=said, slots=tuple(slots), confidence=round(confidence, 4))

    def _play_slots(self, obj: str, *, strict: bool) -> list[Slot]:
        """Split what follows "play" into slots. ``strict``: no verb was heard, so an unknown name alone
        is not enough to call it a play request.

        First the forms that name what to play outright ("the latest by X", "the album Y by X", "Y by X"),
        then modifiers (new, an era, moods) and whatever name or genre is left."""
        for form in (self._latest_slots, self._album_slots, self._track_by_slots):
            named = form(obj)
            if named is not None:
                return named
        generic_by = _by_artist(obj) is not None  # "something sad by Adele": modifiers, then the artist
        whole = _strip_filler(obj)
        obj, modifiers = _take_modifiers(obj)
        if generic_by:
            later = _BY.match(obj)
            return modifiers + self._entity_slot(later.group("artist") if later else "", kind="artist")
        return self._name_or_genre_slots(obj, whole=whole, modifiers=modifiers, strict=strict)

    def _name_or_genre_slots(
        self, obj: str, *, whole: str, modifiers: list[Slot], strict: bool
    ) -> list[Slot]:
        """What is left after the modifiers: a genre or a name. ``whole`` is the phrase before the
        modifiers were taken out, for a title with a mood word in it ("Sweet Dreams")."""
        rest = _strip_filler(obj)
        if modifiers and rest and self.index is not None:
            # The whole name wins when the catalogue has it.
            named = self.index.resolve_any(whole)
            if named.available and named.confidence >= 0.9:
                return self._entity_slot(whole, kind=named.kind)
        if not rest:
            return modifiers
        genre = self._genre(rest)
        if genre is not None:
            return [*modifiers, genre]
        if strict and not modifiers:
            # No verb: only a name the catalogue knows makes this a request ("Daft Punk!").
            return [s for s in self._entity_slot(rest, kind=None) if s.available]
        return [*modifiers, *self._entity_slot(rest, kind=None)]

    def _latest_slots(self, obj: str) -> list[Slot] | None:
        """ "the latest album by Adele": recency and the artist."""
        latest = _LATEST.search(obj)
        if not latest:
            return None
        artist = (latest.group("a") or latest.group("b")).strip()
        recency = Slot(name="recency", raw=latest.group(0).split(" by ")[0], value="latest")
        return [recency, *self._entity_slot(artist, kind="artist")]

    def _album_slots(self, obj: str) -> list[Slot] | None:
        """ "the album Discovery by Daft Punk": the album, narrowed by its artist, and the artist."""
        album = _ALBUM.match(obj)
        if not album:
            return None
        slots = self._entity_slot(album.group("album"), kind="album", artist=album.group("artist"))
        if album.group("artist"):
            slots.extend(self._entity_slot(album.group("artist"), kind="artist"))
        return slots

    def _track_by_slots(self, obj: str) -> list[Slot] | None:
        """ "Get Lucky by Daft Punk": the track, narrowed by its artist, and the artist. Not "something
        by X" (a generic object) nor "rock from the 70s" (an era, not an artist)."""
        by = _by_artist(obj)
        if by is None or by.group("what").split()[0] in GENERIC_OBJECTS:
            return None
        what, artist = by.group("what").strip(), by.group("artist").strip()
        return [
            *self._entity_slot(_strip_filler(what), kind="track", artist=artist),
            *self._entity_slot(artist, kind="artist"),
        ]

    def _genre(self, phrase: str) -> Slot | None:
        norm = normalize_name(phrase)
        tag = self.index.tag(phrase) if self.index is not None else None
        if (
            tag is not None
            and self.index is not None
            and not self.index.resolve(phrase, kind="artist").available
        ):
            return Slot(name="genre", raw=phrase, value=normalize_name(tag.name), entity=tag)
        if norm in GENRE_PHRASES or phrase in GENRES or norm in GENRES or norm.replace(" ", "-") in GENRES:
            return Slot(name="genre", raw=phrase, value=norm, available=tag is not None or self.index is None)
        return None

    def _entity_slot(self, phrase: str, *, kind: str | None, artist: str | None = None) -> list[Slot]:
        phrase = phrase.strip(" '")
        if not phrase:
            return []
        if self.index is None:
            return [Slot(name=kind or "artist", raw=phrase, value=phrase, confidence=0.5, available=False)]  # type: ignore[arg-type]
        if kind is None:
            res = self.index.resolve_any(phrase)
        else:
            res = self.index.resolve(phrase, kind=kind, artist=artist)  # type: ignore[arg-type]
        name = res.kind if res.available else (kind or "artist")
        value = res.entity.name if res.entity is not None else phrase
        return [
            Slot(
                name=name,  # type: ignore[arg-type]
                raw=phrase,
                value=value,
                confidence=round(res.confidence, 4),
                entity=res.entity,
                available=res.available,
                alternatives=res.alternatives,
            )
        ]


def _take_novelty(obj: str) -> tuple[str, list[Slot]]:
    match = _NOVELTY.search(obj)
    if not match:
        return obj, []
    return _cut(obj, match.start(), match.end()), [
        Slot(name="novelty", raw=match.group(0).strip(), value="unheard")
    ]


def _take_era(obj: str) -> tuple[str, list[Slot]]:
    year = YEAR_RE.search(obj)
    if year:
        value = year.group(1) or year.group(2)
        start = year.start(1) if year.group(1) else year.start(2)
        end = year.end(1) if year.group(1) else year.end(2)
        return _cut(obj, year.start(), end), [Slot(name="era", raw=obj[start:end], value=value)]
    for match in DECADE_RE.finditer(obj):
        value = decade_value(match.group(1))
        if value is not None:
            return _cut(obj, match.start(), match.end()), [Slot(name="era", raw=match.group(0), value=value)]
    return obj, []


def _take_moods(obj: str) -> tuple[str, list[Slot]]:
    slots: list[Slot] = []
    for word in sorted(MOOD_WORDS, key=len, reverse=True):
        match = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", obj)
        if match and not any(s.value == MOOD_WORDS[word] for s in slots):
            slots.append(Slot(name="mood", raw=word, value=MOOD_WORDS[word]))
            obj = _cut(obj, match.start(), match.end())
    return obj, slots


def _cut(text: str, start: int, end: int) -> str:
    return re.sub(r"\s+", " ", f"{text[:start]} {text[end:]}").strip()


_DANGLING = frozenset({"from", "in", "of", "by", "the", "and", "with", "to"})


def _strip_filler(phrase: str) -> str:
    """Drop filler words at both ends ("some good music" -> "", "some daft punk" -> "daft punk")."""
    words = phrase.split()
    while words and words[0] in FILLER:
        words.pop(0)
    while words and (words[-1] in FILLER or words[-1] in GENERIC_OBJECTS or words[-1] in _DANGLING):
        words.pop()
    return " ".join(words).strip(" '")


def _by_artist(obj: str) -> re.Match[str] | None:
    """ "X by Y" where Y is more than an era ("rock from the 70s" is an era, not an artist)."""
    by = _BY.match(obj)
    if by and not _strip_filler(_take_era(by.group("artist"))[0]):
        return None
    return by


def _take_modifiers(obj: str) -> tuple[str, list[Slot]]:
    """Take novelty ("new"), era and mood words out of ``obj``: what is left, and their slots."""
    slots: list[Slot] = []
    for take in (_take_novelty, _take_era, _take_moods):
        obj, found = take(obj)
        slots.extend(found)
    return obj, slots
