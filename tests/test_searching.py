"""Searching the index: stemming and phrases (nl, en), operators, filters, ranking, snippets,
links, bad queries and the CLI, on a real SQLite FTS5 index built by the index stage."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from search_fixtures import DUTCH_SENTENCES, build_data

import pipeline
from pipeline.core.errors import ConfigError, QueryError
from pipeline.index import stage as index
from pipeline.index.api import COLUMNS, SearchFilters, search
from pipeline.index.fts5 import recording_filter_sql, search_sql
from pipeline.index.query import Operation, Term, match_expression, parse_query
from pipeline.runner.run import run_recording

REPEATED = DUTCH_SENTENCES[8][2]   # 'Samenwerken, samenwerken en nog eens samenwerken: ...'
PASSING = DUTCH_SENTENCES[9][2]    # a long sentence that mentions samenwerking once, at the end
WEGBEHEERDER = DUTCH_SENTENCES[2][2]


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    data = build_data(tmp_path_factory.mktemp("search") / "data")
    for slug in data.slugs():
        assert run_recording(data, slug, [index.STAGE])[0].status == "ran"
    return data


def texts(paths, query, **filters):
    return [h.text for h in search(paths, query, SearchFilters(**filters))]


@pytest.mark.parametrize("query, expected", [
    ("samenwerking", DUTCH_SENTENCES[6][2]),         # finds 'samenwerken'
    ("wegbeheerders", WEGBEHEERDER),                 # plural finds singular
    ("ideeen", DUTCH_SENTENCES[5][2]),               # diacritics folded
    ("IDEEËN", DUTCH_SENTENCES[5][2]),               # and case
    ("iVRI", DUTCH_SENTENCES[4][2]),                 # "iVRI's" is indexed as ivri
    ("asked", "And so, my fellow Americans"),        # English stemming: ask
    ("complaints", "He began a confused complaint"),
])
def test_stemming_finds_other_forms(paths, query, expected):
    assert any(t.startswith(expected) for t in texts(paths, query)), texts(paths, query)


def test_phrases_match_the_words_as_spoken(paths):
    assert len(texts(paths, '"human capital"')) == 2  # Dutch and English recording
    assert texts(paths, '"capital human"') == []
    assert texts(paths, '"Human Capital agenda"') == [DUTCH_SENTENCES[7][2]]
    # Quoted: only the spoken form, so 'samenwerken' rows do not match "samenwerking".
    assert set(texts(paths, '"samenwerking"')) == {REPEATED, PASSING}
    assert DUTCH_SENTENCES[6][2] in texts(paths, "samenwerking")


def test_prefix_and_operators(paths):
    assert texts(paths, "wegbeheer*") == [WEGBEHEERDER]
    assert set(texts(paths, "capital AND country")) == {"Human capital is what a country can do with its people."}
    assert len(texts(paths, "wizard OR horizon")) == 2
    with_not = texts(paths, "samenwerking NOT provincies")
    assert DUTCH_SENTENCES[6][2] not in with_not and REPEATED in with_not
    assert texts(paths, "(wizard OR horizon) distant") == ["The horizon seems extremely distant."]
    assert texts(paths, "samenwerking fiets") == []  # adjacent words are ANDed


def test_ranking_repeated_terms_above_a_passing_mention(paths):
    ranked = texts(paths, "samenwerking")
    assert ranked.index(REPEATED) < ranked.index(PASSING)
    scores = [h.score for h in search(paths, "samenwerking")]
    assert scores == sorted(scores)


def test_filters(paths):
    assert len(texts(paths, "capital")) == 2
    assert texts(paths, "capital", recording="inaugural") == ["Human capital is what a country can do with its people."]
    assert texts(paths, "capital", language="nl") == [DUTCH_SENTENCES[7][2]]
    assert texts(paths, "capital", since="2000-01-01") == [DUTCH_SENTENCES[7][2]]
    assert len(texts(paths, "capital", until="2022-06-17")) == 2
    assert texts(paths, "samenwerking", speaker="floris") == []
    assert len(texts(paths, "samenwerking", speaker="SMIENK")) == 3
    assert texts(paths, "data", chapter="uitdagingen wegbeheerder") == [DUTCH_SENTENCES[5][2]]
    assert texts(paths, "data", chapter="samenwerken") == [PASSING]  # chapter title words, any form
    assert texts(paths, "data", chapter="no such chapter") == []


def test_hit_has_chapter_speaker_context_and_links(paths):
    hit = search(paths, "ideeën")[0]
    assert (hit.recording, hit.chapter_number, hit.speaker) == ("krachtenbundeling", 2, "Floris Bakermans")
    assert hit.chapter == "Inventariseren uitdagingen van deelnemende wegbeheerders"
    assert (hit.start, hit.end, hit.sentence_id) == (150.0, 159.5, "s000150000")
    assert hit.context_before == DUTCH_SENTENCES[4][2] and hit.context_after == DUTCH_SENTENCES[6][2]
    assert "**ideeën**" in hit.snippet and hit.snippet.startswith(DUTCH_SENTENCES[4][2])
    assert hit.review_url == "http://127.0.0.1:8765/r/krachtenbundeling?t=150.0"
    assert hit.media_url.startswith("file://") and hit.media_url.endswith("/krachtenbundeling/lecture.mp4#t=150.0")
    phrase = search(paths, '"human capital"', SearchFilters(language="nl"))[0]
    assert "<mark>Human Capital</mark>" in phrase.snippet_html()


def test_snippet_html_is_escaped(paths):
    hit = search(paths, "country", SearchFilters(limit=1))[0]
    hit.context_before = "<script>alert(1)</script>"
    assert "<script>" not in hit.snippet_html() and "&lt;script&gt;" in hit.snippet_html()


@pytest.mark.parametrize("query, message", [
    ("", "empty query"),
    ("   ", "empty query"),
    ('"human capital', "unbalanced double quote"),
    ("AND", "'AND' needs a term on both sides"),
    ("data OR", "'OR' needs a term on both sides"),
    ("NOT data", "'NOT' needs a term on both sides"),
    ("(data", "unbalanced parenthesis"),
    ("data)", "unbalanced parenthesis"),
    ("*", "put at least one letter before '*'"),
    ("?!", "no words to search for"),
])
def test_bad_queries_give_one_clear_line(paths, query, message):
    with pytest.raises(QueryError) as caught:
        search(paths, query)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("query", [
    "'; DROP TABLE sentences; --", "text:capital", "NEAR(human capital)", "capital^", '"a" "b',
    "stems : x", "{text} : y", "rec1", "x) OR (tags : rec1",
])
def test_hostile_text_is_only_ever_a_search_term(paths, query):
    try:
        hits = search(paths, query)
    except QueryError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(h.recording for h in hits)
    with sqlite3.connect(paths.index_db) as conn:
        assert conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == len(DUTCH_SENTENCES) + 4
    assert texts(paths, "rec1") == []  # filter tags are not searchable words


def test_match_expression_is_built_from_quoted_tokens():
    tree = parse_query('wegbeheerders "Human Capital" data* NOT fiets')
    # NOT binds tighter than AND, as in FTS5: a b c NOT d = a AND b AND (c NOT d).
    assert tree == Operation("AND", Operation("AND", Term("word", "wegbeheerders"), Term("phrase", "Human Capital")),
                             Operation("NOT", Term("prefix", "data"), Term("word", "fiets")))
    expression = match_expression(tree, ["nl", "en"], [["rec1", "rec2"]])
    # AND / OR chains are written flat: the expression nests only as deep as the user's parentheses.
    assert expression == ('((stems : ("wegbeheerd" OR "wegbeheerder")) AND (text : "human capital") AND '
                          '((text : "data" *) NOT (stems : ("fiet")))) AND tags : ("rec1" OR "rec2")')
    assert "MATCH :match" in search_sql() and "LIMIT :limit" in search_sql()
    sql, params = recording_filter_sql(SearchFilters(recording=("a'b",), since="2020-01-01"))
    assert "a'b" not in sql and params == ["a'b", "2020-01-01"]


def test_filter_options_are_checked():
    with pytest.raises(ConfigError, match="since must be a date"):
        SearchFilters(since="17-06-2022")
    with pytest.raises(ConfigError, match="swap them"):
        SearchFilters(since="2023-01-01", until="2022-01-01")
    with pytest.raises(ConfigError, match="limit"):
        SearchFilters(limit=0)


def test_unknown_recording_and_missing_index(paths, tmp_path):
    with pytest.raises(QueryError, match="no recording 'nope'"):
        search(paths, "data", SearchFilters(recording="nope"))
    with pytest.raises(QueryError, match="build it with 'make all'"):
        pipeline.search("data", data=tmp_path)


def test_python_api_returns_a_dataframe(paths):
    frame = pipeline.search("samenwerking", data=paths.root, speaker="Alex", limit=2)
    assert list(frame.columns) == COLUMNS and len(frame) == 2
    assert frame.iloc[0]["text"] == REPEATED and frame["start"].dtype.kind == "f"
    assert pipeline.search("fiets", data=paths.root).empty


def cli(paths, *args):
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    return subprocess.run([sys.executable, "-m", "pipeline", "search", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_cli_formats_and_errors(paths):
    text = cli(paths, "ideeën", "--recording", "krachtenbundeling")
    assert text.returncode == 0 and "00:02:30" in text.stdout and "**ideeën**" in text.stdout
    rows = json.loads(cli(paths, "capital", "--json", "--language", "en").stdout)
    assert [r["recording"] for r in rows] == ["inaugural"]
    csv_out = cli(paths, "capital", "--csv", "--limit", "1").stdout.splitlines()
    assert csv_out[0].split(",")[:3] == ["recording", "title", "date"] and len(csv_out) == 2
    bad = cli(paths, '"human capital')
    assert bad.returncode == 1 and bad.stderr.strip().startswith("error: unbalanced double quote")
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_review_app_search_page(paths):
    from fastapi.testclient import TestClient

    from pipeline.review.app import create_app

    client = TestClient(create_app(paths), base_url="http://127.0.0.1:8765")
    assert 'href="/search"' in client.get("/").text  # the navigation links to the page
    page = client.get("/search", params={"q": "ideeën", "speaker": "Floris"})
    assert page.status_code == 200
    assert "<mark>ideeën</mark>" in page.text and 'href="/r/krachtenbundeling?t=150.0"' in page.text
    assert 'href="/r/krachtenbundeling/media#t=150.0"' in page.text and "Floris Bakermans" in page.text
    rows = client.get("/search", params={"q": "capital", "language": "en"}, headers={"accept": "application/json"}).json()
    assert [r["recording"] for r in rows] == ["inaugural"]
    bad = client.get("/search", params={"q": '"<script>alert(1)</script>'})
    assert bad.status_code == 422 and "unbalanced double quote" in bad.text and "<script>alert" not in bad.text
    assert "Geen resultaten" in client.get("/search", params={"q": "fiets"}).text  # Dutch by default


def test_chapters_are_numbered_from_one_everywhere(paths):
    hit = search(paths, "ideeën")[0]
    assert (hit.chapter_number, hit.chapter) == (2, "Inventariseren uitdagingen van deelnemende wegbeheerders")
    assert "chapter_index" not in hit.to_dict() and "chapter_number" in COLUMNS
    # --chapter takes a number (from 1) or words of the title
    assert texts(paths, "data", chapter="2") == [DUTCH_SENTENCES[5][2]]
    assert texts(paths, "data", chapter=3) == [PASSING]
    assert texts(paths, "data", chapter="uitdagingen") == [DUTCH_SENTENCES[5][2]]
    assert texts(paths, "data", chapter="9") == []
    with pytest.raises(ConfigError, match="numbered from 1"):
        SearchFilters(chapter="0")
    frame = pipeline.search("ideeën", data=paths.root)
    assert frame.iloc[0]["chapter_number"] == 2
    rows = json.loads(cli(paths, "ideeën", "--json", "--chapter", "2").stdout)
    assert [r["chapter_number"] for r in rows] == [2]
    csv_out = cli(paths, "ideeën", "--csv").stdout.splitlines()
    assert "chapter_number" in csv_out[0].split(",") and ",2,Inventariseren" in csv_out[1]
    assert "chapter 2: Inventariseren" in cli(paths, "ideeën").stdout
    from pipeline.index import explore

    sentences = explore.load_sentences(paths)
    assert sorted(sentences["chapter_number"].dropna().unique()) == [1, 2, 3]
    assert list(explore.distinctive_terms(sentences).columns) == ["recording", "chapter_number", "terms"]


def test_links_use_the_configured_review_url(paths, monkeypatch):
    monkeypatch.setenv("PIPELINE_REVIEW_URL", "https://review.example.org/lectures/")
    hit = search(paths, "ideeën")[0]
    assert hit.review_url == "https://review.example.org/lectures/r/krachtenbundeling?t=150.0"
    out = subprocess.run([sys.executable, "-m", "pipeline", "search", "ideeën"], capture_output=True, text=True,
                         env={**os.environ, "PIPELINE_DATA": str(paths.root)}, timeout=60).stdout
    assert "https://review.example.org/lectures/r/krachtenbundeling?t=150.0" in out
    monkeypatch.setenv("PIPELINE_REVIEW_URL", "review.example.org")
    with pytest.raises(ConfigError, match="PIPELINE_REVIEW_URL must be an http"):
        search(paths, "ideeën")


def test_very_common_words_rank_a_capped_set_with_a_note(paths, monkeypatch):
    from fastapi.testclient import TestClient

    from pipeline.index import fts5
    from pipeline.review.app import create_app

    assert search(paths, "samenwerking").note == ""
    monkeypatch.setattr(fts5, "SCORED_ROWS_CAP", 2)
    hits = search(paths, "samenwerking")
    assert len(hits) == 2 and "only the 2 most recently indexed were ranked" in hits.note
    assert pipeline.search("samenwerking", data=paths.root).attrs["note"] == hits.note
    client = TestClient(create_app(paths), base_url="http://127.0.0.1:8765")
    page = client.get("/search", params={"q": "samenwerking"}, headers={"accept": "application/json"})
    assert page.status_code == 200 and "most recently indexed" in page.headers["x-search-note"]
