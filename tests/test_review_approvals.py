"""Approvals that mean what they say (issue 12, item 3), through the app's HTTP interface."""
from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from review_fixture import (
    JSON,
    SLUG,
    app_client,
    csrf,
    sample_paths,
)

from pipeline.core.config import DataPaths
from pipeline.editorial.store import ReviewStore
from pipeline.editorial.worddiff import word_diff

WELCOME = "Welkom bij dit open college over de krattenbundeling."
SUM0 = "sum-s000000000"


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths)




def item(client: TestClient, kind: str, item_id: str) -> dict:
    items = client.get(f"/r/{SLUG}/state.json").json()["items"]
    return next(i for i in items if i["kind"] == kind and i["id"] == item_id)


def card_html(page: str, dom_id: str) -> str:
    return page.split(f'id="{dom_id}"')[1].split("</article>")[0]


def act(client, token, kind, item_id, **fields):
    return client.post(f"/r/{SLUG}/items/{kind}/{item_id}", data={"csrf": token, "editor": "Anne", **fields},
                       headers=JSON)


def test_edited_item_still_needs_approval_before_export(client):
    token = csrf(client)
    edited = "Welkom bij dit open college over de Krachtenbundeling!"
    assert act(client, token, "summary_sentence", SUM0, action="edit", text=edited, version="0").status_code == 200
    assert item(client, "summary_sentence", SUM0)["state"] == "edited"
    page = client.get(f"/r/{SLUG}").text
    assert 'value="approve"' in card_html(page, f"item-summary_sentence-{SUM0}"), "an edited card offers Approve"
    assert edited not in client.get(f"/r/{SLUG}/export.md?allow=1").text
    assert client.get(f"/r/{SLUG}/state.json").json()["counts"]["edited"] == 1
    done = act(client, token, "summary_sentence", SUM0, action="approve", version="1", seen=edited)
    assert done.status_code == 200 and done.json()["item"]["status"] == "approved"
    assert done.json()["item"]["text"] == edited, "approving an edit keeps the edited text"
    assert edited in client.get(f"/r/{SLUG}/export.md?allow=1").text


def test_approval_sends_the_shown_text_and_the_page_carries_it(client):
    page = client.get(f"/r/{SLUG}").text
    card = card_html(page, f"item-summary_sentence-{SUM0}")
    assert f'name="seen" value="{WELCOME}"' in card
    missing = act(client, csrf(client), "summary_sentence", SUM0, action="approve", version="0")
    assert missing.status_code == 422 and "seen" in missing.json()["error"]
    assert item(client, "summary_sentence", SUM0)["state"] == "open"


def test_approval_of_text_that_changed_since_loading_is_refused_with_both_texts(client, paths):
    token = csrf(client)
    seen = item(client, "summary_sentence", SUM0)["text"]
    # after the page was loaded, a colleague adds a rule that rewrites the sentence
    ReviewStore(paths.review_db).add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Bert")
    refused = act(client, token, "summary_sentence", SUM0, action="approve", version="0", seen=seen)
    assert refused.status_code == 409
    body = refused.json()
    assert body["seen"] == seen and body["current"]["text"] == WELCOME.replace("kratten", "Krachten")
    assert seen in body["error"] and body["current"]["text"] in body["error"]
    assert item(client, "summary_sentence", SUM0)["state"] == "open", "nothing recorded"
    # a plain form post gets an HTML page with both texts
    plain = client.post(f"/r/{SLUG}/items/summary_sentence/{SUM0}",
                        data={"csrf": token, "editor": "Anne", "action": "approve", "version": "0", "seen": seen})
    assert plain.status_code == 409 and html.escape(seen, quote=False) in html.unescape(plain.text)
    # approving what is shown now works
    assert act(client, token, "summary_sentence", SUM0, action="approve", version="0",
               seen=body["current"]["text"]).status_code == 200


def test_approval_refused_when_the_pipeline_rewrote_the_draft(client, paths):
    token = csrf(client)
    seen = item(client, "summary", "summary")["text"]
    drafts = paths.work_dir(SLUG) / "drafts.json"
    drafts.write_text(drafts.read_text().replace("bundelt de krachten", "verbindt de krachten"))
    refused = act(client, token, "summary", "summary", action="approve", version="0", seen=seen)
    assert refused.status_code == 409 and "verbindt" in refused.json()["current"]["text"]


def fingerprints(page: str, chapter: int) -> list[str]:
    form = page.split(f'action="/r/{SLUG}/chapters/{chapter}/approve"')[1].split("</form>")[0]
    return re.findall(r'name="seen" value="([^"]+)"', form)


def test_bulk_approve_of_a_chapter_approves_only_unchanged_items(client, paths):
    token = csrf(client)
    page = client.get(f"/r/{SLUG}").text
    shown = fingerprints(page, 0)
    assert len(shown) == 4, shown  # two summary sentences, the keyphrases and the quote of chapter 0
    assert "Approve all 4 unchanged in this chapter" in page
    # meanwhile Bert edits one of them: that one must not be approved unseen
    ReviewStore(paths.review_db).set_item(SLUG, "quote", "quote-s000004500", "edit",
                                          source_text="Ik ben Floris Bakermans van AT Osborne.",
                                          editor="Bert", expected_version=0, text="Ik ben Floris.")
    done = client.post(f"/r/{SLUG}/chapters/0/approve", data={"csrf": token, "editor": "Anne", "seen": shown},
                       headers=JSON)
    assert done.status_code == 200, done.text
    body = done.json()
    assert len(body["approved"]) == 3 and [s["id"] for s in body["skipped"]] == ["quote-s000004500"]
    assert item(client, "quote", "quote-s000004500")["state"] == "edited"
    assert item(client, "keyphrases", "kp-0")["state"] == "approved"
    assert item(client, "summary_sentence", "sum-s000015000")["state"] == "open", "other chapters untouched"
    # the button now offers only the item still waiting
    assert "Approve all 1 unchanged in this chapter" in client.get(f"/r/{SLUG}").text


def test_bulk_approve_needs_a_name_csrf_and_a_real_chapter(client):
    token = csrf(client)
    nameless = client.post(f"/r/{SLUG}/chapters/0/approve", data={"csrf": token, "seen": ["x"]}, headers=JSON)
    assert nameless.status_code == 422
    assert client.post(f"/r/{SLUG}/chapters/0/approve", data={"editor": "A"}, headers=JSON).status_code == 403
    missing = client.post(f"/r/{SLUG}/chapters/7/approve", data={"csrf": token, "editor": "A"}, headers=JSON)
    assert missing.status_code == 422 and "no chapter 7" in missing.json()["error"]
    assert client.get(f"/r/{SLUG}/state.json").json()["counts"]["approved"] == 0


def test_stale_item_shows_a_word_diff_of_old_and_new_source(client, paths):
    ReviewStore(paths.review_db).set_item(SLUG, "summary_sentence", SUM0, "approve",
                                          source_text="Welkom bij dit gesloten college over de krattenbundeling.",
                                          editor="Anne", expected_version=0)
    card = card_html(client.get(f"/r/{SLUG}").text, f"item-summary_sentence-{SUM0}")
    assert "state-stale" in client.get(f"/r/{SLUG}").text
    assert "<del>gesloten</del>" in card and "<ins>open</ins>" in card


def test_word_diff_marks_words_not_letters():
    assert word_diff("we voeren de dialog", "we voeren de dialoog nu") == [
        ("same", "we voeren de"), ("del", "dialog"), ("ins", "dialoog nu")]
    assert word_diff("a b", "a b") == [("same", "a b")]
    assert word_diff("", "nieuw") == [("ins", "nieuw")]
