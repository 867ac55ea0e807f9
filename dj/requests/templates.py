"""Templated requests for what real assistant data lacks: the DJ's own controls, moods and preferences.

SNIPS has thousands of "play X by Y" but no "something calmer", "skip this", "why this song" or "I like
jazz". These templates give the classifier and tagger those, written in many phrasings and wrapped in the
wake words and carrier phrases people put around any request ("hey google", "can you", "for me").
A template is text with ``[a|b]`` choices and ``{slot}`` fillers; fillers are drawn from name lists the
trainer passes in (the SNIPS training split's and the gold set's artists and titles), so no name is
invented here; ``{slot=a|b}`` is a choice that is a slot ("the {music_item=song|tune} {track}": the
word "song" is a music item here as in SNIPS, never a title).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

from core.moods import MOODS
from dj.requests.corpus import Example, Span

__all__ = ["TEMPLATES", "render", "templated"]

_THIS = "[this|that|this song|this track|this one|the current song|it]"
_WAKE = ("", "", "", "", "hey dj ", "dj ", "hey google ", "alexa ", "ok google ", "hey siri ", "olly ")
_POLITE = ("", "", "", "can you ", "could you ", "please ", "would you ", "i want you to ")
_TAIL = ("", "", "", "", " please", " now", " for me", " thanks")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "energy_down": (
        "play something calmer", "[something|a bit|a little] [calmer|mellower|softer|gentler|more relaxed]",
        "[tone|bring|take|calm|wind] it down", "this is too [intense|loud|much|hectic]", "less energy",
        "[make it|keep it] [calmer|more chill|more mellow]", "chill out", "bring the energy down",
        "lower the energy", "something less [intense|energetic|aggressive]", "too loud for me",
    ),
    "energy_up": (
        "play something more energetic", "[more energy|more upbeat|livelier|harder|heavier]",
        "[pump|crank|turn|kick] it up", "this is too [calm|sleepy|mellow|boring]", "get us moving",
        "[raise|up] the energy", "something more [intense|exciting|danceable|lively]", "wake me up",
        "let's get the party going", "more hype",
    ),
    "tempo_up": (
        "[faster|something faster|play faster songs]", "speed [it|things] up", "pick up the [pace|tempo]",
        "[higher|more] bpm", "this is too slow", "[increase|raise] the tempo", "quicker tracks",
    ),
    "tempo_down": (
        "[slower|something slower|play slower songs]", "slow [it|things] down", "[lower|less] bpm",
        "this is too fast", "[decrease|reduce|drop] the tempo",
    ),
    "skip": (
        "skip", f"skip {_THIS}", "next [song|track|one]", "play the next [song|track|one]", "move on",
        f"change {_THIS}", f"get rid of {_THIS}", "something else", "[nah|no] next", "skip ahead",
        "go to the next [song|track|one]", f"i'm not feeling {_THIS}",
    ),
    "like": (
        f"i [love|like|dig|enjoy] {_THIS}", "thumbs up", "[great|awesome|amazing|nice] [song|track|pick]",
        f"{_THIS} is [great|awesome|a banger|brilliant|fantastic]", f"save {_THIS}", "what a [song|tune]",
        "i [like|love|really like|dig] {genre}", "i [like|love] {artist}", "i [like|love] {artist} songs",
        "i'm a big fan of {artist}", "i [like|love] {genre} music", "i [like|love] {genre} and hate {genre}",
        "[remember that|note that] i like {genre}",
    ),
    "dislike": (
        f"i [hate|don't like|can't stand] {_THIS}", "thumbs down", f"{_THIS} is [awful|terrible|boring]",
        f"never play {_THIS} again", "not my [thing|style|taste]",
        "i [hate|don't like|can't stand] {genre}",
        "i [hate|don't like|dislike] {artist}", "no more {genre} please", "i hate {genre} and like {genre}",
    ),
    "why": (
        "why [this|that] [song|track|one]", f"why did you [play|pick|choose] {_THIS}",
        "why is this playing", "what made you [pick|choose|play] this", "explain [this|that] [pick|choice]",
        "how come you played this", "what's the reason for this [song|track]",
    ),
    "more_like_this": (
        f"more like {_THIS}", f"[something|songs|tracks|music] [like|similar to] {_THIS}", "similar songs",
        "more of [this|the same]", "keep [this|the] vibe going", "same [vibe|style|mood]",
        "[something|music|songs] [like|similar to] {artist}", "more [stuff|songs] like {artist}",
        "play [something|songs] that [sounds|sound] like {artist}",
        "[music|something] in the style of {artist}",
    ),
    "play": (
        "[play|put on] something {mood}", "[play|put on|i want] some {mood} music",
        "[play|put on] some {mood} {genre}", "i'm in the mood for [something|some] {mood}",
        "play something {novelty}", "{novelty}", "play some {genre} {novelty}", "play [some|] {genre}",
        "put on {genre} from the {era}", "[play|put on] [some|] {era} {genre}", "play music from the {era}",
        "play the {recency} album by {artist}", "play {artist}'s {recency} [album|record]",
        "can you put on {track} by {artist}", "put on {track} by {artist}", "play {artist}",
        "[play|put on|queue up] some {artist}", "{track}", "{artist}", "play {track}",
        "play {mood} songs by {artist}", "play the {music_item=song|track|tune} {track}",
        "play the {music_item=song|track} {track} by {artist}",
        "play {genre} music for the next hour", "play {artist} on {service}",
        "play the {music_item=song|track|tune} [called|named|titled] {track}",
        "[play|put on] {artist}'s {music_item=song|track} {track}",
        "find [me|] some {genre}", "find {genre} [music|songs]", "turn on [some|] {genre}",
        "turn on {artist}",
        "open {service} and play {artist}", "open {service} and play [some|] {genre}",
        "[play|put on] {genre} [music|] for the next [hour|while|two hours]",
        "play music from the {genre} genre",
        "play the {sort} {artist} [songs|] on {service}", "play the {sort} {genre} [songs|tracks]",
        "i want to listen to {artist}", "{artist} please", "[play|put on] {genre} for me",
        "play the [album|record] {album}", "play the {album} [album|record|ep]",
        "play {album} [album|] by {artist}", "[play|put on] {artist}'s album {album}",
        "play [a song|something|a track] [off|from] the album {album}", "play the album {album} by {artist}",
        "play {track} off [the album|] {album}", "[find|search for] [me|] some {mood} {genre}",
        "[play|put on] the {music_item=song|track|tune} {track} [please|now|]",
        "[play|put on] the {music_item=album|record} {album} [please|now|]",
    ),
    "out_of_scope": (
        "what's the weather [like|] [today|tomorrow]", "set an alarm for [seven|six]", "tell me a joke",
        "what time is it", "turn [off|on] the lights", "turn the volume [up|down]", "call [mom|a taxi]",
        "remind me to buy milk", "how far is the moon", "read me the news", "who won the game last night",
        "translate hello into french", "what's the capital of france", "send a message to [mom|john]",
    ),
}  # fmt: skip
"""Intent -> templates; the DJ-only intents, plus play forms SNIPS has few of (moods, novelty, recency)."""

_FIXED: dict[str, tuple[str, ...]] = {
    "mood": tuple(w for words in MOODS.values() for w in words if " " not in w),
    "novelty": (
        "new", "i haven't heard", "i haven't heard before", "i've never heard", "different", "fresh",
        "surprise me", "something new", "new music",
    ),
    "recency": ("latest", "newest", "new", "most recent"),
    "era": ("eighties", "nineties", "seventies", "sixties", "80s", "90s", "70s", "2000s", "fifties"),
    "music_item": ("song", "track", "album", "tune"),
    "service": ("spotify", "youtube", "itunes", "deezer", "pandora"),
    "sort": ("top twenty", "top ten", "top 20", "most popular", "best", "greatest", "top"),
}  # fmt: skip
_CHOICE = re.compile(r"\[([^\]]*)\]")
_FILLER = re.compile(r"\{(\w+)(?:=([^}]*))?\}")


def render(template: str, rng: random.Random, names: Mapping[str, Sequence[str]]) -> tuple[str, list[Span]]:
    """One request from ``template``: choices made, fillers drawn, and the fillers' character spans."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    out, spans, pos = "", [], 0
    for match in _FILLER.finditer(text):
        slot, fixed = match.group(1), match.group(2)
        value = rng.choice(fixed.split("|") if fixed else names.get(slot) or _FIXED[slot])
        out += text[pos : match.start()]
        if slot == "novelty" and value in ("surprise me", "something new", "new music") and out.strip():
            value = "new"
        spans.append((slot, len(out), len(out) + len(value)))
        out += value
        pos = match.end()
    out += text[pos:]
    return re.sub(r"\s+", " ", out).strip(), spans


def templated(
    names: Mapping[str, Sequence[str]], *, per_template: int, seed: int = 0, prefix: str = "tpl"
) -> list[Example]:
    """``per_template`` renderings of every template, some wrapped in wake words and polite carriers;
    ``prefix`` starts their ids (two name pools, two prefixes)."""
    rng = random.Random(seed)
    out: list[Example] = []
    for intent, templates in TEMPLATES.items():
        for t, template in enumerate(templates):
            if not all(
                fixed or names.get(slot) or slot in _FIXED for slot, fixed in _FILLER.findall(template)
            ):
                continue  # a slot no training name fills (a small corpus without albums)
            for k in range(per_template):
                text, spans = render(template, rng, names)
                lead = rng.choice(_WAKE) + (rng.choice(_POLITE) if intent != "out_of_scope" else "")
                tail = rng.choice(_TAIL)
                shifted = tuple((s, a + len(lead), b + len(lead)) for s, a, b in spans)
                full = lead + text + tail
                if rng.random() < 0.3:
                    full = full.capitalize()
                out.append(Example(f"{prefix}:{intent}:{t}:{k}", full, intent, shifted, "template"))
    return out
