"""pipeline.publish.export: the reviewed page (only approved items, corrected text) and corrected subtitles."""
from __future__ import annotations

import pytest
import srt as srt_lib
from review_fixture import build_sample

from pipeline.cli import main
from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError
from pipeline.editorial.store import ReviewStore
from pipeline.ingest.captions import parse_captions
from pipeline.publish.export import (
    EmptySectionsError,
    build_page,
    empty_sections,
    export,
    export_text,
)

SLUG = "open-college"


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    return paths


def decide(store, kind, item_id, action, source, text=None):
    return store.set_item(SLUG, kind, item_id, action, source_text=source, editor="Anne",
                          expected_version=0, text=text)


def test_nothing_approved_gives_title_and_chapters_only(paths):
    page = build_page(paths, SLUG)
    assert not paths.review_db.exists(), "export reads the review database, never creates it"
    assert page.title == "Open college Krachtenbundeling" and [c.title for c in page.chapters] == [
        "intro", "Uitleg programma Krachtenbundeling"]
    assert (page.introduction, page.summary, page.quotes, page.questions, page.speakers) == ("", "", [], [], [])


def test_page_has_approved_items_and_approved_edits_in_corrected_text(paths):
    store = ReviewStore(paths.review_db)
    store.add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Anne")
    intro = "Floris Bakermans en Alex Smienk gaven een open college over de krattenbundeling."
    decide(store, "introduction", "introduction", "approve", intro)
    quote_source = "Er gebeurden al veel goede dingen, maar te versnipperd, vrijblijvend en kleinschalig."
    decide(store, "quote", "quote-s000015000", "edit", quote_source,
           "Er gebeurden al veel goede dingen, maar te versnipperd.")
    assert "te versnipperd.\u201d" not in export_text(paths, SLUG, "md"), "an edit alone is not an approval"
    store.set_item(SLUG, "quote", "quote-s000015000", "approve", source_text=quote_source, editor="Bert",
                   expected_version=1)
    decide(store, "quote", "quote-s000004500", "reject", "Ik ben Floris Bakermans van AT Osborne.")
    decide(store, "question", "qa-s000025500", "approve", "Hoe kan je maatschappelijk human capital mobiliseren?")
    decide(store, "speaker", "speaker-1", "approve",
           "Floris Bakermans\nAT Osborne\nProgrammasecretaris Smart Mobility")
    decide(store, "summary_sentence", "sum-s000020500", "approve",
           "In de Krachtenbundeling zorgen we voor meer samenhang en slagkracht.")
    md = export_text(paths, SLUG, "md")
    assert "## Introductie" in md and "over de Krachtenbundeling." in md, "rules apply to exported text"
    assert "\u201cEr gebeurden al veel goede dingen, maar te versnipperd,\u201d vertelt Floris." in md
    assert "Ik ben Floris" not in md, "rejected quote left out"
    assert "**Vraag:** Hoe kan je maatschappelijk human capital mobiliseren?" in md
    assert "**Antwoord" not in md, "an answer is only exported once approved"
    assert "**Floris Bakermans**" in md and "**Alex Smienk**" not in md
    assert "meer samenhang en slagkracht" in md
    html = export_text(paths, SLUG, "html")
    assert html.startswith("<!DOCTYPE html>") and "<h2>Samenvatting</h2>" in html


def test_stale_decisions_are_not_exported(paths):
    store = ReviewStore(paths.review_db)
    decide(store, "summary", "summary", "approve", "An earlier machine summary.")
    assert build_page(paths, SLUG).summary == ""


def test_subtitles_use_corrected_sentences_and_escape_nothing_away(paths):
    store = ReviewStore(paths.review_db)
    store.correct_sentence(SLUG, "s000000000", source_text="Welkom bij dit open college over de krattenbundeling.",
                           text="Welkom bij dit open college over de Krachtenbundeling.", editor="Anne",
                           expected_version=0)
    srt = export_text(paths, SLUG, "srt")
    cues = parse_captions(srt, "export.srt")
    assert " ".join(cues[0].text.split()) == "Welkom bij dit open college over de Krachtenbundeling."
    assert all(b.start >= a.start for a, b in zip(cues, cues[1:])), "timestamps only move forward"
    assert all(len(line) <= 42 for c in srt_lib.parse(srt) for line in c.content.split("\n"))
    vtt = export_text(paths, SLUG, "vtt")
    assert vtt.startswith("WEBVTT") and "00:00:00.000 --> 00:00:04.000" in vtt


def test_export_writes_atomically_and_cli(paths, capsys):
    path = export(paths, SLUG, "md", allow_empty=True)
    assert path == paths.work_dir(SLUG) / "export" / "page.md" and path.read_text().startswith("# Terugkijken")
    out = paths.root / "out.vtt"
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "vtt", "--out", str(out)]) == 0
    assert out.read_text().startswith("WEBVTT") and str(out) in capsys.readouterr().out
    assert main(["--data", str(paths.root), "export", "missing", "--format", "md"]) == 1
    assert "no recording 'missing'" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        export_text(paths, SLUG, "docx")


def test_export_refuses_sections_with_nothing_approved_unless_allowed(paths, capsys):
    target = paths.root / "page.md"
    with pytest.raises(EmptySectionsError) as refused:
        export(paths, SLUG, "md", target)
    assert any(s.startswith("Citaten (0 of 2") for s in refused.value.sections) and not target.exists()
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "md", "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert "warning: open-college: nothing approved in Citaten (0 of 2 approved)" in err
    assert "--allow-empty" in err and not target.exists()
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "md", "--out", str(target),
                 "--allow-empty"]) == 0
    assert target.is_file() and "warning:" in capsys.readouterr().err, "still warned when allowed"
    # subtitles come from the transcript: no approvals needed
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "srt",
                 "--out", str(paths.root / "t.srt")]) == 0


def test_export_passes_when_every_section_has_an_approval(paths):
    store = ReviewStore(paths.review_db)
    view_items = {
        ("introduction", "introduction"): "Floris Bakermans en Alex Smienk gaven een open college over de krattenbundeling.",
        ("summary", "summary"): "Het programma bundelt de krachten van overheden.",
        ("quote", "quote-s000004500"): "Ik ben Floris Bakermans van AT Osborne.",
        ("question", "qa-s000025500"): "Hoe kan je maatschappelijk human capital mobiliseren?",
        ("speaker", "speaker-1"): "Floris Bakermans\nAT Osborne\nProgrammasecretaris Smart Mobility",
    }
    for (kind, item_id), source in view_items.items():
        decide(store, kind, item_id, "approve", source)
    assert empty_sections(paths, SLUG) == []
    assert export(paths, SLUG, "md").is_file()
