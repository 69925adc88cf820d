"""The review app through an HTTP client: pages, changes, conflicts, media ranges, security."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from review_fixture import (
    JSON,
    SLUG,
    XSS,
    app_client,
    csrf,
    sample_paths,
)

from pipeline.artifacts.manifest import load_recording, save_recording
from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError
from pipeline.review.app import check_bind, create_app


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths)




def state(client: TestClient) -> dict:
    return client.get(f"/r/{SLUG}/state.json").json()


def item(client: TestClient, kind: str, item_id: str) -> dict:
    return next(i for i in state(client)["items"] if i["kind"] == kind and i["id"] == item_id)


def post(client, url, token, **fields):
    if fields.get("action") == "approve" and "seen" not in fields and "/items/" in url:
        # an approval names the text the editor saw: here, the text the app shows now
        kind, item_id = url.split("/items/")[1].split("/", 1)
        found = [i for i in state(client)["items"] if i["kind"] == kind and i["id"] == item_id]
        fields["seen"] = found[0]["text"] if found else ""
    return client.post(url, data={"csrf": token, "editor": "Anne", **fields}, headers=JSON)


def test_recording_list_shows_progress(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Open college Krachtenbundeling" in page.text and f'href="/r/{SLUG}"' in page.text
    assert "0</b> approved" in page.text and "14 open" in page.text


def test_recording_page_escapes_transcript_text(client):
    page = client.get(f"/r/{SLUG}")
    assert page.status_code == 200
    assert XSS not in page.text and "<script>window" not in page.text
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.text.count('class="sent') == 7 and 'data-start="15.0"' in page.text


def test_approve_persists_and_is_recorded(client):
    token = csrf(client)
    quote_id = "quote-s000015000"
    done = post(client, f"/r/{SLUG}/items/quote/{quote_id}", token, action="approve", version="0")
    assert done.status_code == 200 and done.json()["item"]["version"] == 1
    assert item(client, "quote", quote_id)["state"] == "approved"
    assert item(client, "quote", quote_id)["editor"] == "Anne"
    # a plain form post (no script) is answered with a redirect back to the item
    plain = client.post(f"/r/{SLUG}/items/quote/{quote_id}", data={"csrf": token, "editor": "Anne",
                        "action": "reject", "version": "1"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#item-quote-{quote_id}")
    assert "Anne</span> rejected" in client.get(f"/r/{SLUG}").text


def test_second_concurrent_save_is_refused_with_the_current_version(client):
    token = csrf(client)
    url = f"/r/{SLUG}/items/summary/summary"
    assert post(client, url, token, action="edit", text="Anne's summary.", version="0").status_code == 200
    late = client.post(url, data={"csrf": token, "editor": "Bert", "action": "edit", "text": "Bert's summary.",
                                  "version": "0"}, headers=JSON)
    assert late.status_code == 409
    body = late.json()
    assert "Anne" in body["error"] and body["current"]["text"] == "Anne's summary."
    assert item(client, "summary", "summary")["text"] == "Anne's summary."


def test_state_changes_need_post_and_csrf(client):
    url = f"/r/{SLUG}/items/quote/quote-s000015000"
    assert client.get(url).status_code == 405
    no_token = client.post(url, data={"editor": "A", "action": "approve", "version": "0"}, headers=JSON)
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["error"]
    cross = client.post(url, data={"csrf": csrf(client), "editor": "A", "action": "approve", "version": "0"},
                        headers={**JSON, "Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert item(client, "quote", "quote-s000015000")["state"] == "open"


def test_foreign_host_header_is_refused_without_a_token(paths):
    client = TestClient(create_app(paths), raise_server_exceptions=False, base_url="http://attacker.example")
    page = client.get("/")
    assert page.status_code == 403 and "only to localhost" in page.text
    assert TestClient(create_app(paths), base_url="http://localhost:8765").get("/").status_code == 200


def test_bad_ids_are_404_and_bad_bodies_422_without_stack_traces(client):
    token = csrf(client)
    for url in ("/r/nope", "/r/..%2F..%2Fetc", f"/r/{SLUG}/media/../../review.sqlite", f"/r/{SLUG}/export.exe"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Traceback" not in page.text
    missing = post(client, f"/r/{SLUG}/items/quote/nope", token, action="approve", version="0")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    bad_version = post(client, f"/r/{SLUG}/items/quote/quote-s000015000", token, action="approve", version="x")
    assert bad_version.status_code == 422 and "version" in bad_version.json()["error"]
    bad_action = post(client, f"/r/{SLUG}/items/quote/quote-s000015000", token, action="delete", version="0")
    assert bad_action.status_code == 422 and "unknown action" in bad_action.json()["error"]
    no_name = client.post(f"/r/{SLUG}/items/quote/quote-s000015000",
                          data={"csrf": token, "action": "approve", "version": "0"})
    assert no_name.status_code == 422 and "Editor" in no_name.text and "<html" in no_name.text


def test_media_is_served_with_ranges(client, paths):
    size = (paths.recording_dir(SLUG) / "lecture.wav").stat().st_size
    whole = client.get(f"/r/{SLUG}/media")
    assert whole.status_code == 200 and len(whole.content) == size
    assert whole.headers["accept-ranges"] == "bytes"
    part = client.get(f"/r/{SLUG}/media", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = client.get(f"/r/{SLUG}/media", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    assert client.get(f"/r/{SLUG}/media", headers={"Range": f"bytes={size + 5}-"}).status_code == 416


def test_media_outside_the_recording_folder_is_refused(client, paths):
    (paths.root / "secret.txt").write_text("editor notes")
    rec = load_recording(paths, SLUG)
    rec.media = "../../secret.txt"
    save_recording(paths, rec)
    page = client.get(f"/r/{SLUG}/media")
    assert page.status_code == 404 and "editor notes" not in page.text


def test_sentence_correction_rules_and_glossary_change_shown_text(client):
    token = csrf(client)
    sid = "s000000000"
    corrected = "Welkom bij dit open college over de Krachtenbundeling."
    done = post(client, f"/r/{SLUG}/sentences/{sid}", token, text=corrected, version="0")
    assert done.status_code == 200
    shown = {s["id"]: s for s in state(client)["sentences"]}
    assert shown[sid]["text"] == corrected and shown[sid]["corrected"]
    rule = post(client, f"/r/{SLUG}/rules", token, find="human capital", replace="Human Capital", whole_word="1")
    assert rule.status_code == 200 and rule.json()["hits"] == 1
    assert post(client, "/glossary", token, term="AT Osborne").status_code == 200
    shown = {s["id"]: s["text"] for s in state(client)["sentences"]}
    assert shown["s000025500"] == "Hoe kan je maatschappelijk Human Capital mobiliseren?"
    assert item(client, "question", "qa-s000025500")["text"].endswith("Human Capital mobiliseren?")
    # undo the rule: the machine text is back
    history = client.get(f"/r/{SLUG}").text
    rule_undo = re.search(r'action="/r/open-college/undo/(\d+)"', history.split("added rule")[1]).group(1)
    assert post(client, f"/r/{SLUG}/undo/{rule_undo}", token).status_code == 200
    shown = {s["id"]: s["text"] for s in state(client)["sentences"]}
    assert "human capital" in shown["s000025500"]


def test_added_quote_must_be_verbatim_and_gets_selection_times(client):
    token = csrf(client)
    text = "te versnipperd, vrijblijvend en kleinschalig."
    refused = post(client, f"/r/{SLUG}/quotes", token, text="niet gezegd", first="s000015000", last="s000015000")
    assert refused.status_code == 422 and "verbatim" in refused.json()["error"]
    sentence = "Er gebeurden al veel goede dingen, maar te versnipperd, vrijblijvend en kleinschalig."
    done = post(client, f"/r/{SLUG}/quotes", token, text=text, first="s000015000", last="s000015000",
                start_offset=str(sentence.index(text)), end_offset=str(len(sentence)))
    assert done.status_code == 200
    added = done.json()["item"]
    assert added["item_id"] == "added-1" and added["status"] == "approved"
    assert 15.0 < added["data"]["start"] < added["data"]["end"] <= 20.0
    assert item(client, "quote", "added-1")["state"] == "approved"
    assert "te versnipperd" in client.get(f"/r/{SLUG}/export.md?allow=1").text


def test_exports_hold_only_approved_items(client):
    token = csrf(client)
    post(client, f"/r/{SLUG}/items/quote/quote-s000015000", token, action="approve", version="0")
    post(client, f"/r/{SLUG}/items/quote/quote-s000004500", token, action="reject", version="0")
    md = client.get(f"/r/{SLUG}/export.md?allow=1")
    assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
    assert "versnipperd" in md.text and "Ik ben Floris" not in md.text
    srt = client.get(f"/r/{SLUG}/export.srt").text
    assert srt.startswith("1\n00:00:00,000 --> ")
    vtt = client.get(f"/r/{SLUG}/export.vtt").text
    assert vtt.startswith("WEBVTT")


def test_access_token_is_required_when_configured(paths):
    client = TestClient(create_app(paths, token="s3cret-s3cret-s3cret"), raise_server_exceptions=False)
    assert client.get("/").status_code == 401
    assert client.get(f"/r/{SLUG}/media").status_code == 401
    login = client.get("/?token=s3cret-s3cret-s3cret", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/"
    assert client.get("/").status_code == 200, "the token is kept in a cookie"
    assert TestClient(create_app(paths, token="s3cret-s3cret-s3cret")).get("/?token=wrong").status_code == 401


def test_binding_beyond_localhost_needs_a_token(monkeypatch):
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "s3cret")
    with pytest.raises(ConfigError, match="token"):
        check_bind("0.0.0.0", None)


def test_cli_review_refuses_a_network_bind_without_token(monkeypatch, capsys, paths):
    from pipeline.cli import main

    monkeypatch.delenv("REVIEW_TOKEN", raising=False)
    assert main(["--data", str(paths.root), "review", "--host", "0.0.0.0"]) == 1
    assert "token" in capsys.readouterr().err
