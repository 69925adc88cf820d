"""The review app in headless Chromium on the hand-made sample (no Whisper, so these are quick):
layout at phone and desktop widths, axe-core, keyboard use, and the stale-approval refusal.

Screenshots go to test-artifacts/ (gitignored) so a person can look at each state.
"""
from __future__ import annotations

import pytest
from review_fixture import (
    ARTIFACTS,
    axe_problems,
    build_sample,
    no_horizontal_scroll,
    serving,
    wait_until,
)

from pipeline.core.config import DataPaths
from pipeline.editorial.store import ReviewStore

pytestmark = [pytest.mark.browser]

SLUG = "open-college"
SUM0 = "item-summary_sentence-sum-s000000000"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> DataPaths:
    paths = DataPaths(tmp_path_factory.mktemp("responsive") / "data")
    build_sample(paths, SLUG)
    return paths


@pytest.fixture(scope="module")
def server(sample):
    with serving(sample) as url:
        yield url


def new_page(browser, width: int, height: int = 844):
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 600)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.mark.parametrize("width", [390, 1366])
def test_pages_fit_the_screen_in_dutch_with_no_serious_axe_violations(browser, server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser, width)
    for name, url in (("list", "/"), ("recording", f"/r/{SLUG}"), ("search", "/search?q=samenhang"),
                      ("not_found", "/r/no-such-recording")):
        answer = page.goto(server + url)
        assert (answer.status == 404) == (name == "not_found"), name  # (search: 422, no index in this fixture)
        assert page.evaluate("document.documentElement.lang") == "nl", name
        no_horizontal_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"review_{name}_{width}.png"), full_page=name != "recording")
        assert axe_problems(page) == [], name
    page.goto(f"{server}/r/{SLUG}")
    assert page.locator(f"#{SUM0} button[value=approve]").inner_text() == "Goedkeuren"
    # the player is within reach after scrolling to the end of the page
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#player").bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"], box
    # tapping a sentence opens the correction form right below it, on screen
    sentence = page.locator("#transcript .sent").nth(4)
    sentence.scroll_into_view_if_needed()
    (sentence.tap if width < 600 else sentence.click)()
    form = page.locator("#sentence-form")
    form.wait_for()
    gap = form.bounding_box()["y"] - (sentence.bounding_box()["y"] + sentence.bounding_box()["height"])
    assert 0 <= gap < 120, f"form opens {gap:.0f} px from the sentence"
    no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"review_correct_{width}.png"))
    assert axe_problems(page) == []
    assert page.errors == []
    page.context.close()


def test_keyboard_shortcuts_wait_while_a_button_has_focus_and_focus_stays(browser, server):
    page = new_page(browser, 1366)
    page.goto(f"{server}/r/{SLUG}")
    page.fill("#editor-name", "Kees")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    approve = page.locator("#item-keyphrases-kp-0 button[value=approve]")
    approve.focus()
    page.keyboard.press("Space")  # presses the button; must not start the player
    page.locator("#item-keyphrases-kp-0 .badge", has_text="Goedgekeurd").wait_for()
    assert page.evaluate("document.getElementById('player').paused")
    wait_until(page, "!!document.activeElement.closest('#item-keyphrases-kp-0')")
    # in a text field, letters are typed, not shortcuts
    page.focus("#editor-name")
    page.keyboard.type("l")
    assert page.input_value("#editor-name") == "Keesl" and page.evaluate("document.getElementById('player').currentTime") == 0
    # with nothing focused, shortcuts work: help, speed, and L jumps 5 s
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press(">")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.25
    page.select_option("#speed", "2")
    assert page.evaluate("document.getElementById('player').playbackRate") == 2
    page.select_option("#speed", "0.75")
    assert page.evaluate("document.getElementById('player').playbackRate") == 0.75
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("l")
    wait_until(page, "Math.abs(document.getElementById('player').currentTime - 5) < 0.5")
    # a transcript sentence is reachable by keyboard and Enter opens its correction
    page.locator("#transcript .sent").first.focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'sentence-text'")
    page.screenshot(path=str(ARTIFACTS / "review_keyboard.png"))
    assert page.errors == []
    page.context.close()


def test_stale_approval_is_refused_and_both_texts_are_shown(browser, server, sample):
    page = new_page(browser, 1366)
    page.goto(f"{server}/r/{SLUG}")
    page.fill("#editor-name", "Kees")
    # after the page was loaded, a colleague's rule rewrites the sentence
    ReviewStore(sample.review_db).add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Bert")
    page.locator(f"#{SUM0} button[value=approve]").click()
    message = page.locator(f"#{SUM0} .item-msg")
    message.wait_for()
    text = message.inner_text()
    assert "open college over de krattenbundeling." in text and "open college over de Krachtenbundeling." in text
    assert text.startswith("Niet goedgekeurd: de tekst is gewijzigd"), text
    assert page.locator(f"#{SUM0} .badge").inner_text() == "Open", "nothing was approved"
    page.screenshot(path=str(ARTIFACTS / "review_stale_refused.png"))
    page.context.close()
