"""Page rendering (shared with the review app's export): structure, language, escaping."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pipeline.artifacts.manifest import Speaker
from pipeline.publish.page import (
    PageChapter,
    PageDraft,
    PageQuestion,
    PageQuote,
    draft_introduction,
    format_date,
    moment_link,
    render_html,
    render_markdown,
)

SPEAKERS = [Speaker("Floris Bakermans", "AT Osborne", "Programmasecretaris"), Speaker("Alex Smienk", "Provincie Overijssel")]


def _page(language="nl", **changes) -> PageDraft:
    base = dict(
        language=language, title="Open college <Krachten> & co", introduction="Op vrijdag 17 juni gaven ...",
        chapters=[PageChapter(0, "intro", moment_link("../../recordings/x/a b.mp4", 0)),
                  PageChapter(125.9, "Floris & Alex", moment_link("../../recordings/x/a b.mp4", 125.9))],
        summary="Kosten < 5 procent & <script>alert(1)</script>.\n\nTweede alinea.",
        quotes=[PageQuote("Er gebeurden al veel goede dingen, maar te versnipperd.", "Floris")],
        questions=[PageQuestion("Hoe kan AI helpen?", "Interessant om te verkennen.", "Floris"),
                   PageQuestion("Nog een vraag?")],
        speakers=SPEAKERS)
    return PageDraft(**{**base, **changes})


def test_dutch_markdown_has_the_seed_structure():
    md = render_markdown(_page())
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Terugkijken: Open college \\<Krachten\\> & co", "## Introductie", "## Inhoudsopgave",
                        "## Samenvatting", "## Openstaande Q&A", "## Sprekers"]
    assert "- [00:00:00 - intro](../../recordings/x/a%20b.mp4#t=0)" in md
    assert "- [00:02:05 - Floris & Alex](../../recordings/x/a%20b.mp4#t=125)" in md
    assert "> \u201cEr gebeurden al veel goede dingen, maar te versnipperd,\u201d vertelt Floris." in md
    assert "**Vraag:** Hoe kan AI helpen?" in md and "**Antwoord Floris:** Interessant om te verkennen." in md
    assert "\\<script\\>" in md and "<script>" not in md
    assert render_markdown(_page()) == md  # deterministic


def test_english_headings():
    md = render_markdown(_page("en", title="Watch again: Traffic"))
    assert [l for l in md.splitlines() if l.startswith("#")] == [
        "# Watch again: Traffic", "## Introduction", "## Contents", "## Summary", "## Open Q&A", "## Speakers"]
    assert "says Floris." in md and "**Question:** Hoe kan AI helpen?" in md


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k == "href"]

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_escaped_and_links_are_safe():
    page = _page(chapters=[PageChapter(0, "intro", "javascript:alert(1)"),
                           PageChapter(60, "next", moment_link("media/a&b.mp4", 60))])
    html = render_html(page)
    parsed = _Collector()
    parsed.feed(html)
    assert "script" not in parsed.tags
    assert "Kosten < 5 procent & <script>alert(1)</script>." in "".join(parsed.text)
    assert "&lt;script&gt;" in html and "Openstaande Q&amp;A" in html
    assert parsed.links == ["media/a%26b.mp4#t=60"]  # the javascript: link is dropped, the text stays
    assert "<li><span class=\"time\">00:00:00</span>intro</li>" in html
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")


def test_empty_sections_are_left_out():
    md = render_markdown(PageDraft(language="nl", title="Alleen een titel"))
    assert md == "# Terugkijken: Alleen een titel\n"


def test_introduction_from_metadata():
    nl = draft_introduction("Open college X", "2022-06-17", SPEAKERS, ["data", "regio Oost"], "nl")
    assert nl.startswith("Op vrijdag 17 juni 2022 gaven Floris Bakermans (AT Osborne) en Alex Smienk (Provincie Overijssel)")
    assert "data en regio Oost" in nl
    en = draft_introduction("Lecture", "", [Speaker("Jane Doe")], [], "en")
    assert en == "Jane Doe gave the lecture \u2018Lecture\u2019. You can watch the lecture again below."
    assert format_date("17 juni", "nl") == "17 juni"


@pytest.mark.parametrize("language, headings", [
    ("nl", ["Introductie", "Inhoudsopgave", "Samenvatting", "Openstaande Q&amp;A", "Sprekers"]),
    ("en", ["Introduction", "Contents", "Summary", "Open Q&amp;A", "Speakers"]),
])
def test_html_is_styled_self_contained_and_in_the_page_language(language, headings):
    from pipeline.artifacts.manifest import Speaker
    from pipeline.publish.page import (
        PageChapter,
        PageDraft,
        PageQuestion,
        PageQuote,
        render_html,
    )
    page = PageDraft(language=language, title="T", introduction="Intro.", chapters=[PageChapter(65, "Deel", "m.mp4#t=65")],
                     summary="Sum.", quotes=[PageQuote("Q.", "Ann")], questions=[PageQuestion("Why?", "Because.", "Ann")],
                     speakers=[Speaker("Ann B", "Org")])
    out = render_html(page)
    assert f'<html lang="{language}">' in out and "<style>" in out and 'name="viewport"' in out
    assert not re.search(r"<link|<script|@import|url\(|src=", out)  # nothing fetched from elsewhere
    positions = [out.index(f"<h2>{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert '<a href="m.mp4#t=65"><span class="time">00:01:05</span>Deel</a>' in out and '<div class="qa">' in out
