"""pipeline.editorial.corrections: the read-only correction layer the pipeline applies to machine text."""
from __future__ import annotations

import sqlite3

import pytest

from pipeline.core.config import DataPaths
from pipeline.editorial.corrections import (
    Corrections,
    Rule,
    corrections_digest,
    glossary_terms,
    load_corrections,
)
from pipeline.editorial.store import ReviewStore


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path)


def test_missing_database_means_no_corrections(paths):
    assert glossary_terms(paths) == []
    corrections = load_corrections(paths, "talk")
    assert corrections.is_empty()
    assert corrections.sentence_text("s000001", "de krattenbundeling") == "de krattenbundeling"
    assert not paths.review_db.exists(), "reading must never create the database"
    assert corrections_digest(paths, "talk") == corrections_digest(paths, "other")


def test_sentence_edit_applies_only_while_its_source_matches(paths):
    store = ReviewStore(paths.review_db)
    store.correct_sentence("talk", "s000100", source_text="Welkom bij de krattenbundeling.",
                           text="Welkom bij de Krachtenbundeling.", editor="An", expected_version=0)
    c = load_corrections(paths, "talk")
    assert c.sentence_text("s000100", "Welkom bij de krattenbundeling.") == "Welkom bij de Krachtenbundeling."
    # whitespace-only differences still match
    assert c.sentence_text("s000100", " Welkom bij de  krattenbundeling. ") == "Welkom bij de Krachtenbundeling."
    # re-processing changed the sentence: machine text wins, the edit is not applied blindly
    assert c.sentence_text("s000100", "Welkom allemaal.") == "Welkom allemaal."
    # other recordings are unaffected
    assert load_corrections(paths, "other").sentence_text("s000100", "x") == "x"


def test_rules_and_glossary_apply_to_free_text(paths):
    store = ReviewStore(paths.review_db)
    store.add_rule("talk", "krattenbundeling", "Krachtenbundeling", "An")
    store.add_term("iVRI", "An")
    store.add_term("NTM", "An")
    store.add_term("Overijssel", "An")
    c = load_corrections(paths, "talk")
    text = "De krattenbundeling plaatst 850 ivri's in overijssel; ntm komt eraan. Ivrijheid."
    assert c.apply(text) == "De Krachtenbundeling plaatst 850 iVRI's in Overijssel; NTM komt eraan. Ivrijheid."
    assert glossary_terms(paths) == ["iVRI", "NTM", "Overijssel"]
    assert load_corrections(paths, "other").apply("krattenbundeling in overijssel") == \
        "krattenbundeling in Overijssel", "rules are per recording, the glossary is project-wide"


def test_corrected_sentences_reach_free_text_built_from_them():
    c = Corrections(sentence_edits={
        "s000100": ("De straat van je pratar is een zee-engte.", "De Straat van Gibraltar is een zee-engte."),
        "s000200": ("Ja.", "Jazeker."),
    })
    summary = "Dat kan met weinig geld. De straat van je pratar is een zee-engte. Ja."
    assert c.apply(summary) == "Dat kan met weinig geld. De Straat van Gibraltar is een zee-engte. Ja."
    # the fallback for a changed sentence does not borrow other sentences' edits
    assert c.sentence_text("s000300", "De straat van je pratar is een zee-engte. Echt.") == \
        "De straat van je pratar is een zee-engte. Echt."


def test_replacement_text_is_literal():
    c = Corrections(rules=[Rule("a.b", r"\1 $x", whole_word=False)])
    assert c.apply("xa.by aXb") == r"x\1 $xy aXb"


def test_digest_changes_with_every_correction_and_only_then(paths):
    store = ReviewStore(paths.review_db)
    digests = [corrections_digest(paths, "talk")]
    store.add_rule("talk", "krattenbundeling", "Krachtenbundeling", "An")
    digests.append(corrections_digest(paths, "talk"))
    store.add_term("NTM", "An")
    digests.append(corrections_digest(paths, "talk"))
    store.correct_sentence("talk", "s1", source_text="a", text="b", editor="An", expected_version=0)
    digests.append(corrections_digest(paths, "talk"))
    assert len(set(digests)) == 4
    assert corrections_digest(paths, "talk") == digests[-1]
    store.set_item("talk", "quote", "q1", "approve", source_text="x", editor="An", expected_version=0)
    assert corrections_digest(paths, "talk") == digests[-1], "draft approvals do not change transcript text"


def test_pipeline_opens_the_database_read_only(paths):
    ReviewStore(paths.review_db).add_term("NTM", "An")
    paths.review_db.chmod(0o444)
    try:
        assert glossary_terms(paths) == ["NTM"]
    finally:
        paths.review_db.chmod(0o644)
    uri = f"{paths.review_db.as_uri()}?mode=ro"
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(uri, uri=True).execute("DELETE FROM glossary")


def test_damaged_database_is_an_error_never_machine_text_in_silence(paths):
    from pipeline.core.errors import PipelineError
    from pipeline.editorial.corrections import (
        ReviewDatabaseError,
        glossary_terms,
        load_corrections,
    )

    ReviewStore(paths.review_db).add_term("iVRI", "Anne")
    paths.review_db.write_bytes(b"not a database at all " * 500)
    for read in (lambda: load_corrections(paths, "x"), lambda: glossary_terms(paths)):
        with pytest.raises(ReviewDatabaseError) as caught:
            read()
        assert isinstance(caught.value, PipelineError) and isinstance(caught.value, sqlite3.DatabaseError)
        assert "review.sqlite is damaged (file is not a database)" in str(caught.value) and ".recover" in str(caught.value)


def test_database_without_the_tables_is_read_as_no_corrections(paths):
    with sqlite3.connect(paths.review_db) as conn:
        conn.execute("CREATE TABLE other (x)")
    from pipeline.editorial.corrections import load_corrections

    assert load_corrections(paths, "x").is_empty()
