"""The review app in real headless Chromium on a recording processed by the real pipeline.

One module-scoped recording: five real Flemish clips joined with ffmpeg, run through every stage
(Whisper base mishears 'Gibraltar' as 'je pratar' or 'je praaltar' and 'dialoog' as 'dialog': real corrections to
make). The editor's journey: seek from a summary sentence, approve, edit a quote, correct a
misheard word, add a quote by selecting transcript text, reload, re-run the pipeline with
--force, and check that nothing was lost and hostile text stays inert.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from review_fixture import (
    build_sample,
    serving,
    wait_until,
)

from pipeline.core.config import DataPaths
from pipeline.editorial.store import ReviewStore
from pipeline.extract.ffmpeg import ffmpeg_exe
from pipeline.ingest.add import add_recording
from pipeline.runner.run import run_recording
from pipeline.runner.stage import STAGE_ORDER
from pipeline.stages import all_stages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared" / "testdata" / "nl_flemish_dutch_vl_tts_samples"
ARTIFACTS = ROOT / "test-artifacts"
SLUG = "vlaams"
MISHEARD = re.compile(r"je pra+l?tar")
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
PAGE = """Terugkijken: Open college Krachtenbundeling in Vlaanderen

Introductie

Op vrijdag 17 juni gaven Floris Bakermans en Alex Smienk een kort open college.

Inhoudsopgave

00:00:00 - intro
00:00:08 - De Straat van Gibraltar en de dialoog

Sprekers

Floris Bakermans
Floris Bakermans
AT Osborne
Programmasecretaris Smart Mobility
"""


def _join_clips(out: Path) -> Path:
    clips = sorted(CLIPS.glob("*.wav"))
    inputs = [arg for clip in clips for arg in ("-i", str(clip))]
    pads = "".join(f"[{i}:a]aresample=22050,apad=pad_dur=1.2[a{i}];" for i in range(len(clips)))
    joined = "".join(f"[a{i}]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1[out]"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex",
                    pads + joined, "-map", "[out]", "-c:a", "libvorbis", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> DataPaths:
    """A real recording run through every pipeline stage once."""
    if not CLIPS.is_dir():
        pytest.skip(f"{CLIPS} not found")
    base = tmp_path_factory.mktemp("review-browser")
    (base / "page.txt").write_text(PAGE, encoding="utf-8")
    paths = DataPaths(base / "data")
    add_recording(paths, SLUG, _join_clips(base / "talk.ogg"), page=base / "page.txt")
    results = run_recording(paths, SLUG, all_stages())
    assert [r.status for r in results] == ["ran"] * len(results), [(r.stage, r.error) for r in results]
    return paths


@pytest.fixture(scope="module")
def server(processed):
    with serving(processed) as url:
        yield url


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def open_recording(page, server: str) -> None:
    page.goto(server + "/")
    page.click(f"a[href='/r/{SLUG}']")
    page.wait_for_selector("#player")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    page.fill("#editor-name", "Anne Editor")


def card(page, kind: str, n: int = 0):
    return page.locator(f"#drafts .item[data-kind='{kind}']").nth(n)


def wait_saved(page, locator, badge: str) -> None:
    locator.locator(".badge", has_text=badge).wait_for()


def test_editor_journey_survives_reload_and_reprocessing(page, server, processed):
    open_recording(page, server)
    assert page.title().startswith("Open college Krachtenbundeling in Vlaanderen")
    assert page.evaluate("document.documentElement.lang") == "nl", "the interface is Dutch by default"

    # 1. a summary sentence seeks the player to its start
    later = page.locator("#drafts .item[data-kind='summary_sentence'] .item-text.seek").last
    start = float(later.get_attribute("data-start"))
    assert start > 5
    later.click()
    assert abs(current_time(page) - start) < 1.0
    page.evaluate("document.getElementById('player').pause()")

    # keyboard: forward and back 5 s, and the transcript follows the player
    page.locator("body").press("l")
    assert abs(current_time(page) - (start + 5)) < 1.0
    page.locator("body").press("j")
    page.locator("body").press("j")
    assert abs(current_time(page) - (start - 5)) < 1.0
    page.evaluate(f"document.getElementById('player').currentTime = {start + 0.3}")
    wait_until(page, f"(document.querySelector('.sent.current') || {{}}).dataset?.start == '{start}'")

    # 2. approve the first summary sentence
    first = card(page, "summary_sentence", 0)
    approved_id = first.get_attribute("id")
    first.locator("button[value=approve]").click()
    wait_saved(page, page.locator(f"#{approved_id}"), "Goedgekeurd")

    # 3. edit a quote
    quote = card(page, "quote", 0)
    quote_id = quote.get_attribute("id")
    machine_quote = quote.locator(".item-text").inner_text()
    edited = machine_quote.replace("dialog", "dialoog").replace("zeeinkte", "zee-engte").rstrip(".") + "!"
    quote.locator("summary", has_text="Bewerken").click()
    quote.locator("textarea").fill(edited)
    quote.locator("button", has_text="Bewerking opslaan").click()
    wait_saved(page, page.locator(f"#{quote_id}"), "Bewerkt, nog niet goedgekeurd")
    # an edit still needs an approval before it is published
    page.locator(f"#{quote_id} button[value=approve]").click()
    wait_saved(page, page.locator(f"#{quote_id}"), "Goedgekeurd")

    # 4. correct a misheard word: Whisper heard 'je pratar' (or 'je praaltar') for 'Gibraltar'
    misheard = page.locator("#transcript .sent", has_text=MISHEARD)
    sentence_id = misheard.get_attribute("id")
    misheard.click()
    fixed = MISHEARD.sub("Gibraltar", misheard.inner_text())
    page.fill("#sentence-text", fixed)
    page.click("#sentence-form button")
    page.locator(f"#{sentence_id}.corrected").wait_for()
    assert page.locator(f"#{sentence_id}").inner_text() == fixed

    # 5. add a quote by selecting transcript words
    page.evaluate("""() => {
        const span = document.querySelector('#transcript .sent[data-start="12.26"]') ||
                     document.querySelectorAll('#transcript .sent')[3];
        const text = span.firstChild, from = text.data.indexOf('we zullen');
        const range = document.createRange();
        range.setStart(text, from); range.setEnd(text, text.data.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }""")
    page.locator("#add-quote").click()
    added = page.locator("#drafts .item[data-kind='quote'][data-id='added-1']")
    added.wait_for()
    assert "we zullen" in added.locator(".item-text").inner_text()

    # 6. hostile text in an edit stays text
    other = card(page, "quote", 1)
    other_id = other.get_attribute("id")
    other.locator("summary", has_text="Bewerken").click()
    other.locator("textarea").fill("Citaat " + XSS)
    other.locator("button", has_text="Bewerking opslaan").click()
    wait_saved(page, page.locator(f"#{other_id}"), "Bewerkt, nog niet goedgekeurd")

    for when in ("after reload", "after re-processing"):
        if when == "after re-processing":
            results = run_recording(processed, SLUG, all_stages(), force=True)
            assert all(r.status == "ran" for r in results), [(r.stage, r.error) for r in results]
        page.reload()
        page.wait_for_selector("#player")
        assert page.locator(f"#{approved_id} .badge").inner_text() == "Goedgekeurd", when
        assert page.locator(f"#{quote_id} .badge").inner_text() == "Goedgekeurd", when
        assert page.locator(f"#{quote_id} .item-text").inner_text() == edited, when
        assert page.locator(f"#{sentence_id}").inner_text() == fixed, when
        assert "corrected" in page.locator(f"#{sentence_id}").get_attribute("class"), when
        assert page.locator("#drafts .item[data-kind='quote'][data-id='added-1'] .badge").inner_text() == "Goedgekeurd"
        assert page.locator("#drafts .state-stale").count() == 0, when
        assert page.evaluate("window.__xss") is None, when
        assert XSS in page.locator(f"#{other_id} .item-text").inner_text(), when

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f"#{sentence_id}").click()
    page.evaluate("document.getElementById('player').pause()")
    page.screenshot(path=str(ARTIFACTS / "review_recording.png"))
    assert page.errors == []

    # the corrected text reaches the export
    srt = page.request.get(f"{server}/r/{SLUG}/export.srt").text()
    assert "Gibraltar" in srt and not MISHEARD.search(srt)
    md = page.request.get(f"{server}/r/{SLUG}/export.md?allow=1").text()
    assert edited.rstrip("!") in md, "the approved edit is published"
    assert "Citaat <img" not in md, "an edit that was never approved is not"


def test_conflicting_save_in_a_second_tab_is_refused_and_shown(browser, server):
    first, second = (browser.new_context(viewport={"width": 1366, "height": 900}).new_page() for _ in range(2))
    for tab in (first, second):
        open_recording(tab, server)
    target = "#drafts .item[data-kind='keyphrases']"
    item_id = first.locator(target).first.get_attribute("id")
    first.locator(f"#{item_id} button[value=reject]").click()
    wait_saved(first, first.locator(f"#{item_id}"), "Afgewezen")
    second.locator(f"#{item_id} summary", has_text="Bewerken").click()
    second.locator(f"#{item_id} textarea").fill("my keyphrases")
    second.locator(f"#{item_id} button", has_text="Bewerking opslaan").click()
    message = second.locator(f"#{item_id} .item-msg")
    message.wait_for()
    assert "Niet opgeslagen: Anne Editor heeft dit onderdeel" in message.inner_text()
    assert "my keyphrases" in message.inner_text(), "the refused text is shown so it is not lost"
    assert second.locator(f"#{item_id} .badge").inner_text() == "Afgewezen", "the current version is shown"
    second.screenshot(path=str(ARTIFACTS / "review_conflict.png"))


def test_recording_list_shows_progress(page, server):
    page.goto(server + "/")
    row = page.locator("table.recordings tbody tr").first
    assert row.locator(".stage-done").count() == len(STAGE_ORDER)
    assert "goedgekeurd" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "review_list.png"))
    # a link to a moment (as the search page makes) opens the recording there
    page.goto(f"{server}/r/{SLUG}?t=12.5")
    wait_until(page, "Math.abs(document.getElementById('player').currentTime - 12.5) < 0.5")
    wait_until(page, """(() => { const all = [...document.querySelectorAll('#transcript .sent')];
        const i = all.findIndex((s) => s.classList.contains('current'));
        return i >= 0 && +all[i].dataset.start <= 12.5 && (i + 1 === all.length || +all[i + 1].dataset.start > 12.5);
    })()""")


def test_every_review_state_is_visibly_distinct(page, tmp_path):
    """Approved, edited, rejected, stale and open items look different (colour and label)."""
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, "states")
    store = ReviewStore(paths.review_db)
    decide = lambda kind, item_id, action, source, text=None: store.set_item(  # noqa: E731
        "states", kind, item_id, action, source_text=source, editor="Anne", expected_version=0, text=text)
    decide("introduction", "introduction", "approve",
           "Floris Bakermans en Alex Smienk gaven een open college over de krattenbundeling.")
    decide("summary", "summary", "edit", "Het programma bundelt de krachten van overheden.",
           "Het programma Krachtenbundeling bundelt de krachten van Rijk, provincies en gemeenten.")
    decide("summary_sentence", "sum-s000000000", "reject", "Welkom bij dit open college over de krattenbundeling.")
    decide("summary_sentence", "sum-s000009500", "approve", "An older machine sentence.")  # source changed
    with serving(paths) as url:
        page.goto(f"{url}/r/states")
        colours = {}
        for state in ("approved", "edited", "rejected", "stale", "open"):
            item = page.locator(f"#drafts .item.state-{state}").first
            colours[state] = item.evaluate("el => getComputedStyle(el).borderLeftColor")
            label = item.locator(".badge").inner_text()
            assert label == {"stale": "Verouderd: bron gewijzigd", "approved": "Goedgekeurd", "open": "Open",
                             "edited": "Bewerkt, nog niet goedgekeurd", "rejected": "Afgewezen"}[state]
        assert len(set(colours.values())) == 5, colours
        assert page.locator("#drafts .state-stale .stale-note").inner_text().startswith(
            "De tekst van de pijplijn is gewijzigd")
        assert page.locator("#drafts .state-stale .stale-note ins").count() >= 1, "a word diff of the source"
        assert page.evaluate("window.__xss") is None
        page.screenshot(path=str(ARTIFACTS / "review_states.png"))
