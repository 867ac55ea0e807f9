"""Host lines: one or two short sentences before a track, saying what the hand-over really changes.

Spotify DJ's listeners complain that the commentary is generic. Here the first sentence is chosen from
what changes between the outgoing and the incoming track (:class:`~dj.host.handover.Handover`: mood,
energy, tempo, key, same artist), so "keeping this mood going" is only said when the mood, energy and
tempo hold. The second sentence is the recommender's reason when it is news, else the next most salient
change. Several phrasings per situation, chosen by a seeded hash (the set's seed, so a re-run says the
same) and not reused within a set while others are left, keep it from sounding like a template. Lines
stay short because they are spoken over an intro, before the track's energy rises.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from dj.host.handover import Handover
from dj.host.spoken import another, is_anonymous, spoken_reason, spoken_title

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
}
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


@dataclass(frozen=True, kw_only=True)
class HostLine:
    """What the host says before track ``index``, the template family it came from and the changes of
    the hand-over it describes."""

    index: int
    track_id: str
    text: str
    family: str
    template: str
    reason: str = ""
    changes: tuple[str, ...] = ()


def _pick(options: Sequence[str], *, seed: str, avoid: Collection[str]) -> str:
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    for k in range(len(options)):
        choice = options[(start + k) % len(options)]
        if choice not in avoid:
            return choice
    return options[start]


def _family(changes: tuple[str, ...], *, mood: str | None, name: str) -> str:
    if not changes:
        return "hold"
    if changes[0] == "mood":
        return "mood" if mood is None or mood.lower() in name.lower().split() else "mood_named"
    return changes[0]


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
) -> HostLine:
    """One host line for track ``index`` of ``n_tracks`` after the ``handover`` into it.

    ``previous`` is the line before (its template and reason are not repeated), ``used`` the templates
    said earlier in the set (avoided while other phrasings are left), ``seed`` the set's seed.
    """
    handover = handover or Handover()
    own = name = spoken_title(title, artist)
    previous_title = handover.title_from if index > 0 else None
    if previous_title and spoken_title(previous_title, handover.artist_from) == name:
        name = another(name)  # the same description twice in a row: "another happy acoustic piece"
    changes = handover.changes if index > 0 else ()
    family = _family(changes, mood=handover.mood_to, name=name)
    options: tuple[str, ...]
    if index == 0:
        family, options = "opener", OPENERS
    elif index == n_tracks - 1:
        options = CLOSERS
    else:
        options = FAMILIES[family]
    avoid = {*used, *([previous.template] if previous else [])}
    template = _pick(options, seed=f"{seed}:{track_id}:{index}", avoid=avoid)
    named_artist = artist if artist and not is_anonymous(artist) else None
    values = {
        "title": name,
        "by": f" by {named_artist}" if named_artist and family != "artist" else "",
        "artist": named_artist or "",
        "mood": handover.mood_to or "",
    }
    values["move"] = MOVES.get(family, "").format(**values)
    text = template.format(**values)
    # One more sentence at most, so the line fits a short intro: the reason when it is news, else the
    # next change the first sentence did not name.
    reason = spoken_reason(explanation, own_name=own, previous_title=previous_title)
    rest = [c for c in changes[1:] if c in DETAILS]
    if reason and (previous is None or previous.reason != reason):
        text += f" {reason}"
    elif rest:
        text += " " + DETAILS[rest[0]].format(**values)
    text = " ".join(text.split())
    return HostLine(
        index=index,
        track_id=track_id,
        text=text[0].upper() + text[1:],
        family="closer" if index and index == n_tracks - 1 else family,
        template=template,
        reason=reason,
        changes=changes,
    )


SHORT_LINES = ("First up: {title}{by}.", "Next: {title}{by}.", "And last: {title}{by}.")


def short_line(*, index: int, n_tracks: int, title: str, artist: str | None) -> str:
    """The fewest words that still introduce a track, said when its full line fits no window."""
    named = artist if artist and not is_anonymous(artist) else None
    which = 0 if index == 0 else 2 if index == n_tracks - 1 else 1
    text = SHORT_LINES[which].format(title=spoken_title(title, artist), by=f" by {named}" if named else "")
    return text[0].upper() + text[1:]
