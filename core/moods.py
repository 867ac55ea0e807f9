"""The mood vocabulary: each mood Selecta knows and the words (also catalogue tags) that stand for it.

One list for everyone: the request parser hears these words, the planner reads a track's mood from its tags
with :func:`mood_of`, and the demo catalogue's mood folders are moods from here. A mood the parser knows
but the planner did not would let "play something sad" find sad tracks the set then cannot keep apart.
"""

from __future__ import annotations

from collections.abc import Iterable

MOODS: dict[str, tuple[str, ...]] = {
    # canonical mood -> words a listener uses for it (also the catalogue tags the mood stands for)
    "calm": (
        "calm",
        "relaxing",
        "relaxed",
        "peaceful",
        "soothing",
        "mellow",
        "chill",
        "chilled",
        "chillout",
        "laid back",
        "laid-back",
        "gentle",
        "soft",
        "quiet",
        "easy listening",
    ),
    "happy": ("happy", "cheerful", "joyful", "feel good", "feel-good", "sunny", "uplifting", "fun"),
    "sad": ("sad", "melancholic", "melancholy", "gloomy", "heartbreak", "depressing"),
    "energetic": ("energetic", "upbeat", "lively", "high energy", "pumped", "hype", "party", "workout"),
    "romantic": ("romantic", "sexy", "love songs", "sensual"),
    "dark": ("dark", "moody", "brooding", "eerie"),
    "tender": ("tender", "sweet", "intimate"),
    "nostalgic": ("nostalgic", "nostalgia", "throwback", "retro"),
    "dreamy": ("dreamy", "ethereal", "atmospheric"),
    "angry": ("angry", "aggressive", "furious"),
    "focus": ("focus", "study", "concentration", "background"),
}
"""Canonical mood -> the words and tags for it, the mood's own name first."""

MOOD_WORDS: dict[str, str] = {word: mood for mood, words in MOODS.items() for word in words}
"""Every word or tag -> the mood it stands for."""


def mood_of(tags: Iterable[str]) -> str | None:
    """The mood of the first tag that names one (``"melancholic"`` -> ``"sad"``), or None.

    Tags compare case-insensitively: imported catalogues tag "Chill" as often as "chill".
    """
    return next((MOOD_WORDS[t.lower()] for t in tags if t.lower() in MOOD_WORDS), None)
