"""Issue 12 item 4: one correction, everywhere. A transcript sentence correction is the single source:
the summary sentence, the quote, the answer and the recording summary drafted from it, the SRT/VTT
export and search all show the corrected words, although the drafts were cleaned (fillers removed,
capital first, full stop added) and no longer contain the sentence verbatim. An editor's own wording
of an item stays local to that item, and the app says so."""
from __future__ import annotations

import pytest
import srt
from fastapi.testclient import TestClient
from review_fixture import JSON, SLUG, app_client, build_sample, csrf

from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.editorial.corrections import Corrections, edit_hunks
from pipeline.editorial.store import ReviewStore
from pipeline.index import stage as index
from pipeline.index.api import search
from pipeline.publish.export import export_text
from pipeline.runner.run import run_recording

SPOKEN = "eh welkom bij dit open college over de krattenbundeling, van de provincie"
FIXED = "eh welkom bij dit open college over de Krachtenbundeling, van de provincie"
ANSWER = "Uit ervaring blijkt dat er veel kennis zit bij burgers en marktpartijen."


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    """The sample with drafts as the drafts stage makes them: cleaned, so not verbatim."""
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    work = paths.work_dir(SLUG)
    sentences = fsutil.read_json(work / "sentences.json")
    sentences["sentences"][0]["text"] = SPOKEN
    fsutil.write_json(work / "sentences.json", sentences)
    drafts = fsutil.read_json(work / "drafts.json")
    summary = drafts["chapters"][0]["summary"][0]
    summary["text"] = "Welkom bij dit open college over de krattenbundeling, van de provincie."
    drafts["chapters"][0]["quotes"][0].update(
        id="quote-s000000000", sentence_id="s000000000", start=0.0, end=4.0,
        text="welkom bij dit open college over de krattenbundeling, van de provincie")
    drafts["summary"] = ("Welkom bij dit open college over de krattenbundeling, van de provincie. "
                         "Het programma bundelt de krachten van overheden.")
    drafts["questions"][0]["answer"] = "Uit ervaring blijkt dat er veel kennis zit bij burgers en marktpartijen"
    fsutil.write_json(work / "drafts.json", drafts)
    return paths


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths)




def texts(client) -> dict[tuple[str, str], str]:
    return {(i["kind"], i["id"]): i["text"] for i in client.get(f"/r/{SLUG}/state.json").json()["items"]}


def correct(client, sentence_id: str, text: str):
    answer = client.post(f"/r/{SLUG}/sentences/{sentence_id}", headers=JSON,
                         data={"csrf": csrf(client), "editor": "Anne", "text": text, "version": "0"})
    assert answer.status_code == 200, answer.text


def test_a_word_fixed_once_is_fixed_everywhere(client, paths):
    before = texts(client)
    assert "krattenbundeling" in before[("summary_sentence", "sum-s000000000")]
    correct(client, "s000000000", FIXED)
    correct(client, "s000029500", ANSWER.replace("burgers", "inwoners"))
    after = texts(client)
    assert after[("summary_sentence", "sum-s000000000")] == \
        "Welkom bij dit open college over de Krachtenbundeling, van de provincie."
    assert after[("quote", "quote-s000000000")] == "welkom bij dit open college over de Krachtenbundeling, van de provincie"
    assert after[("summary", "summary")].startswith("Welkom bij dit open college over de Krachtenbundeling, van")
    assert after[("answer", "qa-s000025500")] == "Uit ervaring blijkt dat er veel kennis zit bij inwoners en marktpartijen"
    assert after[("keyphrases", "kp-0")] == before[("keyphrases", "kp-0")], "untouched items stay as they were"
    page = client.get(f"/r/{SLUG}").text
    assert page.count("Includes corrections made in the transcript.") == 4
    # the subtitles
    cues = [c.content.replace("\n", " ") for c in srt.parse(export_text(paths, SLUG, "srt"))]
    assert any("de Krachtenbundeling, van de provincie" in c for c in cues) and "krattenbundeling" not in " ".join(cues)
    # and search (the index stage reads the corrections)
    assert run_recording(paths, SLUG, [index.STAGE])[0].status == "ran"
    hits = search(paths, "krachtenbundeling")
    assert any("de Krachtenbundeling, van de provincie" in h.text for h in hits)
    assert not any("krattenbundeling" in h.text for h in search(paths, "krattenbundeling"))


def test_an_approved_page_exports_the_corrected_words(client, paths):
    correct(client, "s000000000", FIXED)
    store = ReviewStore(paths.review_db)
    shown = texts(client)
    for kind, item_id in (("summary_sentence", "sum-s000000000"), ("quote", "quote-s000000000"), ("summary", "summary")):
        answer = client.post(f"/r/{SLUG}/items/{kind}/{item_id}", headers=JSON, data={
            "csrf": csrf(client), "editor": "Anne", "action": "approve", "version": "0", "seen": shown[(kind, item_id)]})
        assert answer.status_code == 200, answer.text
    md = export_text(paths, SLUG, "md")
    assert md.count("Krachtenbundeling, van de provincie") == 3 and "krattenbundeling," not in md
    assert store.item(SLUG, "quote", "quote-s000000000").status == "approved"


def test_an_editors_wording_stays_local_and_the_app_says_so(client):
    token = csrf(client)
    edited = "Welkom bij het open college over de krattenbundeling."
    answer = client.post(f"/r/{SLUG}/items/summary_sentence/sum-s000000000", headers=JSON, data={
        "csrf": token, "editor": "Anne", "action": "edit", "version": "0", "text": edited})
    assert answer.status_code == 200
    correct(client, "s000000000", FIXED)
    after = texts(client)
    assert after[("summary_sentence", "sum-s000000000")] == edited, "the editor's wording is theirs"
    assert "Krachtenbundeling" in after[("quote", "quote-s000000000")], "the correction still reaches the rest"
    page = client.get(f"/r/{SLUG}").text
    card = page[page.index('id="item-summary_sentence-sum-s000000000"'):]
    card = card[:card.index("</article>")]
    assert "Your wording stays in this item only: later transcript corrections do not change it." in card
    assert "An edit stays in this item only" in card, "the edit form says it before saving"


def test_corrections_reach_only_the_sentence_they_belong_to():
    hunks = edit_hunks("ik geloof in deze dialog en we voeren deze dialog", "ik geloof in deze dialoog en we voeren deze dialoog")
    assert [(h.old, h.new) for h in hunks] == [(("dialog",), ("dialoog",))] * 2
    c = Corrections(sentence_edits={"s1": ("de straat van je pratar is smal", "de Straat van Gibraltar is smal")})
    machine = {"s1": "de straat van je pratar is smal"}
    assert c.derived_text("De straat van je pratar is smal.", machine, ["s1"]) == "De Straat van Gibraltar is smal."
    assert c.derived_text("Dus van je pratar weet ik niets.", machine, None) == "Dus van je pratar weet ik niets.", \
        "in text from any sentence, a change needs its neighbouring words"
    assert c.derived_text("Zo. Van je pratar is smal.", machine, None) == "Zo. Van Gibraltar is smal."
    stale = {"s1": "de straat van je pratar is breed"}
    assert c.derived_text("De straat van je pratar is smal.", stale, ["s1"]) == "De straat van je pratar is smal."
