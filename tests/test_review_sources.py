"""The recording page says where each draft came from (the transcript, the page, a language model)
and lists what the grounding check rejected (issue 12)."""
from __future__ import annotations

import re

from review_fixture import SLUG, app_client, sample_paths, with_generated_drafts


def card(page: str, dom_id: str) -> str:
    start = page.index(f'id="{dom_id}"')
    return page[start:page.index("</article>", start)]


def test_each_draft_shows_its_source_and_rejected_drafts_are_listed(tmp_path):
    paths = sample_paths(tmp_path)
    with_generated_drafts(paths, SLUG)
    page = app_client(paths, None).get(f"/r/{SLUG}").text
    generated = card(page, "item-summary_sentence-sum-s000015000")
    assert 'class="source source-llm"' in generated and "geschreven door een taalmodel (qwen2.5-7b)" in generated
    assert "van de pagina" in card(page, "item-introduction-introduction")
    assert "uit het transcript" in card(page, "item-summary_sentence-sum-s000000000")
    assert "uit het transcript" in card(page, "item-quote-quote-s000004500")
    assert "van de pagina" in card(page, "item-speaker-speaker-1")

    section = page[page.index('id="rejected-drafts"'):]
    section = section[:section.index("</section>")]
    assert "Afgewezen door de controle op het transcript" in section
    rows = re.findall(r'<li class="rejected-draft">(.*?)</li>', section, re.DOTALL)
    assert len(rows) == 2
    assert "Hoofdstuk 2" in rows[0] and "40 miljoen euro" in rows[0]
    assert ("getal(len) niet in de geciteerde zinnen: 40; maar 40% van de inhoudswoorden staat in de geciteerde "
            "zinnen (ontbreekt: programma, kost)") in rows[0]  # stored in English, shown in Dutch
    assert "Samenvatting van de opname" in rows[1]
    assert "name not in the transcript: Jansen" in rows[1]  # a reason no template knows: shown as stored
    english = app_client(paths, "en").get(f"/r/{SLUG}").text
    assert "number(s) not in the cited sentences: 40; only 40% of its content words" in english
    assert "<script>window.__xss" not in section and "&lt;script&gt;" in section, "escaped, never run"


def test_without_rejected_drafts_there_is_no_section(tmp_path):
    paths = sample_paths(tmp_path)
    page = app_client(paths, "en").get(f"/r/{SLUG}").text
    assert 'id="rejected-drafts"' not in page
    assert ">from the transcript<" in page
