"""Refusals of the editorial store and the routes reach editors in their interface language (issue 12):
every message is a catalogue msgid (editorial/records.refused), so the Dutch interface is Dutch
throughout, and the English one and the logs keep the English text."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from review_fixture import JSON, SLUG, app_client, csrf, sample_paths

from pipeline.core.config import DataPaths
from pipeline.core.errors import ReviewError
from pipeline.editorial.store import ReviewStore
from pipeline.review import i18n

EDITORIAL = Path(i18n.__file__).parents[1] / "editorial"
CATALOGUE = i18n.read_po(i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "review.po")
OWN = ("store.py", "records.py", "approvals.py", "chapter_changes.py")


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            yield node


def test_every_editorial_refusal_is_a_catalogue_message():
    found = set()
    for name in OWN:
        for call in _calls(EDITORIAL / name):
            if call.func.id in ("refused", "conflict", "check_text", "Msg") and call.args:
                first = call.args[-1] if call.func.id == "check_text" and len(call.args) > 1 else call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
            # a bare string straight into an error class would reach Dutch editors in English
            if call.func.id in ("ReviewError", "ConflictError") and call.args:
                assert not isinstance(call.args[0], (ast.Constant, ast.JoinedStr)), f"{name}: {ast.unparse(call)}"
    assert len(found) > 25
    missing = sorted(m for m in found | set(i18n.ROUTE_MESSAGES) if m not in CATALOGUE)
    assert not missing, missing


def post(client, url, token, **fields):
    return client.post(url, data={"csrf": token, **fields}, headers=JSON)


def test_refusals_are_dutch_in_the_dutch_interface(paths):
    client = app_client(paths, None)
    token = csrf(client)
    quote = f"/r/{SLUG}/items/quote/quote-s000004500"
    nameless = post(client, quote, token, action="reject", version="0")
    assert nameless.status_code == 422
    assert nameless.json()["error"].startswith("vul eerst uw naam in bij 'Redacteur'")
    empty = post(client, quote, token, action="edit", version="0", text="  ", editor="Anne")
    assert empty.json()["error"] == "de tekst is leeg"
    assert post(client, quote, token, action="reject", version="0", editor="Anne").status_code == 200
    late = post(client, quote, token, action="approve", version="0", editor="Bert",
                seen="Ik ben Floris Bakermans van AT Osborne.")
    assert late.status_code == 409 and late.json()["error"].startswith("Niet opgeslagen: Anne heeft dit onderdeel om ")
    assert post(client, "/glossary", token, term="iVRI", editor="Anne").json()["message"] == \
        "“iVRI” toegevoegd aan de woordenlijst"
    twice = post(client, "/glossary", token, term="iVRI", editor="Anne")
    assert twice.status_code == 422 and twice.json()["error"] == "“iVRI” staat al in de woordenlijst"
    entry = ReviewStore(paths.review_db).history(SLUG)[0].id
    assert post(client, f"/r/{SLUG}/undo/{entry}", token, editor="Anne").json()["message"] == \
        "ongedaan gemaakt: voegde term toe"
    again = post(client, f"/r/{SLUG}/undo/{entry}", token, editor="Anne")
    assert again.json()["error"] == f"wijziging {entry} is al ongedaan gemaakt"
    missing = post(client, f"/r/{SLUG}/items/quote/quote-s999", token, action="reject", version="0", editor="A")
    assert missing.status_code == 404 and "laad de pagina opnieuw" in missing.json()["error"]
    forged = client.post(quote, data={"csrf": "wrong", "editor": "A", "action": "reject", "version": "1"},
                         headers=JSON)
    assert forged.status_code == 403 and forged.json()["error"].startswith("CSRF-token ontbreekt")


def test_english_interface_and_library_callers_keep_the_english_text(paths):
    client = app_client(paths, "en")
    token = csrf(client)
    empty = post(client, f"/r/{SLUG}/rules", token, find=" ", editor="Anne")
    assert empty.json()["error"] == "the text to find is empty"
    with pytest.raises(ReviewError, match="is already in the glossary") as caught:
        store = ReviewStore(paths.review_db)
        store.add_term("CROW", "Anne")
        store.add_term("CROW", "Anne")
    assert str(caught.value) == "“CROW” is already in the glossary"
