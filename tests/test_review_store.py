"""pipeline.editorial.store: decisions, optimistic concurrency, history with undo, never losing an edit."""
from __future__ import annotations

import sqlite3

import pytest
from review_fixture import build_sample

from pipeline.core.config import DataPaths
from pipeline.core.errors import ReviewError
from pipeline.editorial.reviewed import item_state, load_view
from pipeline.editorial.store import ConflictError, ReadOnlyStore, ReviewStore

SLUG = "talk"


@pytest.fixture()
def store(tmp_path) -> ReviewStore:
    return ReviewStore(tmp_path / "review.sqlite")


def test_versions_refuse_the_second_of_two_concurrent_saves(store):
    first = store.set_item(SLUG, "quote", "q1", "edit", source_text="machine", text="Anne's text",
                           editor="Anne", expected_version=0)
    assert (first.status, first.version, first.text) == ("edited", 1, "Anne's text")
    # Bert loaded the page before Anne saved: his save names version 0 and is refused
    with pytest.raises(ConflictError) as refused:
        store.set_item(SLUG, "quote", "q1", "edit", source_text="machine", text="Bert's text",
                       editor="Bert", expected_version=0)
    assert "Anne" in str(refused.value)
    assert refused.value.current["text"] == "Anne's text"
    assert store.item(SLUG, "quote", "q1").text == "Anne's text", "no silent overwrite"
    second = store.set_item(SLUG, "quote", "q1", "approve", source_text="machine", editor="Bert",
                            expected_version=1)
    assert (second.status, second.version, second.text) == ("approved", 2, "Anne's text")


def test_every_change_is_in_the_history_with_editor_and_time(store):
    store.set_item(SLUG, "quote", "q1", "approve", source_text="m", editor="Anne", expected_version=0)
    store.set_item(SLUG, "quote", "q1", "reject", source_text="m", editor="Bert", expected_version=1)
    history = store.history(SLUG)
    assert [(e.action, e.editor) for e in history] == [("reject", "Bert"), ("approve", "Anne")]
    assert history[0].before["status"] == "approved" and history[0].after["status"] == "rejected"
    assert all(e.at[:4].isdigit() for e in history)


def test_undo_restores_and_is_itself_undoable_history(store):
    store.set_item(SLUG, "summary_sentence", "s1", "edit", source_text="m", text="better", editor="Anne",
                   expected_version=0)
    store.set_item(SLUG, "summary_sentence", "s1", "reject", source_text="m", editor="Anne", expected_version=1)
    latest = store.history(SLUG)[0]
    store.undo(SLUG, latest.id, "Bert")
    restored = store.item(SLUG, "summary_sentence", "s1")
    assert (restored.status, restored.text, restored.version) == ("edited", "better", 3)
    with pytest.raises(ReviewError, match="already undone"):
        store.undo(SLUG, latest.id, "Bert")
    # undoing the very first change leaves the item open (the row is kept, versions only grow)
    first = store.history(SLUG)[-1]
    with pytest.raises(ConflictError, match="changed again later"):
        store.undo(SLUG, first.id, "Bert")


def test_undo_of_a_first_decision_reopens_the_item(store):
    store.set_item(SLUG, "quote", "q1", "approve", source_text="m", editor="Anne", expected_version=0)
    store.undo(SLUG, store.history(SLUG)[0].id, "Anne")
    item = store.item(SLUG, "quote", "q1")
    assert (item.status, item.version) == ("open", 2)
    with pytest.raises(ConflictError):  # a page still holding version 1 cannot overwrite
        store.set_item(SLUG, "quote", "q1", "reject", source_text="m", editor="Bert", expected_version=1)


def test_rules_and_glossary_are_undoable_and_never_deleted(store):
    rule = store.add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Anne")
    store.remove_rule(SLUG, rule.id, "Anne", rule.version)
    assert store.rules(SLUG) == []
    store.undo(SLUG, store.history(SLUG)[0].id, "Anne")
    assert [r.replace for r in store.rules(SLUG)] == ["Krachtenbundeling"]
    store.add_term("ivri", "Anne")
    store.add_term("iVRI", "Bert")  # a respelling replaces the term (case-insensitive key)
    assert [t.term for t in store.glossary()] == ["iVRI"]
    with pytest.raises(ReviewError, match="already"):
        store.add_term("iVRI", "Bert")
    store.remove_term("IVRI", "Anne")
    assert store.glossary() == []
    store.undo(SLUG, store.history(SLUG)[0].id, "Anne")
    assert [t.term for t in store.glossary()] == ["iVRI"]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM rules").fetchone()[0] == 1


def test_bad_input_is_refused_with_a_message(store):
    with pytest.raises(ReviewError, match="name"):
        store.set_item(SLUG, "quote", "q1", "approve", source_text="m", editor="  ", expected_version=0)
    with pytest.raises(ReviewError, match="unknown action"):
        store.set_item(SLUG, "quote", "q1", "delete", source_text="m", editor="A", expected_version=0)
    with pytest.raises(ReviewError, match="empty"):
        store.set_item(SLUG, "quote", "q1", "edit", source_text="m", text=" ", editor="A", expected_version=0)
    assert store.item(SLUG, "quote", "q1") is None


def test_added_items_get_fresh_ids(store):
    a = store.add_item(SLUG, "quote", "Eerste citaat", {"start": 1.0, "end": 2.0}, "Anne")
    b = store.add_item(SLUG, "quote", "Tweede citaat", {"start": 3.0, "end": 4.0}, "Anne")
    assert (a.item_id, b.item_id) == ("added-1", "added-2")
    assert b.data == {"start": 3.0, "end": 4.0, "added": True} and b.status == "approved"


def test_item_state_compares_the_source_text(store):
    item = store.set_item(SLUG, "quote", "q1", "approve", source_text="Dat kan  met weinig geld.",
                          editor="A", expected_version=0)
    assert item_state(None, "x") == "open"
    assert item_state(item, "Dat kan met weinig geld. ") == "approved", "whitespace does not make it stale"
    assert item_state(item, "Dat kan met veel geld.") == "stale"


def test_reprocessing_keeps_every_decision_and_marks_changed_ones_stale(tmp_path):
    paths = DataPaths(tmp_path)
    build_sample(paths, "talk")
    store = ReviewStore(paths.review_db)
    view = load_view(paths, store, "talk")
    kept, changed, gone = view.chapters[1].quotes[0], view.chapters[0].summary[1], view.chapters[0].quotes[0]
    for item in (kept, changed, gone):
        store.set_item("talk", item.kind, item.item_id, "edit", source_text=item.machine_text,
                       text=item.machine_text + " (edited)", editor="Anne", expected_version=0)
    # re-processing: one item's text changes, one disappears
    from pipeline.artifacts.drafts import load_drafts
    drafts_path = paths.work_dir("talk") / "drafts.json"
    drafts = load_drafts(drafts_path)
    drafts.chapters[0].summary[1].text = "Een andere samenvatting."
    drafts.chapters[0].quotes = []
    drafts.save(drafts_path)
    after = load_view(paths, ReadOnlyStore(paths.review_db), "talk")
    assert after.find("quote", kept.item_id).state == "edited"
    assert after.find("quote", kept.item_id).text.endswith("(edited)")
    stale = after.find("summary_sentence", changed.item_id)
    assert stale.state == "stale" and stale.text == "Een andere samenvatting."
    assert stale.stored.text.endswith("(edited)"), "the editor's text is kept for them to see"
    orphan = after.find("quote", gone.item_id)
    assert orphan in after.orphans and orphan.state == "stale" and orphan.text.endswith("(edited)")
    assert after.counts()["stale"] == 2
