"""The review app's interface language (issue 12, item 1): Dutch by default, English on request,
every string from one gettext catalogue, and lang attributes that match."""
from __future__ import annotations

import gettext
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_fixture import SLUG, app_client, sample_paths

from pipeline.artifacts.drafts import REJECTION_REASONS
from pipeline.artifacts.manifest import load_recording, save_recording
from pipeline.core.config import DataPaths
from pipeline.editorial.reviewed import KIND_LABELS, VERBS
from pipeline.review import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
MSGID = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths, None)


def template_msgids() -> set[str]:
    found = set()
    for path in TEMPLATES.glob("*.html"):
        found |= {a or b for a, b in MSGID.findall(path.read_text())}
    return found


def test_dutch_by_default_with_matching_html_lang(client):
    page = client.get(f"/r/{SLUG}").text
    assert '<html lang="nl">' in page
    assert ">Goedkeuren</button>" in page and ">Approve</button>" not in page
    assert "Transcript" in page and "Zoeken en vervangen" in page
    assert client.get("/").text.count("Opnamen") >= 1


def test_english_switch_is_remembered_and_returns_to_the_page(client):
    switched = client.get(f"/lang/en?back=/r/{SLUG}", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == f"/r/{SLUG}"
    assert "review_lang=en" in switched.headers["set-cookie"]
    page = client.get(f"/r/{SLUG}").text  # the client keeps the cookie, like a browser
    assert '<html lang="en">' in page and ">Approve</button>" in page
    assert client.get(f"/lang/nl?back=/r/{SLUG}").status_code == 200
    assert '<html lang="nl">' in client.get("/").text


@pytest.mark.parametrize("back", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_switch_never_redirects_off_site(client, back):
    answer = client.get("/lang/en", params={"back": back}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_unknown_language_is_404_and_unknown_cookie_falls_back_to_dutch(client):
    assert client.get("/lang/fr").status_code == 404
    client.cookies.set("review_lang", "fr")
    assert '<html lang="nl">' in client.get("/").text


def test_content_blocks_carry_the_recording_language(client, paths):
    page = client.get(f"/r/{SLUG}").text
    assert page.count('class="item-text') == page.count('class="item-text') and 'lang="nl"' in page
    texts = re.findall(r'<div class="item-text[^"]*" lang="([a-z]+)"', page)
    assert texts and set(texts) == {"nl"}
    assert '<div class="t-text" lang="nl">' in page
    rec = load_recording(paths, SLUG)
    rec.language = "en"
    save_recording(paths, rec)
    (paths.work_dir(SLUG) / "drafts.json").unlink()  # the drafts' language would win over the manifest
    english = client.get(f"/r/{SLUG}").text
    assert '<html lang="nl">' in english, "the interface stays Dutch"
    assert '<div class="t-text" lang="en">' in english


def test_every_template_string_has_a_dutch_translation():
    catalogue = i18n.read_po(i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "review.po")
    wanted = (template_msgids() | set(i18n.SCRIPT_MESSAGES.values()) | set(KIND_LABELS.values())
              | set(VERBS.values()) | set(i18n.ROUTE_MESSAGES) | set(REJECTION_REASONS.values()))
    missing = sorted(m for m in wanted if m not in catalogue)
    assert not missing, missing


class _Text(HTMLParser):
    """Visible text of a template outside Jinja expressions and <code>/<kbd> (commands and keys)."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("code", "kbd", "script", "style")
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value and "{{" not in value:
                self.words.append(value)

    def handle_endtag(self, tag):
        self.skip -= tag in ("code", "kbd", "script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.words.append(data)


ALLOWED_LITERALS = {"Markdown", "HTML", "SRT", "VTT", "pipeline", "/", "(?)", "Space", "K", "J", "L", "N", "P", "A",
                    # the search box's example query is search syntax, the same in every language
                    "samenwerking", "human", "capital", "wegbeheer", "data", "NOT", "privacy"}


def test_no_interface_literal_outside_the_catalogue():
    for path in TEMPLATES.glob("*.html"):
        source = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", path.read_text())  # a CSS class
        source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.DOTALL)
        parser = _Text()
        parser.feed(source)
        literals = [w for chunk in parser.words for w in re.findall(r"[A-Za-z][A-Za-z'()?]+", chunk)]
        stray = [w for w in literals if w not in ALLOWED_LITERALS]
        assert not stray, f"{path.name}: {stray}"


def test_po_compiles_to_a_standard_gettext_catalogue():
    mo = i18n.compile_mo({"": "Content-Type: text/plain; charset=UTF-8\n", "Approve": "Goedkeuren"})
    assert gettext.GNUTranslations(io.BytesIO(mo)).gettext("Approve") == "Goedkeuren"
    _ = i18n.translator("nl")
    assert _("Approve all %(n)s unchanged in this chapter", n=3) == "Alle 3 ongewijzigde in dit hoofdstuk goedkeuren"
    assert i18n.translator("en")("Approve") == "Approve"


def test_action_messages_follow_the_interface_language(client):
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(f"/r/{SLUG}").text).group(1)
    done = client.post(f"/r/{SLUG}/items/quote/quote-s000015000", headers={"Accept": "application/json"},
                       data={"csrf": token, "editor": "Anne", "action": "reject", "version": "0"})
    assert done.json()["message"] == "Citaat: afgewezen"


def test_every_rejection_reason_is_stored_in_english_and_shown_in_dutch():
    from pipeline.artifacts.drafts import parse_rejection_reason, rejection_reason

    _ = i18n.translator("nl")
    for key, template in REJECTION_REASONS.items():
        fields = {name: "40%, kost (2)" for name in re.findall(r"%\((\w+)\)s", template)}
        stored = rejection_reason(key, **fields)
        assert parse_rejection_reason(stored) == (template, fields)
        shown = i18n.rejection_text(stored, _)
        assert shown == _(template, **fields) and shown != stored
        assert i18n.rejection_text(stored, i18n.translator("en")) == stored
    assert i18n.rejection_text("a reason from an older drafts.json", _) == "a reason from an older drafts.json"


@pytest.mark.parametrize("url, dutch, english", [
    ("/r/no-such-recording", "geen opname &#39;no-such-recording&#39;", "no recording &#39;no-such-recording&#39;"),
    (f"/r/{SLUG}/export.docx", "geen exportformaat &#39;docx&#39;; kies md, html, srt of vtt",
     "no export format &#39;docx&#39;; use md, html, srt or vtt"),
    ("/nowhere", "hier is niets: /nowhere", "nothing here: /nowhere"),
])
def test_not_found_pages_speak_the_interface_language(tmp_path, url, dutch, english):
    paths = sample_paths(tmp_path)
    for lang, text in (("nl", dutch), ("en", english)):
        answer = app_client(paths, lang).get(url)
        assert answer.status_code == 404 and text in answer.text, (lang, answer.text[-800:])
