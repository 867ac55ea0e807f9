"""The listening page in a real browser: Debian's Chromium driven by Playwright, against a real server.

The server is the app on uvicorn with the demo catalogue, a trained recommender, Whisper and the hibari
voice (the same fixtures as the session API tests). Chromium's fake microphone plays a WAV of a spoken
request made with the project's own voice, so hold-to-talk goes through MediaRecorder, the upload and
Whisper for real. Screenshots go to ``.selecta/screenshots/`` in the repository (printed by the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import soundfile as sf

from dj.speech.tts import HibariSynthesizer
from services.api.app import create_app
from services.engines import Engines
from services.settings import Settings
from services.store import Store, credentials
from tests.conftest import RedisServer, free_port
from tests.services.api.apps import app_for
from tests.services.api.serving import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".selecta" / "screenshots"
TIMEOUT_MS = 120_000  # a request runs Whisper and the voice on a shared CPU

playwright_sync = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (dev extra)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium)",
    ),
]
expect = playwright_sync.expect
expect.set_options(timeout=TIMEOUT_MS)


def page_settings(settings: Settings) -> Settings:
    """As ``selecta serve`` on loopback: the page may mint listener tokens for itself."""
    return settings.model_copy(update={"page_tokens": True})


@pytest.fixture(scope="module")
def server(trained: tuple[Settings, Store], engines: Engines) -> Iterator[str]:
    """`selecta serve` with the demo catalogue imported, a trained recommender and the test voice."""
    with serving(app_for(page_settings(trained[0]), engines)) as url:
        yield url


@pytest.fixture(scope="module")
def spoken_request(voice: HibariSynthesizer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spoken "Play something calmer, please.", 48 kHz 16-bit WAV, silence around it (Chromium loops it)."""
    import soxr

    speech = voice.synthesize("Play something calmer, please.")
    y = soxr.resample(speech.y, speech.sr, 48000).astype(np.float32)
    pad = np.zeros(int(0.3 * 48000), dtype=np.float32)
    tail = np.zeros(int(3.0 * 48000), dtype=np.float32)
    path = tmp_path_factory.mktemp("speech") / "calmer.wav"
    sf.write(path, np.concatenate([pad, y, tail]), 48000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with playwright_sync.sync_playwright() as p:
        yield p


def launch(playwright: Playwright, *args: str) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(args))


@pytest.fixture(scope="module")
def browser(playwright: Playwright, spoken_request: Path) -> Iterator[Browser]:
    """Chromium whose microphone is granted without asking and plays the spoken request."""
    chromium = launch(
        playwright,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={spoken_request}",
        "--autoplay-policy=no-user-gesture-required",
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    with open_page(browser, server) as tab:
        yield tab


@contextmanager
def open_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser context at desktop size whose console is printed (pytest shows it on failure)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", lambda message: print(f"browser console {message.type}: {message.text}"))
    tab.on("pageerror", lambda error: print(f"browser page error: {error}"))
    try:
        yield tab
        print(
            "page status:",
            tab.locator("#status").inner_text(),
            "| error:",
            tab.locator("#error-text").inner_text(),
        )
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def start_set(page: Page, user: str, n_tracks: int = 6) -> None:
    page.goto("/")
    expect(page.get_by_text("the DJ's voice is synthetic")).to_be_visible()
    expect(page.get_by_text("the demo music is AI-generated")).to_be_visible()
    page.get_by_label("Your profile").fill(user)
    page.get_by_label("Tracks").fill(str(n_tracks))
    page.get_by_label("Energy arc").select_option("warm-up")
    page.get_by_role("button", name="Start the set").click()
    expect(page.locator("#position")).to_have_text(f"Track 1 of {n_tracks}")
    expect(page.locator("#upcoming li.track")).to_have_count(n_tracks - 1)


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, button, audio")]
  .filter((e) => e.offsetParent !== null)
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim())
  .map((e) => e.outerHTML)"""


def upcoming_ids(page: Page) -> list[str]:
    ids = page.locator("#upcoming li.track").evaluate_all("els => els.map(e => e.dataset.trackId)")
    return [str(i) for i in ids]


def test_start_a_set_and_see_the_queue_and_the_picture(page: Page, server: str) -> None:
    start_set(page, "demo-user-01")
    first = page.locator("#upcoming li.track").first
    expect(first).to_contain_text(re.compile(r"\d+ BPM"))
    expect(first).to_contain_text(re.compile(r"Key \d{1,2}[AB]"))
    expect(first).to_contain_text(re.compile(r"Energy \d+%"))
    expect(first).to_contain_text("Why:")
    expect(first).to_contain_text("Mix in:")
    expect(page.locator("#now-track")).to_contain_text("BPM")
    # The picture: one key block per track, a transition mark between each pair, the energy line.
    chart = page.locator("#chart svg")
    expect(chart.locator("rect.key-block")).to_have_count(6)
    expect(chart.locator("g.transition")).to_have_count(5)
    expect(chart.locator("path.energy-line")).to_have_count(1)
    expect(chart).to_have_attribute("role", "img")
    unlabelled = page.evaluate(UNLABELLED_CONTROLS)
    assert unlabelled == [], f"controls without an accessible name: {unlabelled}"
    screenshot(page, "desktop")

    assert page.context.browser is not None
    phone = page.context.browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        small = phone.new_page()
        small.goto(page.url)  # the page restores the session from ?session=
        expect(small.locator("#upcoming li.track")).to_have_count(5)
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide at phone width"
        screenshot(small, "phone")
    finally:
        phone.close()


def test_skip_changes_the_queue_and_the_picture(page: Page) -> None:
    start_set(page, "demo-user-02")
    playing = page.locator("#now-track .title").inner_text()
    before, picture = upcoming_ids(page), page.locator("#chart").inner_html()
    page.get_by_role("button", name="Skip", exact=True).click()
    expect(page.locator("#position")).to_have_text("Track 2 of 6")
    expect(page.locator("#reply-intent")).to_contain_text("skip this track")
    expect(page.locator("#now-track .title")).not_to_have_text(playing)
    after = upcoming_ids(page)
    assert after != before and len(after) == 4
    assert page.locator("#chart").inner_html() != picture  # redrawn: the playing track moved
    expect(page.locator("#played li")).to_have_count(1)


def test_typed_request_shows_what_was_understood_and_plays_the_answer(page: Page) -> None:
    start_set(page, "demo-user-03")
    page.get_by_label("Or type a request").fill("play something calmer")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#reply-heard")).to_have_text("You asked: “play something calmer”")
    expect(page.locator("#reply-intent")).to_contain_text("calmer")
    expect(page.locator("#reply-intent")).to_contain_text("re-planned")
    expect(page.locator("#reply-answer")).to_contain_text("DJ: ")
    page.wait_for_function("document.getElementById('answer-audio').duration > 0.5")
    screenshot(page, "desktop-answer")


def hold_to_talk(page: Page, ms: int, *, granted: bool = True) -> None:
    page.get_by_role("button", name="Hold to talk").hover()
    page.mouse.down()
    if granted:  # a refused microphone resets the button at once
        expect(page.locator("#hold")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(ms)
    page.mouse.up()


def test_hold_to_talk_sends_a_recorded_request(page: Page) -> None:
    """Held from the keyboard (Space on the focused button); the other tests hold it with the mouse."""
    start_set(page, "demo-user-04")
    page.get_by_role("button", name="Hold to talk").focus()
    page.keyboard.down(" ")
    expect(page.locator("#hold")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(3000)  # the fake microphone plays the request from its start
    page.keyboard.up(" ")
    expect(page.locator("#reply-heard")).to_contain_text("You said:")
    expect(page.locator("#reply-heard")).to_contain_text(re.compile("calmer", re.IGNORECASE))
    expect(page.locator("#reply-intent")).to_contain_text("calmer")
    expect(page.locator("#error")).to_be_hidden()
    page.wait_for_function("document.getElementById('answer-audio').duration > 0.5")


def test_like_in_the_queue_reaches_the_api(page: Page, server: str, trained: tuple[Settings, Store]) -> None:
    import httpx

    start_set(page, "page-listener")  # a new profile: no history yet
    first = page.locator("#upcoming li.track").first
    track_id = first.get_attribute("data-track-id")
    like = first.get_by_role("button", name=re.compile("^Like "))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    key = {"Authorization": f"Bearer {credentials.issue(trained[1], 'app', name='tests').secret}"}
    history = httpx.get(f"{server}/v1/users/page-listener/history", headers=key, timeout=30).json()
    assert [(e["track_id"], e["reason"]) for e in history["events"]] == [(track_id, "liked")]


def test_the_mix_streams_as_opus_and_the_position_follows_the_player(page: Page) -> None:
    """The player gets Ogg/Opus; when the mix hands over to the next track, the page moves with it: the
    session advances, the playing card and the picture's shaded track change, the playhead moves."""
    start_set(page, "demo-user-05", n_tracks=3)
    first = page.locator("#now-track .title").inner_text()
    with page.expect_response(lambda r: "/mix?" in r.url) as streamed:
        page.get_by_role("button", name="Play the mix").click()
    response = streamed.value
    assert response.status == 200 and response.headers["content-type"] == "audio/ogg; codecs=opus"
    assert "format=opus" in response.url
    page.wait_for_function("document.getElementById('mix').currentTime > 1", timeout=240_000)
    expect(page.locator("#mix-status")).to_contain_text("Playing")
    expect(page.locator("#mix-status")).to_contain_text(re.compile(r"mixed \d+:\d\d of \d+:\d\d|is mixed"))
    expect(page.locator("#playhead")).not_to_have_attribute("visibility", "hidden")
    head = float(page.locator("#playhead").get_attribute("x1") or 0)
    zone = page.locator("#chart rect.playing-zone").get_attribute("x")
    # The first hand-over comes about 25 s into a set of 30 s demo tracks.
    expect(page.locator("#position")).to_have_text("Track 2 of 3", timeout=240_000)
    assert page.evaluate("document.getElementById('mix').paused") is False  # not restarted or stopped
    expect(page.locator("#now-track .title")).not_to_have_text(first)
    expect(page.locator("#status")).to_contain_text("Now playing:")
    assert page.locator("#chart rect.playing-zone").get_attribute("x") != zone
    assert float(page.locator("#playhead").get_attribute("x1") or 0) > head
    screenshot(page, "desktop-playing")
    page.locator("#mix").evaluate("a => { a.pause(); a.removeAttribute('src'); a.load(); }")


def test_create_a_profile_and_start_a_set_with_discovery(
    browser: Browser, server: str, trained: tuple[Settings, Store]
) -> None:
    """At phone width: a new profile seeded with a tag, then a set with the discovery slider moved."""
    import httpx

    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_text("Create a new profile").click()
        page.get_by_label("Profile name").fill("page-newcomer")
        page.get_by_label("Moods or styles you like").fill("calm, electronic")
        page.get_by_role("button", name="Create the profile").click()
        expect(page.locator("#status")).to_contain_text(
            "Profile “page-newcomer” created, starting from 6 liked"
        )
        expect(page.get_by_label("Your profile")).to_have_value("page-newcomer")
        key = {"Authorization": f"Bearer {credentials.issue(trained[1], 'app', name='tests').secret}"}
        history = httpx.get(f"{server}/v1/users/page-newcomer/history", headers=key, timeout=30).json()
        assert history["count"] == 6 and {e["reason"] for e in history["events"]} == {"liked"}
        slider = page.get_by_label("Discovery")
        slider.evaluate("s => { s.value = '0.7'; s.dispatchEvent(new Event('input', { bubbles: true })); }")
        expect(page.locator("#discovery-value")).to_have_text("0.7: mostly new to you")
        expect(slider).to_have_attribute("aria-valuetext", "0.7: mostly new to you")
        page.get_by_label("Tracks").fill("4")
        with page.expect_request(lambda r: r.url.endswith("/v1/sessions") and r.method == "POST") as sent:
            page.get_by_role("button", name="Start the set").click()
        assert sent.value.post_data_json["discovery"] == 0.7
        expect(page.locator("#position")).to_have_text("Track 1 of 4")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide at phone width"
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        assert unlabelled == [], f"controls without an accessible name: {unlabelled}"
        screenshot(page, "phone-new-profile")
        page.get_by_text("Create a new profile").click()
        page.get_by_label("Profile name").fill("page-newcomer")
        page.get_by_role("button", name="Create the profile").click()
        expect(page.get_by_role("alert")).to_contain_text("profile_exists, HTTP 409")
        page.get_by_label("Profile name").fill("another-newcomer")
        page.get_by_label("Moods or styles you like").fill("zydeco")
        page.get_by_role("button", name="Create the profile").click()
        expect(page.get_by_role("alert")).to_contain_text("unknown_seed, HTTP 422")
        expect(page.get_by_role("alert")).to_contain_text("zydeco")
    finally:
        context.close()


def test_errors_are_shown_from_the_json_error_shape(page: Page) -> None:
    page.goto("/?session=no-such-session")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("not_found, HTTP 404")
    expect(page.get_by_role("alert")).to_contain_text("no-such-session")


def test_a_refused_microphone_is_said_plainly(playwright: Playwright, server: str) -> None:
    """Without Chromium's fake permission prompt, headless Chromium refuses the microphone."""
    chromium = launch(playwright, "--use-fake-device-for-media-stream")
    try:
        with open_page(chromium, server) as page:
            start_set(page, "demo-user-06", n_tracks=3)
            hold_to_talk(page, 500, granted=False)
            expect(page.get_by_role("alert")).to_contain_text("Microphone access was refused")
            expect(page.locator("#hold")).to_have_attribute("aria-pressed", "false")
    finally:
        chromium.close()


def test_an_upload_over_the_limit_is_said_plainly(
    browser: Browser, trained: tuple[Settings, Store], engines: Engines
) -> None:
    small = page_settings(trained[0]).model_copy(update={"max_upload_bytes": 2_000})
    with serving(app_for(small, engines)) as url, open_page(browser, url) as page:
        start_set(page, "demo-user-07", n_tracks=3)
        hold_to_talk(page, 2000)
        expect(page.get_by_role("alert")).to_contain_text("audio_too_large, HTTP 413")
        expect(page.get_by_role("alert")).to_contain_text("too big to send")


def test_redis_down_is_said_plainly(browser: Browser, tmp_path: Path) -> None:
    redis_server = RedisServer(directory=tmp_path, port=free_port())
    redis_server.start()
    try:
        settings = Settings(
            data_dir=tmp_path / "data", REDIS_URL=redis_server.url, redis_namespace="pagedown"
        )
        with serving(create_app(settings)) as url, open_page(browser, url) as page:
            page.goto("/")
            expect(page.locator("#status")).to_contain_text("The catalogue is empty")
            expect(page.locator("#error")).to_be_hidden()
            redis_server.kill()
            page.reload()
            expect(page.get_by_role("alert")).to_contain_text("store_unavailable, HTTP 503")
            expect(page.get_by_role("alert")).to_contain_text("Redis")
            screenshot(page, "desktop-redis-down")
    finally:
        redis_server.kill()


def test_the_listener_chooses_the_track_length_and_changes_it_while_the_set_plays(
    page: Page, trained: tuple[Settings, Store]
) -> None:
    """The start form sends the chosen length; the control beside the player changes the stored session."""
    from services.sessions.records import load_session

    page.goto("/")
    page.get_by_label("Your profile").fill("demo-user-03")
    page.get_by_label("Tracks").fill("3")
    page.locator("#track-length").select_option("radio")
    with page.expect_request(lambda r: r.url.endswith("/v1/sessions") and r.method == "POST") as sent:
        page.get_by_role("button", name="Start the set").click()
    assert sent.value.post_data_json["length"] == "radio"
    expect(page.locator("#position")).to_have_text("Track 1 of 3")
    expect(page.locator("#mix-length")).to_have_value("radio")
    sid = page.evaluate("new URLSearchParams(location.search).get('session')")
    with page.expect_request(lambda r: r.method == "PATCH") as changed:
        page.locator("#mix-length").select_option("full")
    assert changed.value.post_data_json == {"length": "full"}
    expect(page.locator("#status")).to_contain_text("Track length: Full tracks.")
    assert load_session(trained[1], sid).length == "full"
    unlabelled = page.evaluate(UNLABELLED_CONTROLS)
    assert unlabelled == [], f"controls without an accessible name: {unlabelled}"
