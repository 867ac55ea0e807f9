"""The learned parser on requests it never trained on: every intent, every slot kind, and the failure
kinds of issue 14 (wake words, carrier phrases, bare titles, preferences, span boundaries).

Requests marked SNIPS are real sentences from the SNIPS benchmark's validation split (never trained on:
``test_snips_sentences_are_from_the_validation_split`` checks it when the dataset is at hand); the
others are quoted from the issue, which took them from real assistant logs, or written here.
"""

from __future__ import annotations

import polars as pl
import pytest

from dj.errors import RequestTextError
from dj.requests.entities import CatalogIndex
from dj.requests.intents import INTENT_KINDS, IntentParser, bio_spans
from dj.requests.model import shipped_model


@pytest.fixture(scope="module")
def parser() -> IntentParser:
    catalog = pl.DataFrame(
        {
            "track_id": ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"],
            "title": [
                "Get Lucky", "One More Time", "Don't Know Why", "Visions", "Take On Me", "Karma Police",
                "Seven Years", "Like a Hurricane",
            ],
            "artist": [
                "Daft Punk", "Daft Punk", "Norah Jones", "Norah Jones", "a-ha", "Radiohead", "Lukas Graham",
                "Neil Young",
            ],
            "album": [
                "Random Access Memories", "Discovery", "Come Away with Me", "Visions", "Hunting High and Low",
                "OK Computer", "Lukas Graham", "American Stars 'n Bars",
            ],
            "year": [2013, 2001, 2002, 2024, 1985, 1997, 2015, 1977],
            "tags": [
                ["electronic", "disco"], ["electronic", "french house"], ["jazz", "calm"], ["pop"],
                ["synth-pop", "80s"], ["alternative rock"], ["pop"], ["rock"],
            ],
        }
    )  # fmt: skip
    return IntentParser(CatalogIndex.from_catalog(catalog))


EXAMPLES = [
    ("Play Daft Punk", "play"),
    ("More like this, please", "more_like_this"),
    ("Can you play something more energetic?", "energy_up"),
    ("DJ, play something calmer.", "energy_down"),
    ("Speed it up a little", "tempo_up"),
    ("Slow it down", "tempo_down"),
    ("Skip this song", "skip"),
    ("I love this track", "like"),
    ("I don't like this one", "dislike"),
    ("Why this song?", "why"),
    ("Add this song to my workout playlist", "add_to_playlist"),
    ("What's the weather tomorrow?", "out_of_scope"),
]


@pytest.mark.parametrize(("text", "kind"), EXAMPLES)
def test_each_intent_kind(parser: IntentParser, text: str, kind: str) -> None:
    assert parser.parse(text).kind == kind


def test_every_kind_is_covered_above() -> None:
    assert {kind for _, kind in EXAMPLES} == set(INTENT_KINDS)


SNIPS_OUT_OF_SCOPE = [
    "Book a table at a restaurant in Oklahoma for 5 people",  # SNIPS BookRestaurant validation
    "What will the weather be in Tuvalu on Jun. 14, 2036?",  # SNIPS GetWeather validation
    "Rate this book 2 stars",  # SNIPS RateBook validation
]


@pytest.mark.parametrize("text", SNIPS_OUT_OF_SCOPE)
def test_other_assistant_requests_are_out_of_scope(parser: IntentParser, text: str) -> None:
    assert parser.parse(text).kind == "out_of_scope"


def spans(parser: IntentParser, text: str) -> set[tuple[str, str]]:
    return {(s.name, s.raw) for s in parser.parse(text).slots}


# Each slot kind, with its exact span as said (case and all), in a real SNIPS validation sentence.
SLOT_KINDS = [
    ("Play music by Antonella Barba from the album Bath", ("artist", "Antonella Barba")),  # SNIPS
    ("Play me the track Mama Liked The Roses", ("track", "Mama Liked The Roses")),  # SNIPS
    ("play the album Winner Takes All by Takuro with Last Fm", ("album", "Winner Takes All")),  # SNIPS
    ("Play some sixties music.", ("era", "sixties")),  # SNIPS
    ("Play the top 20 ep from the fifties by John Bundrick.", ("sort", "top 20")),  # SNIPS
    ("play Jeff Pilson on Youtube", ("service", "Youtube")),  # SNIPS
    ("Play the top-10 chant by Caetano Veloso on Pandora", ("music_item", "chant")),  # SNIPS
    ("Play music from my relentless playlist", ("playlist", "relentless")),  # SNIPS
    ("play some techno", ("genre", "techno")),
    ("play something sad", ("mood", "sad")),
    ("play something I haven't heard", ("novelty", "something I haven't heard")),
    ("play the newest album by Norah Jones", ("recency", "newest")),
]


@pytest.mark.parametrize(("text", "slot"), SLOT_KINDS)
def test_each_slot_kind_with_its_exact_span(parser: IntentParser, text: str, slot: tuple[str, str]) -> None:
    assert slot in spans(parser, text)


def test_slot_values_are_normal_forms(parser: IntentParser) -> None:
    intent = parser.parse("play relaxing jazz from the nineties")
    assert {(s.name, s.value) for s in intent.slots} == {
        ("mood", "calm"),
        ("genre", "jazz"),
        ("era", "1990s"),
    }
    assert parser.parse("play the newest album by Norah Jones").slot("recency").value == "latest"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("hey google play some jazz music for me", {("genre", "jazz")}),  # issue 14
        ("alexa play Daft Punk", {("artist", "Daft Punk")}),
        ("olly play music from the jazz genre", {("genre", "jazz")}),  # issue 14
        ("ok google play Jeff Pilson on Youtube", {("artist", "Jeff Pilson"), ("service", "Youtube")}),
    ],
)
def test_wake_words_are_not_part_of_the_request(parser: IntentParser, text: str, want: set) -> None:
    intent = parser.parse(text)
    assert intent.kind == "play" and {(s.name, s.raw) for s in intent.slots} == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "I want to hear eighties music by Noko on deezer.",
            {("era", "eighties"), ("artist", "Noko")},
        ),  # SNIPS
        ("Use the service Lastfm to play music by the artist ai kago", {("artist", "ai kago")}),  # SNIPS
        ("open itunes and play Norah Jones", {("artist", "Norah Jones")}),  # issue 14
        ("turn on some rock", {("genre", "rock")}),  # issue 14
    ],
)
def test_carrier_phrases(parser: IntentParser, text: str, want: set) -> None:
    intent = parser.parse(text)
    assert intent.kind == "play" and want <= {(s.name, s.raw) for s in intent.slots}


def test_bare_title_in_the_catalogue_is_a_play_request(parser: IntentParser) -> None:
    intent = parser.parse("seven years")  # issue 14: was out of scope
    assert intent.kind == "play"
    assert intent.slot("track").entity.track_ids == ("t7",)


def test_bare_phrase_the_catalogue_lacks_is_out_of_scope(parser: IntentParser) -> None:
    assert parser.parse("purple elephants").kind == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "kind", "slot"),
    [
        ("i like jazz and hate disco", "like", ("genre", "jazz")),  # issue 14
        ("i like Radiohead songs", "like", ("artist", "Radiohead")),  # issue 14
        ("I really can't stand Radiohead", "dislike", ("artist", "Radiohead")),
    ],
)
def test_preferences_with_a_subject(parser: IntentParser, text: str, kind: str, slot: tuple) -> None:
    intent = parser.parse(text)
    assert intent.kind == kind and slot in {(s.name, s.raw) for s in intent.slots}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("play rock music for the next hour", {("genre", "rock")}),  # issue 14
        ("play By The Sleepy Lagoon by Greg Kurstin", {("track", "By The Sleepy Lagoon")}),  # SNIPS
        (
            "Please play Short And Sweet by Teyana Taylor from my itunes.",
            {("artist", "Teyana Taylor")},
        ),  # SNIPS
        (
            "Play dhafer youssef top-twenty on netflix",
            {("sort", "top-twenty"), ("service", "netflix")},
        ),  # SNIPS
        ("play Angela Winbush ep that is popular", {("artist", "Angela Winbush"), ("music_item", "ep")}),
    ],
)
def test_span_boundaries(parser: IntentParser, text: str, want: set) -> None:
    got = spans(parser, text)
    assert want <= got
    said = {raw for _, raw in got}
    assert not any("on youtube" in raw.lower() or "next hour" in raw for raw in said)


def test_put_on_title_by_artist_is_play_not_more_like_this(parser: IntentParser) -> None:
    intent = parser.parse("can you put on Like A Hurricane by Neil Young")  # issue 14
    assert intent.kind == "play"
    assert intent.slot("track").entity.track_ids == ("t8",)
    assert intent.slot("artist").entity.name == "Neil Young"


def test_misheard_artist_resolves_with_its_span_kept(parser: IntentParser) -> None:
    intent = parser.parse("Play the latest album by Norajones.")
    artist = intent.slot("artist")
    assert artist.raw == "Norajones" and artist.entity.name == "Norah Jones"
    assert intent.slot("recency").value == "latest"


def test_unknown_artist_is_extracted_and_unavailable(parser: IntentParser) -> None:
    slot = parser.parse("Play some Olivia Rodrigo").slot("artist")
    assert slot.raw == "Olivia Rodrigo" and not slot.available and slot.entity is None


def test_lone_name_takes_the_kind_the_catalogue_has(parser: IntentParser) -> None:
    intent = parser.parse("play Get Lucky")
    assert intent.slot("track").entity.track_ids == ("t1",)


def test_without_catalogue_names_are_extracted() -> None:
    intent = IntentParser().parse("play some Daft Punk")
    assert intent.kind == "play" and intent.slot("artist").value == "Daft Punk"
    assert not intent.slot("artist").available


def test_the_model_is_loaded_once(parser: IntentParser) -> None:
    assert IntentParser().model is parser.model is shipped_model()


def test_bio_spans_joins_runs_and_starts_a_run_at_a_stray_inside() -> None:
    assert bio_spans(["O", "B-artist", "I-artist", "I-track", "O", "B-era"]) == [
        ("artist", 1, 2),
        ("track", 3, 3),
        ("era", 5, 5),
    ]


@pytest.mark.parametrize("text", ["", "   ", "play " + "x" * 400])
def test_bad_text(parser: IntentParser, text: str) -> None:
    with pytest.raises(RequestTextError):
        parser.parse(text)
