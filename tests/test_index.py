"""The index stage on a real SQLite FTS5 database: rows, incremental re-indexing, corrections."""
from __future__ import annotations

import sqlite3

import pytest
from search_fixtures import DUTCH_CHAPTERS, DUTCH_SENTENCES, build_data, write_sentences

from pipeline.core import fsutil
from pipeline.editorial.store import ReviewStore
from pipeline.index import stage as index
from pipeline.index.api import SearchFilters, search
from pipeline.index.fts5 import Fts5Backend
from pipeline.runner.run import run_recording

STAGES = [index.STAGE]


def run_all(paths) -> dict[str, str]:
    return {slug: run_recording(paths, slug, STAGES)[0].status for slug in paths.slugs()}


def rows(paths, slug: str) -> list[tuple]:
    with sqlite3.connect(paths.index_db) as conn:
        return conn.execute(
            "SELECT s.row_id, s.sentence_id, s.text, s.start FROM sentences s JOIN recordings r "
            "USING(recording_id) WHERE r.slug = ? ORDER BY s.seq", (slug,)).fetchall()


def texts(hits) -> list[str]:
    return [h.text for h in hits]


@pytest.fixture()
def paths(tmp_path):
    data = build_data(tmp_path / "data")
    assert run_all(data) == {"inaugural": "ran", "krachtenbundeling": "ran"}
    return data


def test_rows_are_sentences_with_segments_as_fallback(paths):
    dutch = rows(paths, "krachtenbundeling")
    assert [r[2] for r in dutch] == [t for _c, _s, t in DUTCH_SENTENCES]
    assert dutch[0][1] == "s000000000" and [r[3] for r in dutch] == sorted(r[3] for r in dutch)
    english = rows(paths, "inaugural")
    assert english[0][1] == "seg0" and english[0][2].startswith("And so, my fellow Americans")
    with sqlite3.connect(paths.index_db) as conn:
        sources = dict(conn.execute("SELECT slug, source FROM recordings"))
        fts_rows = conn.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'tags : lang*'")
        assert fts_rows.fetchone()[0] == len(dutch) + len(english)
    assert sources == {"krachtenbundeling": "sentences", "inaugural": "segments"}
    hit = search(paths, "country", SearchFilters(limit=1))[0]
    # The only listed speaker of a recording speaks every row; the chapter title comes from the table.
    assert (hit.speaker, hit.chapter, hit.date) == ("John F. Kennedy", "Ask not what your country can do for you",
                                                   "1961-01-20")


def test_second_run_touches_nothing(paths):
    before = paths.index_db.stat().st_mtime_ns, rows(paths, "krachtenbundeling")
    assert run_all(paths) == {"inaugural": "skipped", "krachtenbundeling": "skipped"}
    assert (paths.index_db.stat().st_mtime_ns, rows(paths, "krachtenbundeling")) == before


def test_reprocessed_recording_replaces_only_its_own_rows(paths):
    english_before = rows(paths, "inaugural")
    changed = [(c, s, t.replace("ideeën", "plannen")) for c, s, t in DUTCH_SENTENCES]
    write_sentences(paths, "krachtenbundeling", "nl", changed, DUTCH_CHAPTERS)
    assert run_all(paths) == {"inaugural": "skipped", "krachtenbundeling": "ran"}
    assert rows(paths, "inaugural") == english_before  # same row ids: untouched
    assert search(paths, "ideeën") == []
    assert texts(search(paths, "plannen")) == [changed[5][2]]
    assert len(rows(paths, "krachtenbundeling")) == len(DUTCH_SENTENCES)  # replaced, not appended


def test_deleted_index_is_rebuilt_for_every_recording(paths):
    paths.index_db.unlink()
    assert run_all(paths) == {"inaugural": "ran", "krachtenbundeling": "ran"}
    assert len(rows(paths, "inaugural")) == 4 and len(rows(paths, "krachtenbundeling")) == len(DUTCH_SENTENCES)


def test_corrected_text_is_searchable_and_reindexed(paths):
    store = ReviewStore(paths.review_db)
    source = DUTCH_SENTENCES[1][2]
    store.correct_sentence("krachtenbundeling", "s000010000", source_text=source,
                           text=source.replace("Smienk", "Smienk en Kees Verhoeven"), editor="Eva",
                           expected_version=0)
    store.add_rule("inaugural", "wizard", "wise man", "Eva")
    assert run_all(paths) == {"inaugural": "ran", "krachtenbundeling": "ran"}  # corrections digest changed
    assert texts(search(paths, "Verhoeven")) == [source.replace("Smienk", "Smienk en Kees Verhoeven")]
    assert search(paths, "wizard") == [] and len(search(paths, '"wise man"')) == 1


def test_bad_input_keeps_the_previous_rows(paths):
    before = rows(paths, "krachtenbundeling")
    fsutil.write_text(paths.work_dir("krachtenbundeling") / "chapters.json", '{"chapters": [{"title": 1}]}')
    result = run_recording(paths, "krachtenbundeling", STAGES)[0]
    assert result.status == "failed" and "chapters.json" in result.error and "\n" not in result.error
    assert rows(paths, "krachtenbundeling") == before


def test_removed_recording_leaves_the_index(paths):
    (paths.recording_dir("inaugural") / "recording.yaml").unlink()
    write_sentences(paths, "krachtenbundeling", "nl", DUTCH_SENTENCES[:3], DUTCH_CHAPTERS)
    assert run_all(paths) == {"krachtenbundeling": "ran"}
    assert rows(paths, "inaugural") == [] and search(paths, "country") == []


def test_schema_change_recreates_the_index(paths):
    backend = Fts5Backend(paths)
    generation = backend.ensure()[0]
    with sqlite3.connect(paths.index_db) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    assert backend.ensure()[0] != generation
    assert rows(paths, "krachtenbundeling") == []
    assert run_all(paths) == {"inaugural": "ran", "krachtenbundeling": "ran"}
    assert len(search(paths, "samenwerking")) == 3


def test_deleted_and_renamed_recordings_leave_the_index_while_the_rest_is_up_to_date(paths):
    from pipeline.runner.run import run_batch

    # Renamed: folder (and work folder) moved to a new slug; deleted: folder removed. Nothing else changed.
    paths.recording_dir("inaugural").rename(paths.recording_dir("jfk-1961"))
    paths.work_dir("inaugural").rename(paths.work_dir("jfk-1961"))
    report = run_batch(paths, paths.slugs(), STAGES)
    assert {s: [r.status for r in rs] for s, rs in report.results.items()} == {
        "jfk-1961": ["ran"], "krachtenbundeling": ["skipped"]}
    assert any("removed 'inaugural' from search" in n for n in report.notes)
    assert [h.recording for h in search(paths, "country")] == ["jfk-1961"] * len(search(paths, "country"))
    assert search(paths, "country")[0].review_url.endswith("/r/jfk-1961?t=0.0")
    import shutil

    shutil.rmtree(paths.recording_dir("jfk-1961"))
    report = run_batch(paths, paths.slugs(), STAGES)
    assert report.results == {"krachtenbundeling": report.results["krachtenbundeling"]}
    assert report.results["krachtenbundeling"][0].status == "skipped"
    assert search(paths, "country") == [] and rows(paths, "jfk-1961") == []
    shutil.rmtree(paths.recording_dir("krachtenbundeling"))
    run_batch(paths, paths.slugs(), STAGES)  # no recordings left at all: the index empties too
    assert search(paths, "samenwerking") == []
