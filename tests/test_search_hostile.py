"""Every query of tests/fixtures/hostile_queries.txt (long, deeply nested, FTS5/SQL syntax, broken
structure, odd Unicode) through the library, the CLI and the review app's /search page: results or one
clear line, 0 tracebacks, 0 HTTP 500s. Also as filter values (chapter, speaker)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from search_fixtures import build_data

from pipeline.core.errors import ConfigError, QueryError
from pipeline.index import stage as index
from pipeline.index.api import SearchFilters, search
from pipeline.runner.run import run_recording

CORPUS = Path(__file__).parent / "fixtures" / "hostile_queries.txt"


def hostile_queries() -> list[str]:
    """The corpus: one query per line ('\\n' only: some queries hold other line-break-like characters)."""
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("## ")]


QUERIES = hostile_queries()


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    data = build_data(tmp_path_factory.mktemp("hostile") / "data")
    for slug in data.slugs():
        assert run_recording(data, slug, [index.STAGE])[0].status == "ran"
    return data


def test_the_corpus_is_big_enough():
    assert len(QUERIES) >= 60 and len(set(QUERIES)) == len(QUERIES)


def _outcome(call) -> str:
    try:
        call()
    except (QueryError, ConfigError) as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return "refused"
    return "ok"


def test_library_gives_results_or_one_line(paths):
    outcomes = {q: _outcome(lambda q=q: search(paths, q)) for q in QUERIES}
    for q in QUERIES:  # the same text as filter values
        _outcome(lambda q=q: search(paths, "data", SearchFilters(chapter=q)))
        _outcome(lambda q=q: search(paths, "data", SearchFilters(speaker=q)))
    assert outcomes[" ".join(f"w{i}" for i in range(1000))] == "refused"
    assert outcomes["NEAR(human capital, 2)"] == "ok" and outcomes["'; DROP TABLE sentences; --"] == "ok"


def test_long_and_nested_queries_say_why(paths):
    with pytest.raises(QueryError, match=r"^query too long: 1000 terms, at most 64$"):
        search(paths, " ".join(f"w{i}" for i in range(1000)))
    with pytest.raises(QueryError, match=r"^query too deeply nested: 1000 levels of parentheses, at most 16$"):
        search(paths, "(" * 1000 + "data" + ")" * 1000)
    with pytest.raises(QueryError, match=r"^query too long: 30,000 characters, at most 20,000$"):
        search(paths, "x" * 30000)
    assert search(paths, "(" * 16 + "samenwerking" + ")" * 16)
    # 64 words: the FTS5 expression is flat, no "parser stack overflow"
    assert search(paths, " ".join(["samenwerking"] * 64)) and search(paths, " OR ".join(["fiets"] * 63 + ["data"]))


DRIVER = """
import json, sys
from pipeline.cli import main
queries = json.load(open(sys.argv[1], encoding="utf-8"))
codes = []
for q in queries:
    codes.append(main(["search", "--json", "--", q]))
print("CODES", json.dumps(codes))
"""


def test_cli_gives_results_or_one_line(paths, tmp_path):
    listing = tmp_path / "queries.json"
    listing.write_text(json.dumps(QUERIES), encoding="utf-8")
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    run = subprocess.run([sys.executable, "-c", DRIVER, str(listing)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
    codes = json.loads(run.stdout.rsplit("CODES", 1)[1])
    assert len(codes) == len(QUERIES) and set(codes) <= {0, 1}
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == codes.count(1)  # one line per refused query
    # A real process, for the worst one:
    spot = subprocess.run([sys.executable, "-m", "pipeline", "search", "(" * 1000 + "data" + ")" * 1000],
                          capture_output=True, text=True, env=env, timeout=60)
    assert spot.returncode == 1 and spot.stderr == (
        "error: query too deeply nested: 1000 levels of parentheses, at most 16\n")


def test_web_search_never_answers_500(paths):
    from pipeline.review.app import create_app

    client = TestClient(create_app(paths), base_url="http://127.0.0.1:8765")  # raises on a server error
    statuses = []
    for q in QUERIES:
        for headers in ({}, {"accept": "application/json"}):
            response = client.get("/search", params={"q": q}, headers=headers)
            statuses.append(response.status_code)
            assert response.status_code in (200, 422), (q[:80], response.status_code)
            assert "Traceback" not in response.text
        filtered = client.get("/search", params={"q": "data", "chapter": q[:500], "speaker": q[:500]})
        assert filtered.status_code in (200, 422)
    assert 500 not in statuses and statuses.count(422) >= 20
