"""Host lines: one or two short sentences before a track, saying what the hand-over really changes.

Spotify DJ's listeners complain that the commentary is generic. Here the first sentence is chosen from
what changes between the outgoing and the incoming track (:class:`~dj.host.handover.Handover`: mood,
energy, tempo, key, same artist), so "keeping this mood going" is only said when the mood, energy and
tempo hold. The second sentence is the recommender's reason when it is news, else the next most salient
change. Several phrasings per situation, chosen by a seeded hash (the set's seed, so a re-run says the
same) and not reused within a set while others are left, keep it from sounding like a template. Lines
stay short because they are spoken over an intro, before the track's energy rises, and each comes in
several lengths (:attr:`HostLine.variants`) so the placement can take the longest that fits its gap.

A line never contradicts itself or the measurement: a calm mood is not "lifted", and when the energy
rises while the tempo falls the host names one of the two, not "a lift ... the pace eases off". A reason
is said only when it names a track, an artist or a request (:mod:`dj.host.spoken`), and never the same
one twice in a row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.moods import MOOD_WORDS
from dj.host.handover import Handover
from dj.host.spoken import another, reason_subject, spoken_artist, spoken_title

OPENERS = (
    "Hi, this is your Selecta DJ. We start with {title}{by}.",
    "Welcome in. First up, {title}{by}.",
    "Here's a set picked for you. Opening with {title}{by}.",
)
# The first sentence of a middle track's line, by the most salient change of the hand-over.
FAMILIES: dict[str, tuple[str, ...]] = {
    "mood_named": (
        "Something {mood} now: {title}{by}.",
        "A change of mood, to something {mood}: {title}{by}.",
        "Turning {mood} now with {title}{by}.",
    ),
    # When the spoken name already says the mood ("a calm acoustic piece"), the line does not repeat it.
    "mood": (
        "A change of mood now: {title}{by}.",
        "Changing the mood with {title}{by}.",
        "Time for a different mood: {title}{by}.",
    ),
    "energy_up": (
        "Turning it up a notch: {title}{by}.",
        "Next, something with more drive: {title}{by}.",
        "Let's lift the energy with {title}{by}.",
    ),
    "energy_down": (
        "Next, a calmer one: {title}{by}.",
        "Easing off a little now with {title}{by}.",
        "Time to breathe. Here's {title}{by}.",
    ),
    "tempo_up": (
        "Picking up the pace with {title}{by}.",
        "A little quicker now: {title}{by}.",
        "The tempo climbs with {title}{by}.",
    ),
    "tempo_down": (
        "Slowing the pace with {title}{by}.",
        "A little slower now: {title}{by}.",
        "Bringing the tempo down with {title}{by}.",
    ),
    "key": (
        "Into a new key with {title}{by}.",
        "A shift of key for {title}{by}.",
        "Changing key now: {title}{by}.",
    ),
    "artist": (
        "More from {artist}: {title}.",
        "{artist} again, with {title}.",
        "Staying with {artist}: {title}.",
    ),
    "hold": (
        "Staying in the groove with {title}{by}.",
        "Keeping this mood going with {title}{by}.",
        "More in the same vein: {title}{by}.",
    ),
    # Something changes, but nothing the host can name without contradicting the rest of the line.
    "plain": (
        "Next up, {title}{by}.",
        "Here comes {title}{by}.",
        "Now, {title}{by}.",
    ),
}
# The shortest line, for a short intro: the name alone, framed by where it falls in the set.
SHORT = {"opener": "First, {title}{by}.", "closer": "Last one: {title}{by}.", "middle": "Now, {title}{by}."}
CLOSERS = (
    "And to close the set, {move}: {title}{by}.",
    "Last one for now, {move}: {title}{by}.",
)
# How a closer names the hand-over it closes with.
MOVES = {
    "mood_named": "something {mood}",
    "mood": "a change of mood",
    "energy_up": "a lift in energy",
    "energy_down": "something calmer",
    "tempo_up": "a quicker one",
    "tempo_down": "a slower one",
    "key": "a change of key",
    "artist": "more from {artist}",
    "hold": "one more in this mood",
    "plain": "one more for you",
}
# The second sentence, for the next most salient change when there is no reason to pass on.
DETAILS = {
    "energy_up": "The energy rises.",
    "energy_down": "The energy comes down.",
    "tempo_up": "The pace picks up.",
    "tempo_down": "The pace eases off.",
    "key": "In a new key, too.",
    "artist": "{artist} again.",
}


SECONDS_PER_WORD = 0.3
SECONDS_PER_MARK = 0.55
MARGIN_S = 0.8
"""How long the bundled voice (hibari af_heart) takes over a host line: a least-squares fit on 38 lines
of these templates (0.29 s a word, 0.52 s a punctuation pause, residual s.d. 0.39 s), rounded up, plus a
margin of about the largest residual, so an estimate errs long and a line chosen by it fits."""
LOW_MOODS = frozenset({"calm", "sad", "tender", "dreamy", "focus", "romantic"})
HIGH_MOODS = frozenset({"energetic", "angry", "happy"})
RISING = frozenset({"energy_up", "tempo_up"})
FALLING = frozenset({"energy_down", "tempo_down"})


def estimate_s(text: str) -> float:
    """About how long the voice takes to say ``text``, erring long (see :data:`MARGIN_S`)."""
    marks = sum(text.count(c) for c in ".,:;!?")
    return MARGIN_S + SECONDS_PER_WORD * len(text.split()) + SECONDS_PER_MARK * marks


@dataclass(frozen=True, kw_only=True)
class HostLine:
    """What the host says before track ``index``, the template family it came from, the changes of
    the hand-over (as measured, and those the line names) and the line in shorter forms."""

    index: int
    track_id: str
    text: str
    family: str
    template: str
    reason: str = ""
    reason_subject: str = ""
    changes: tuple[str, ...] = ()
    said_changes: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    """The line from longest to shortest; ``text`` is one of them."""

    def fitting(self, max_s: float) -> str | None:
        """The longest variant the voice can say within ``max_s`` seconds, None when none fits."""
        return next((v for v in self.variants or (self.text,) if estimate_s(v) <= max_s), None)


def _pick(options: Sequence[str], *, seed: str, avoid: Collection[str], last: str | None = None) -> str:
    """A seeded choice among ``options``: one not in ``avoid`` while there is one, and never ``last``
    (the line just before) when there is any other."""
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    ordered = [options[(start + k) % len(options)] for k in range(len(options))]
    fresh = [o for o in ordered if o not in avoid and o != last]
    return (fresh or [o for o in ordered if o != last] or ordered)[0]


def _moods(*texts: str | None) -> set[str]:
    """The moods named by the incoming track's mood and the words of its spoken name."""
    words = {w.strip(".,").lower() for t in texts if t for w in t.split()}
    return {MOOD_WORDS[w] for w in words if w in MOOD_WORDS}


def said_changes(changes: Sequence[str], *, mood: str | None, name: str) -> tuple[str, ...]:
    """The measured ``changes`` a line may name without contradicting itself: none that pulls against
    the mood it names (a calm or sad track is not a lift, an energetic one not a calming), and, of an
    energy and a tempo change in opposite directions, only the first (more salient) one."""
    moods = _moods(mood, name)
    low, high = bool(moods & LOW_MOODS), bool(moods & HIGH_MOODS)
    kept: list[str] = []
    for change in changes:
        if (change in RISING and low and not high) or (change in FALLING and high and not low):
            continue
        if (change in RISING and FALLING & set(kept)) or (change in FALLING and RISING & set(kept)):
            continue
        kept.append(change)
    return tuple(kept)


def _family(changes: tuple[str, ...], said: tuple[str, ...], *, mood: str | None, name: str) -> str:
    if not changes:
        return "hold"
    if not said:
        return "plain"
    if said[0] == "mood":
        return "mood" if mood is None or mood.lower() in name.lower().split() else "mood_named"
    return said[0]


def _variants(*texts: str) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        text = " ".join(text.split())
        text = text[0].upper() + text[1:]
        if text not in out:
            out.append(text)
    return tuple(sorted(out, key=len, reverse=True))


def write_line(
    *,
    index: int,
    n_tracks: int,
    track_id: str,
    title: str,
    artist: str | None,
    handover: Handover | None = None,
    explanation: str = "",
    previous: HostLine | None = None,
    used: Collection[str] = (),
    seed: str = "",
    max_s: float | None = None,
) -> HostLine:
    """One host line for track ``index`` of ``n_tracks`` after the ``handover`` into it.

    ``previous`` is the line before (its template and reason are not repeated), ``used`` the templates
    said earlier in the set (avoided while other phrasings are left), ``seed`` the set's seed. With
    ``max_s`` the line's ``text`` is the longest variant estimated to fit that many seconds (the
    shortest when none does); without it, the full line.
    """
    handover = handover or Handover()
    own = spoken_title(title, artist) if title != track_id else ""
    name = own or "this one"
    previous_title = handover.title_from if index > 0 else None
    same_name = bool(own and previous_title and spoken_title(previous_title, handover.artist_from) == own)
    if same_name and spoken_artist(handover.artist_from) == spoken_artist(artist):
        name = another(own)  # the same description twice in a row: "another happy acoustic piece"
    changes = handover.changes if index > 0 else ()
    said = said_changes(changes, mood=handover.mood_to, name=name)
    family = _family(changes, said, mood=handover.mood_to, name=name)
    options: tuple[str, ...]
    position = "middle"
    if index == 0:
        family, options, position = "opener", OPENERS, "opener"
    elif index == n_tracks - 1:
        options, position = CLOSERS, "closer"
    else:
        options = FAMILIES[family]
    last = previous.template if previous else None
    template = _pick(options, seed=f"{seed}:{track_id}:{index}", avoid=set(used), last=last)
    named_artist = spoken_artist(artist)
    values = {
        "title": name,
        "by": f" by {named_artist}" if named_artist and family != "artist" else "",
        "artist": named_artist or "",
        "mood": handover.mood_to or "",
    }
    values["move"] = MOVES.get(family, "").format(**values)
    first = template.format(**values)
    # One more sentence at most, so the line fits a short intro: the reason when it is news, else the
    # next change the first sentence did not name.
    reason, subject = reason_subject(explanation, own_name=own or name, previous_title=previous_title)
    if previous is not None and reason and (subject == previous.reason_subject or reason == previous.reason):
        reason, subject = "", ""
    rest = [c for c in said[1:] if c in DETAILS]
    second = reason or (DETAILS[rest[0]].format(**values) if rest else "")
    short = SHORT[position].format(**values)
    variants = _variants(f"{first} {second}", first, short)
    text = variants[0]
    if max_s is not None:
        text = next((v for v in variants if estimate_s(v) <= max_s), variants[-1])
    return HostLine(
        index=index,
        track_id=track_id,
        text=text,
        family="closer" if index and index == n_tracks - 1 else family,
        template=template,
        reason=reason if reason and reason in text else "",
        reason_subject=subject if reason and reason in text else "",
        changes=changes,
        said_changes=said,
        variants=variants,
    )
