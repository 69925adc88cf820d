"""Damaged databases: a damaged index.sqlite is rebuilt from the artifacts by `run` (with a warning) and
is one clear line for `search` and `status`; a damaged review.sqlite is never written, is one line that
says how to restore it, fails the index stage (the rows indexed before stay searchable), and leaves
search and status working."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from search_fixtures import DUTCH_SENTENCES, build_data

from pipeline.core.errors import QueryError
from pipeline.editorial.store import ReviewStore
from pipeline.index import stage as index
from pipeline.index.api import search
from pipeline.runner.run import health_notes, run_batch

GARBAGE = bytes(range(256)) * 64


def cli(paths, *args):
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture()
def paths(tmp_path):
    data = build_data(tmp_path / "data")
    store = ReviewStore(data.review_db)
    source = DUTCH_SENTENCES[1][2]
    store.correct_sentence("krachtenbundeling", "s000010000", source_text=source,
                           text=source.replace("Smienk", "Smienk en Kees Verhoeven"), editor="Eva",
                           expected_version=0)
    report = run_batch(data, data.slugs(), [index.STAGE])
    assert not report.failed
    return data


def damage_index(paths):
    for suffix in ("-wal", "-shm"):
        paths.root.joinpath("index.sqlite" + suffix).unlink(missing_ok=True)
    paths.index_db.write_bytes(GARBAGE)


def test_damaged_index_is_one_line_for_search_and_status_and_is_rebuilt_by_run(paths):
    damage_index(paths)
    with pytest.raises(QueryError) as caught:
        search(paths, "samenwerking")
    assert "is damaged" in str(caught.value) and "make all" in str(caught.value) and "\n" not in str(caught.value)
    found = cli(paths, "search", "samenwerking")
    assert found.returncode == 1 and "search index" in one_line(found.stderr) and "is damaged" in found.stderr
    status = cli(paths, "status")
    assert status.returncode == 0 and "is damaged" in one_line(status.stderr), status.stderr

    from pipeline.review.app import create_app

    client = TestClient(create_app(paths), base_url="http://127.0.0.1:8765")
    page = client.get("/search", params={"q": "samenwerking"})
    assert page.status_code == 422 and "is damaged" in page.text

    report = run_batch(paths, paths.slugs(), [index.STAGE])
    assert any("was damaged" in n and "re-indexed" in n for n in report.notes), report.notes
    assert not report.failed and all(r[0].status == "ran" for r in report.results.values())
    assert len(search(paths, "samenwerking")) == 3 and search(paths, "Verhoeven")  # corrections kept
    assert [p.name.split("-")[0] for p in paths.root.glob("index.sqlite.damaged-*")] == ["index.sqlite.damaged"]
    assert health_notes(paths, [index.STAGE]) == []


def test_run_cli_rebuilds_a_damaged_index_with_a_warning(paths):
    damage_index(paths)
    run = cli(paths, "run", "--stages", "index")
    assert run.returncode == 0, run.stderr
    assert "warning: search index" in run.stderr and "was damaged" in run.stderr and "Traceback" not in run.stderr
    assert cli(paths, "search", "samenwerking", "--json").returncode == 0


def test_damaged_review_database_is_never_written_and_says_how_to_restore_it(paths):
    backup = paths.root / "review-backup.sqlite"
    shutil.copyfile(paths.review_db, backup)
    paths.review_db.write_bytes(GARBAGE)
    before = paths.review_db.read_bytes()

    status = cli(paths, "status")
    line = one_line(status.stderr)
    assert status.returncode == 0 and "review.sqlite is damaged" in line and "backup" in line
    assert "never overwrite" in line and ".recover" in line

    report = run_batch(paths, paths.slugs(), [index.STAGE])  # the index stage fails, loudly, per recording
    assert sorted(report.failed) == ["inaugural", "krachtenbundeling"]
    assert any("review.sqlite is damaged" in n for n in report.notes)
    error = report.results["krachtenbundeling"][0].error
    assert "review.sqlite is damaged" in error and "\n" not in error and "Traceback" not in error
    assert search(paths, "Verhoeven")  # the corrected rows indexed before are still searchable
    found = cli(paths, "search", "Verhoeven", "--json")
    assert found.returncode == 0 and "Smienk en Kees Verhoeven" in found.stdout
    run = cli(paths, "run", "--stages", "index")
    assert run.returncode == 1 and "Traceback" not in run.stderr and "review.sqlite is damaged" in run.stderr
    assert paths.review_db.read_bytes() == before  # never overwritten

    shutil.copyfile(backup, paths.review_db)  # restored: everything re-indexes with the corrections
    report = run_batch(paths, paths.slugs(), [index.STAGE])
    assert not report.failed and search(paths, "Verhoeven") and health_notes(paths, [index.STAGE]) == []


# --- a damaged review.sqlite in the review app, `pipeline export` and the stages that read it ----------

@pytest.fixture()
def damaged_review(tmp_path):
    from review_fixture import sample_paths

    data = sample_paths(tmp_path)
    ReviewStore(data.review_db).add_term("iVRI", "Anne")
    data.review_db.write_bytes(GARBAGE)
    return data


def restore_hint(line: str) -> None:
    assert "review.sqlite is damaged (file is not a database)" in line and "\n" not in line
    assert "backup" in line and ".recover" in line and "never overwrite" in line


def test_review_app_stays_up_read_only_on_a_damaged_review_database(damaged_review):
    from review_fixture import JSON, SLUG, app_client, csrf

    before = damaged_review.review_db.read_bytes()
    client = app_client(damaged_review, None)
    page = client.get(f"/r/{SLUG}")
    assert page.status_code == 200 and 'id="review-problem"' in page.text
    assert "review.sqlite is beschadigd (file is not a database)" in page.text and ".recover" in page.text
    assert "Welkom bij dit open college" in page.text, "the machine drafts and transcript are still shown"
    assert 'id="review-problem"' in client.get("/").text
    refused = client.post(f"/r/{SLUG}/items/quote/quote-s000004500", headers=JSON,
                          data={"csrf": csrf(client), "editor": "Anne", "action": "reject", "version": "0"})
    assert refused.status_code == 422 and "is beschadigd" in refused.json()["error"]
    english = app_client(damaged_review, "en").get(f"/r/{SLUG}/export.srt")
    assert english.status_code == 422 and "review.sqlite is damaged" in english.text
    assert damaged_review.review_db.read_bytes() == before, "never written"
    assert sorted(p.name for p in damaged_review.root.iterdir()) == ["recordings", "review.sqlite", "work"]


def test_export_and_stages_that_read_a_damaged_review_database_say_one_line(damaged_review):
    from review_fixture import SLUG

    before = damaged_review.review_db.read_bytes()
    export = cli(damaged_review, "export", SLUG, "--format", "srt")
    assert export.returncode == 1
    restore_hint(one_line(export.stderr))
    run = cli(damaged_review, "run", SLUG, "--stages", "chapters")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "chapters" in run.stderr and "review.sqlite is damaged" in run.stderr, run.stderr
    assert damaged_review.review_db.read_bytes() == before
