"""The whole editor journey in real headless Chromium, in Dutch, at phone and desktop width (issue 12).

On the hand-made sample (no Whisper, so it is quick): open the recording list, open a recording,
seek by clicking a sentence, approve an item, edit one (an edit needs an approval, then is approved),
correct a misheard word in the transcript, undo it, bulk-approve a chapter, export (refused while a
page section has nothing approved, then downloaded). At every state axe-core finds no serious or
critical violation, the document is no wider than the screen, and a screenshot goes to test-artifacts/.

Then the same work by keyboard alone: Tab, Shift+Tab, Enter, Space, Escape and the app's shortcuts.
Focus stays on the item just acted on, and shortcuts never fire while a button or field has focus.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from review_fixture import (
    ARTIFACTS,
    axe_problems,
    build_sample,
    no_horizontal_scroll,
    serving,
    wait_until,
    with_generated_drafts,
)

from pipeline.core.config import DataPaths

pytestmark = [pytest.mark.browser]

WIDTHS = (390, 1366)
MISHEARD, FIXED = "krattenbundeling", "Krachtenbundeling"
FIRST_SENTENCE = "s000000000"  # 'Welkom bij dit open college over de krattenbundeling.'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One app over a data folder with a fresh copy of the sample per journey (they must not meet)."""
    paths = DataPaths(tmp_path_factory.mktemp("journey") / "data")
    for slug in [f"journey-{w}" for w in WIDTHS] + ["keyboard"]:
        build_sample(paths, slug)
        with_generated_drafts(paths, slug)  # a generated draft and rejected ones are on the page too
    with serving(paths) as url:
        yield url


def new_page(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


class States:
    """Checks every state of a journey the same way, and keeps a screenshot of it."""

    def __init__(self, page, name: str):
        self.page, self.name, self.n = page, name, 0
        ARTIFACTS.mkdir(exist_ok=True)

    def check(self, state: str) -> None:
        self.n += 1
        no_horizontal_scroll(self.page)
        assert axe_problems(self.page) == [], state
        assert self.page.evaluate("document.documentElement.lang") == "nl", state
        self.page.screenshot(path=str(ARTIFACTS / f"journey_{self.name}_{self.n:02d}_{state}.png"))


def card(page, kind: str, item_id: str):
    return page.locator(f"#item-{kind}-{item_id}")


def badge(locator, text: str) -> None:
    locator.locator(".badge", has_text=text).wait_for()


def focus_inside(page, element_id: str) -> bool:
    return page.evaluate(f"!!document.activeElement.closest('#{element_id}')")


@pytest.mark.parametrize("width", WIDTHS)
def test_whole_editor_journey_in_dutch(browser, server, width):
    slug = f"journey-{width}"
    page = new_page(browser, width)
    states = States(page, str(width))

    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Opnamen"
    states.check("list")

    page.click(f"a[href='/r/{slug}']")
    page.wait_for_selector("#player")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    page.fill("#editor-name", "Anne Redacteur")
    states.check("recording")

    # play from a sentence: clicking it seeks the player there (and opens its correction form)
    sentence = page.locator("#sent-s000020500")
    sentence.click()
    wait_until(page, "Math.abs(document.getElementById('player').currentTime - 20.5) < 0.3")
    page.evaluate("document.getElementById('player').pause()")
    assert page.locator("#sentence-form").is_visible()
    states.check("seek")
    page.click("#sentence-close")

    summary = card(page, "summary_sentence", "sum-s000000000")
    summary.locator("button[value=approve]").click()
    badge(summary, "Goedgekeurd")
    states.check("approved")

    quote = card(page, "quote", "quote-s000004500")
    edited = "Ik ben Floris Bakermans, van AT Osborne."
    quote.locator("summary", has_text="Bewerken").click()
    quote.locator("textarea").fill(edited)
    quote.locator("button", has_text="Bewerking opslaan").click()
    badge(quote, "Bewerkt, nog niet goedgekeurd")
    assert quote.locator("button[value=approve]").is_visible(), "an edit still needs an approval"
    states.check("edited")
    quote.locator("button[value=approve]").click()
    badge(quote, "Goedgekeurd")
    assert quote.locator(".item-text").inner_text() == edited
    states.check("edit_approved")

    # a misheard word, corrected once in the transcript, reaches the summary sentence made from it
    page.click(f"#sent-{FIRST_SENTENCE}")
    text = page.input_value("#sentence-text")
    page.fill("#sentence-text", text.replace(MISHEARD, FIXED))
    page.click("#sentence-form button.primary")
    page.locator(f"#sent-{FIRST_SENTENCE}.corrected").wait_for()
    assert FIXED in page.locator(f"#sent-{FIRST_SENTENCE}").inner_text()
    assert FIXED in summary.locator(".item-text").inner_text()
    states.check("corrected")

    page.locator("#history li").first.locator("button", has_text="ongedaan maken").click()
    page.locator(f"#sent-{FIRST_SENTENCE}:not(.corrected)").wait_for()
    assert MISHEARD in page.locator(f"#sent-{FIRST_SENTENCE}").inner_text()
    assert MISHEARD in summary.locator(".item-text").inner_text()
    states.check("undone")

    chapter = page.locator("#drafts section[aria-labelledby='chd-1']")
    pending = chapter.locator(".item:not(.state-approved)").count()
    assert pending >= 3
    chapter.locator("form.bulk-approve button").click()
    wait_until(page, "document.querySelectorAll(\"#drafts section[aria-labelledby='chd-1'] "
                     ".item:not(.state-approved)\").length === 0")
    assert card(page, "question", "qa-s000025500").locator(".badge").inner_text() == "Goedgekeurd"
    states.check("bulk_approved")

    # exporting the page while sections have nothing approved is refused with a message, not a download
    page.click(".export a[href$='export.md']")
    refusal = page.locator("#export-refused")
    refusal.wait_for()
    assert "Niet geëxporteerd" in refusal.inner_text()
    assert "Introductie: niets goedgekeurd" in refusal.inner_text()
    states.check("export_refused")
    page.click("#export-refused a.primary")
    page.wait_for_selector("#player")
    page.fill("#editor-name", "Anne Redacteur")
    for kind, item_id in (("introduction", "introduction"), ("speaker", "speaker-1")):
        card(page, kind, item_id).locator("button[value=approve]").click()
        badge(card(page, kind, item_id), "Goedgekeurd")
    with page.expect_download() as download:
        page.click(".export a[href$='export.md']")
    assert download.value.suggested_filename == f"{slug}.md"
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Ik ben Floris Bakermans, van AT Osborne" in markdown and "Floris Bakermans en Alex Smienk" in markdown
    with page.expect_download() as download:
        page.click(".export a[href$='export.srt']")
    assert "Welkom bij dit open college" in Path(download.value.path()).read_text(encoding="utf-8")
    states.check("exported")
    assert page.evaluate("window.__xss") is None
    assert page.errors == []
    page.context.close()


def tab_to(page, selector: str, key: str = "Tab", limit: int = 300) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} not reached with {key}")


def test_keyboard_only_journey(browser, server):
    page = new_page(browser, 1366)
    page.goto(f"{server}/r/keyboard")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    player_time = "document.getElementById('player').currentTime"

    tab_to(page, "#editor-name")
    page.keyboard.type("Kees")

    # approve with Space on the button: the button is pressed, the player does not start
    summary = card(page, "summary_sentence", "sum-s000000000")
    tab_to(page, "#item-summary_sentence-sum-s000000000 button[value=approve]")
    page.keyboard.press("l")  # a shortcut while a button has focus: nothing happens
    page.keyboard.press("a")
    assert page.evaluate(player_time) == 0 and summary.locator(".badge").inner_text() == "Open"
    page.keyboard.press("Space")
    badge(summary, "Goedgekeurd")
    assert page.evaluate("document.getElementById('player').paused")
    wait_until(page, "!!document.activeElement.closest('#item-summary_sentence-sum-s000000000')")

    # the shortcuts, with nothing focused: N goes to the next item to review, A approves it
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "item-introduction-introduction"
    page.keyboard.press("a")
    badge(card(page, "introduction", "introduction"), "Goedgekeurd")
    wait_until(page, "!!document.activeElement.closest('#item-introduction-introduction')")

    # edit a quote: Enter opens the editor, the text is typed, Enter on Save; then approve the edit
    quote_id = "item-quote-quote-s000004500"
    tab_to(page, f"#{quote_id} summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#{quote_id} textarea")
    page.keyboard.press("Control+a")
    page.keyboard.type("Ik ben Floris Bakermans.")  # letters in a field are typed, never shortcuts
    assert page.evaluate(player_time) == 0
    tab_to(page, f"#{quote_id} .edit-form button")
    page.keyboard.press("Enter")
    badge(page.locator(f"#{quote_id}"), "Bewerkt, nog niet goedgekeurd")
    wait_until(page, f"document.activeElement.matches('#{quote_id} button[value=approve]')")
    page.keyboard.press("Enter")
    badge(page.locator(f"#{quote_id}"), "Goedgekeurd")
    assert focus_inside(page, quote_id)

    # correct a misheard word: Tab to the sentence, Enter opens its form, focus comes back to it
    tab_to(page, f"#sent-{FIRST_SENTENCE}", "Shift+Tab")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'sentence-text'")
    page.keyboard.press("Control+a")
    page.keyboard.type(f"Welkom bij dit open college over de {FIXED}.")
    tab_to(page, "#sentence-form button.primary")
    page.keyboard.press("Enter")
    page.locator(f"#sent-{FIRST_SENTENCE}.corrected").wait_for()
    wait_until(page, f"document.activeElement.id === 'sent-{FIRST_SENTENCE}'")
    assert FIXED in summary.locator(".item-text").inner_text()

    # undo the correction from the history; focus stays on that history entry
    tab_to(page, "#history li:first-child button", "Shift+Tab")
    entry = page.evaluate("document.activeElement.closest('li').id")
    page.keyboard.press("Enter")
    page.locator(f"#sent-{FIRST_SENTENCE}:not(.corrected)").wait_for()
    wait_until(page, f"document.activeElement.id === '{entry}'")
    assert MISHEARD in summary.locator(".item-text").inner_text()

    # on an element that is neither a button nor a field, Space and K play and pause (Enter on the
    # sentence above started playback from it)
    paused = "document.getElementById('player').paused"
    before = page.evaluate(paused)
    page.keyboard.press("Space")
    wait_until(page, f"{paused} === {str(not before).lower()}")
    page.keyboard.press("k")
    wait_until(page, f"{paused} === {str(before).lower()}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey_keyboard.png"))
    assert page.errors == []
    page.context.close()
