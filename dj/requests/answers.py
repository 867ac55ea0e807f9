"""What the DJ says back to a request: short, varied, honest lines in its own voice.

Lines are chosen by a seed (the request text) rather than at random, so the same request gets the same
answer in tests and in the TTS cache, while different requests sound less canned.
"""

from __future__ import annotations

import hashlib

LINES: dict[str, tuple[str, ...]] = {
    "energy_down": (
        "Sure, something calmer coming up.",
        "Taking it down a notch for you.",
        "Got it, easing off. Calmer tracks next.",
    ),
    "energy_up": (
        "Let's lift the energy.",
        "You got it, turning it up a notch.",
        "More energy coming right up.",
    ),
    "tempo_up": ("Picking up the pace.", "Faster tracks coming up.", "Sure, let's speed things up."),
    "tempo_down": ("Slowing things down.", "Easing the tempo for you.", "Sure, slower tracks next."),
    "skip": ("Skipping that one.", "Moving on.", "Next track, coming up."),
    "like": (
        "Glad you like it. I'll remember that.",
        "Noted, more of that sound later.",
        "Great pick, saved.",
    ),
    "dislike": (
        "Fair enough, I'll steer clear of that.",
        "Noted. Skipping it, and less like it.",
        "Got it, not your thing.",
    ),
    "more_like_this": (
        "More like this, coming up.",
        "Staying in this lane for a while.",
        "You got it, similar tracks next.",
    ),
    "more_like_seed": (
        "Here's a run of tracks in the spirit of {name}.",
        "Going for a {name} kind of sound.",
    ),
    "play": ("Coming up: {what}.", "Sure, here's {what}.", "You got it. {what}, next."),
    "play_generic": ("Sure, I'll pick something for you.", "Coming right up."),
    "novelty": ("Let's find you something new.", "Here's something you haven't heard yet."),
    "unavailable": (
        "I don't have {name} in the catalogue.",
        "Sorry, {name} isn't in the catalogue yet.",
    ),
    "unavailable_alt": (
        "I don't have {name}, but {alt} is close. Playing that instead.",
        "Sorry, no {name} here. How about {alt}?",
    ),
    "nothing_matches": ("I couldn't find tracks that fit that, so I'll keep the set as it is.",),
    # A relative request when the catalogue goes only a little further that way.
    "energy_down_slight": ("Only a little calmer from here: these are the calmest I have.",),
    "energy_up_slight": ("Only a little livelier from here: these are the liveliest I have.",),
    "tempo_down_slight": ("Only a touch slower from here: these are the slowest I have.",),
    "tempo_up_slight": ("Only a touch faster from here: these are the fastest I have.",),
    # A relative request when no candidate lies that way at all: say so rather than pretend.
    "energy_down_none": ("This is about as calm as I've got, so I'll keep the set as it is.",),
    "energy_up_none": ("This is about as lively as I've got, so I'll keep the set as it is.",),
    "tempo_down_none": ("Nothing I have is slower than this, so I'll keep the set as it is.",),
    "tempo_up_none": ("Nothing I have is faster than this, so I'll keep the set as it is.",),
    "like_subject": (
        "Noted, you like {name}. Steering the set that way.",
        "{name} it is, then: more of that.",
    ),
    "dislike_subject": (
        "Got it, no {name} for the rest of this session.",
        "Fair enough, I'll keep {name} out.",
    ),
    "service": (
        "I play from Selecta's own catalogue, not {service}.",
        "(That's from my own catalogue rather than {service}.)",
    ),
    "playlist": (
        "I can't open your playlists: ask me for an artist, a genre or a mood instead.",
        "Playlists aren't something I have here, sorry. Name an artist, a genre or a mood?",
    ),
    "add_to_playlist": (
        "I can't add to playlists, sorry: I only shape what plays next. Say you like it and I'll remember.",
        "Playlists are outside my booth, but tell me you love it and I'll take the hint.",
    ),
    "out_of_scope": (
        "I'm just the DJ: I can play, skip, change the mood or tell you why a song is on.",
        "That's beyond my booth, sorry. Ask me for music, a mood, or a skip.",
    ),
}


def nothing_matches(kind: str, *, seed: str) -> str:
    """What to say when a request that re-plans finds no track: specific for calmer/faster/..., which
    only come up empty when nothing in the catalogue lies that way."""
    return pick(f"{kind}_none" if f"{kind}_none" in LINES else "nothing_matches", seed=seed)


def pick(key: str, *, seed: str, **values: str) -> str:
    """A line for ``key``, chosen by ``seed`` and filled with ``values``."""
    options = LINES[key]
    index = int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16) % len(options)
    return options[index].format(**values)
