"""The speaker lane in headless Chromium (Dutch interface) at phone and desktop widths: rename a speaker
with the keyboard, split off the chosen sentence's time range, axe-core finds nothing serious."""
from __future__ import annotations

import pytest
from review_fixture import (
    SLUG,
    axe_problems,
    launched_chromium,
    no_horizontal_scroll,
    sample_paths,
    serving,
    wait_until,
)
from test_review_responsive import ARTIFACTS, new_page
from test_review_speakers import SAMPLE

from pipeline.editorial.speaker_edits import speaker_edits

pytestmark = [pytest.mark.browser]

LEGEND = "document.querySelector('#speaker-lane .speaker-legend').textContent"


@pytest.mark.parametrize("width", [390, 1366])
def test_rename_and_split_a_speaker_in_the_lane(tmp_path, width):
    paths = sample_paths(tmp_path)
    SAMPLE.save(paths.work_dir(SLUG) / "speakers.json")
    with serving(paths) as url, launched_chromium() as chromium:
        page = new_page(chromium, width)
        page.goto(f"{url}/r/{SLUG}")
        page.fill("#editor-name", "Kees")
        assert page.locator("#speaker-lane svg.speaker-lane rect.seek").count() == 4
        assert page.locator("#speaker-lane h2").inner_text().lower() == "sprekers"
        # keyboard only: open the panel, choose the voice, type the name, Enter
        summary = page.locator("#speaker-edit summary")
        summary.scroll_into_view_if_needed()
        summary.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('speaker-edit').open")
        page.focus("#spk-rename-who")
        page.select_option("#spk-rename-who", "SPEAKER_01")
        page.focus("#spk-rename-name")
        page.keyboard.type("Alex Smienk")
        page.keyboard.press("Enter")
        wait_until(page, f"{LEGEND}.includes('Alex Smienk')")
        assert page.evaluate("document.getElementById('speaker-edit').open"), "the panel stays open"
        assert page.evaluate("document.activeElement.closest('#speaker-rename') !== null"), "focus stays in the form"
        assert "spreker hernoemd" in page.inner_text("#flash")
        no_horizontal_scroll(page)
        ARTIFACTS.mkdir(exist_ok=True)
        if width < 1100:
            page.locator("#speaker-lane").scroll_into_view_if_needed()
        else:  # the tools column scrolls on its own: its top shows the lane right under the player
            page.evaluate("document.getElementById('tools').scrollTop = 0")
        page.screenshot(path=str(ARTIFACTS / f"review_speakers_{width}.png"))
        assert axe_problems(page) == []
        # split: the chosen sentence's time range goes to a new speaker
        sentence = page.locator("#sent-s000020500")
        sentence.scroll_into_view_if_needed()
        (sentence.tap if width < 600 else sentence.click)()
        page.locator("#spk-from-sentence").click()
        assert (page.input_value("#spk-split-start"), page.input_value("#spk-split-end")) == ("20.5", "25")
        page.fill("#spk-split-name", "Gast")
        page.locator("#speaker-split button.btn:not(.ghost)").click()
        wait_until(page, f"{LEGEND}.includes('Gast')")
        assert [(e.op, e.name) for e in speaker_edits(paths, SLUG)] == [("rename", "Alex Smienk"), ("split", "Gast")]
        assert page.locator("#speaker-lane .speaker-changes li").count() == 2
        page.screenshot(path=str(ARTIFACTS / f"review_speakers_split_{width}.png"))
        assert axe_problems(page) == []
        assert page.errors == []
        page.context.close()


def test_brackets_jump_to_the_previous_and_next_speaker_turn(tmp_path):
    paths = sample_paths(tmp_path)
    SAMPLE.save(paths.work_dir(SLUG) / "speakers.json")  # turns start at 0, 15, 25.5 and 29.5 s
    with serving(paths) as url, launched_chromium() as chromium:
        page = new_page(chromium, 1366)
        page.goto(f"{url}/r/{SLUG}")
        page.evaluate("document.activeElement.blur()")
        now = "document.getElementById('player').currentTime"
        for key, start in (("]", 15.0), ("]", 25.5), ("[", 15.0)):
            page.keyboard.press(key)
            wait_until(page, f"{now} >= {start} && {now} < {start} + 1.5")
            page.evaluate("document.getElementById('player').pause()")
        page.keyboard.press("?")
        assert "vorige of volgende sprekerbeurt" in page.inner_text("#help")
        assert page.errors == []
        page.context.close()
