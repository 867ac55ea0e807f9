"""Host lines: a sentence or two before a track, built from its metadata and the reason it was picked.

Spotify DJ's listeners complain that the commentary is generic; these lines name the track, say how the
energy moves and pass on the recommender's reason ("because you liked ..."). Several phrasings per
situation, chosen by a seeded hash and never the same one twice in a row, keep a set from sounding like
a template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

OPENERS = (
    "Hi, this is your Selecta DJ. We start with {title}{by}.",
    "Welcome in. First up, {title}{by}.",
    "Here's a set picked for you. Opening with {title}{by}.",
)
LIFT = (
    "Turning it up a notch: {title}{by}.",
    "Next, something with more drive. {title}{by}.",
    "Let's lift the energy with {title}{by}.",
)
EASE = (
    "Next, a calmer one. {title}{by}.",
    "Easing off a little now with {title}{by}.",
    "Time to breathe. Here's {title}{by}.",
)
HOLD = (
    "Staying in the groove with {title}{by}.",
    "Keeping this mood going. {title}{by}.",
    "More in the same vein: {title}{by}.",
)
CLOSERS = (
    "And to close the set, {title}{by}.",
    "Last one for now: {title}{by}.",
)


@dataclass(frozen=True, kw_only=True)
class HostLine:
    """What the host says before track ``index`` and which template family it came from."""

    index: int
    track_id: str
    text: str
    family: str
    template: str
    reason: str = ""


def _pick(options: Sequence[str], *, seed: str, avoid: str | None) -> str:
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    for k in range(len(options)):
        choice = options[(start + k) % len(options)]
        if choice != avoid:
            return choice
    return options[start]


def reason_clause(explanation: str) -> str:
    """The recommender's reason, short enough to say in an intro: the seed track without its artist."""
    text = explanation.strip().rstrip(".").split(" by ")[0]
    if not text:
        return ""
    if not text.lower().startswith("because"):
        text = f"picked for you: {text[0].lower()}{text[1:]}"
    return f" {text[0].upper()}{text[1:]}."


def write_line(
    *,
    index: int,
    n_tracks: int,
    track_id: str,
    title: str,
    artist: str | None,
    energy_delta: float,
    explanation: str = "",
    mood: str | None = None,
    previous: HostLine | None = None,
    previous_mood: str | None = None,
    seed: str = "",
) -> HostLine:
    """One host line for track ``index`` of ``n_tracks``, varied against the ``previous`` line: another
    template, the mood named only when it changes, the reason only when it is news."""
    if index == 0:
        family, options = "opener", OPENERS
    elif index == n_tracks - 1:
        family, options = "closer", CLOSERS
    elif energy_delta > 0.08:
        family, options = "lift", LIFT
    elif energy_delta < -0.08:
        family, options = "ease", EASE
    else:
        family, options = "hold", HOLD
    template = _pick(
        options, seed=f"{seed}:{track_id}:{index}", avoid=previous.template if previous else None
    )
    by = f" by {artist}" if artist and "ai-generated" not in artist.lower() else ""
    text = template.format(title=title, by=by)
    # One more sentence at most, so the line fits a short intro: the reason when it is news, else the
    # mood when it changes.
    reason = reason_clause(explanation)
    if reason and (previous is None or previous.reason != reason):
        text += reason
    elif mood and index > 0 and mood != previous_mood:
        text += f" Something {mood} now."
    return HostLine(
        index=index,
        track_id=track_id,
        text=" ".join(text.split()),
        family=family,
        template=template,
        reason=reason,
    )
