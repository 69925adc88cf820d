"""The strict chapter-list parser: every form people paste, and every problem named by its line."""
from __future__ import annotations

import pytest
from conftest import (
    SEED_CHAPTERS,  # noqa: E402
    SEED_PAGE,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.artifacts.chapter_line import parse_chapter_line
from pipeline.artifacts.manifest import Recording
from pipeline.core.errors import ChapterListError
from pipeline.core.textio import decode_text
from pipeline.ingest.chapterlist import (
    LEAD_IN_TITLE,
    manifest_chapter_list,
    parse_chapter_text,
    parse_webvtt_chapters,
    read_chapter_file,
    resolve,
    yaml_chapter_lines,
)
from pipeline.ingest.page import read_page


def pairs(chapter_list) -> list[tuple[float, str]]:
    return [(e.start, e.title) for e in chapter_list.entries]


def test_seed_page_section_and_page_import_agree_on_the_8_chapters():
    text = decode_text(SEED_PAGE.read_bytes())
    lines = text.split("\n")
    section = "\n".join(lines[lines.index("Inhoudsopgave") + 1:lines.index("Samenvatting")])
    parsed = parse_chapter_text(section, "seed")
    assert pairs(parsed) == SEED_CHAPTERS
    assert parsed.warnings == ()  # the prose lines in the section hold no times
    assert [(c.start, c.title) for c in read_page(SEED_PAGE).chapters] == SEED_CHAPTERS


@pytest.mark.parametrize("line, start, title", [
    ("00:10:05 - Inventariseren uitdagingen", 605, "Inventariseren uitdagingen"),
    ("0:10:05 Inventariseren uitdagingen", 605, "Inventariseren uitdagingen"),
    ("10:05 Inventariseren", 605, "Inventariseren"),
    ("10:05 – Inventariseren", 605, "Inventariseren"),
    ("10:05 — Inventariseren", 605, "Inventariseren"),
    ("10:05: Inventariseren", 605, "Inventariseren"),
    ("1:07:53 | Samen aan de slag", 4073, "Samen aan de slag"),
    ("- 10:05 Inventariseren", 605, "Inventariseren"),
    ("• [10:05] Inventariseren", 605, "Inventariseren"),
    ("3. (10:05) Inventariseren", 605, "Inventariseren"),
    ("Inventariseren (10:05)", 605, "Inventariseren"),
    ("Inventariseren [1:00:00]", 3600, "Inventariseren"),
    ("Inventariseren - 10:05", 605, "Inventariseren"),
    ("00:00:01.500 - Begin", 1.5, "Begin"),
    ("10:05   Twee   spaties  ", 605, "Twee spaties"),
    ("10:05 - Wie is wie: de 12 regio's", 605, "Wie is wie: de 12 regio's"),
])
def test_each_pasted_form_reads_as_one_chapter(line, start, title):
    entry = parse_chapter_line(line, 7)
    assert (entry.start, entry.title, entry.line) == (start, title, 7)


@pytest.mark.parametrize("line", [
    "Klik op de link om naar het betreffende fragment te gaan.",
    "Kijk het open college terug (zie ook inhoudsopgave)",
    "Er waren 10.000 deelnemers",
    "1. Inleiding",
])
def test_prose_is_not_a_chapter(line):
    assert parse_chapter_line(line) is None


@pytest.mark.parametrize("line", ["1:75 Intro", "0:00Intro", "00:10:05 -", "12.30 Lunch", "[0:00 Intro",
                                  "1:02:03:04 Te veel", "10h05 Koffie"])
def test_a_broken_chapter_line_is_an_error_not_prose(line):
    with pytest.raises(ValueError):
        parse_chapter_line(line)


def test_youtube_description_with_text_around_the_chapters():
    text = (
        "Welkom bij ons open college! Abonneer je op het kanaal.\n"
        "\n"
        "Hoofdstukken:\n"
        "0:00 Intro\n"
        "2:05 – Floris stelt zich voor\n"
        "Alex (12:30)\n"
        "1:02:00 Vragen\n"
        "\n"
        "De livestream begon om 14:00 uur.\n"
        "#mobiliteit #smartmobility\n"
    )
    parsed = parse_chapter_text(text, "description")
    assert pairs(parsed) == [(0, "Intro"), (125, "Floris stelt zich voor"), (750, "Alex"), (3720, "Vragen")]
    assert [e.line for e in parsed.entries] == [4, 5, 6, 7]
    # the prose line with a time is not silently dropped: the warning names it
    assert len(parsed.warnings) == 1 and parsed.warnings[0].startswith("line 9: ignored")


def test_out_of_order_duplicate_and_unreadable_lines_are_all_named_in_one_error():
    text = "00:00 Intro\n05:00 Twee\n03:00 Drie\n03:00 Vier\nregel zonder tijd\n7:75 Vijf\n"
    with pytest.raises(ChapterListError) as err:
        parse_chapter_text(text, "chapters.txt")
    message = str(err.value)
    assert "\n" not in message and message.startswith("chapters.txt: ")
    assert "line 6: bad time '7:75'" in message
    assert "line 3: 00:03:00 comes before 00:05:00 of line 2" in message
    assert "line 4: duplicate time 00:03:00 (also line 3)" in message
    assert "line 5" not in message  # a prose line is not an error


def test_past_the_end_is_an_error_with_its_line_number():
    parsed = parse_chapter_text("0:00 Intro\n\n1:00:00 Slot\n", "page.txt")
    with pytest.raises(ChapterListError, match=r"page\.txt: line 3: 01:00:00 \('Slot'\) is past the end "
                                               r"of the recording \(00:50:00\)"):
        resolve(parsed, 3000.0)
    assert pairs(resolve(parsed, 3600.0)) == [(0, "Intro"), (3600, "Slot")]


def test_first_chapter_after_zero_gets_an_implicit_lead_in_and_a_warning():
    resolved = resolve(parse_chapter_text("\n0:30 Welkom\n5:00 Deel twee\n"), 600.0)
    assert pairs(resolved) == [(0, LEAD_IN_TITLE), (30, "Welkom"), (300, "Deel twee")]
    assert resolved.entries[0].implicit and not resolved.entries[1].implicit
    assert resolved.warnings == ("line 2: the first chapter starts at 00:00:30, not 0; "
                                 "added an implicit 'untitled' lead-in chapter before it",)


def test_webvtt_chapters_file():
    text = ("WEBVTT\n\nNOTE chapters of the open college\n\n"
            "intro\n00:00:00.000 --> 00:02:00.000\nIntro\n\n"
            "00:02:00.000 --> 00:10:05.000\nFloris en <b>Alex</b>\nstellen zich voor\n\n"
            "10:05.500 --> 23:24.000\nInventariseren\n")
    parsed = parse_webvtt_chapters(text, "chapters.vtt")
    assert pairs(parsed) == [(0, "Intro"), (120, "Floris en Alex stellen zich voor"), (605.5, "Inventariseren")]
    assert [e.line for e in parsed.entries] == [6, 9, 13]


def test_webvtt_errors_name_lines():
    with pytest.raises(ChapterListError, match="line 1: a WebVTT file starts with 'WEBVTT'"):
        parse_webvtt_chapters("00:00.000 --> 00:01.000\nIntro\n")
    bad = "WEBVTT\n\n00:05:00.000 --> 00:06:00.000\nB\n\n00:01:00.000 --> 00:02:00.000\nA\n\n00:07:00.000 --> 1\n\n"
    with pytest.raises(ChapterListError) as err:
        parse_webvtt_chapters(bad, "c.vtt")
    assert "line 6: 00:01:00 comes before 00:05:00 of line 3" in str(err.value)
    assert "line 9: a chapter needs a title" in str(err.value)


def test_chapter_files_by_kind(tmp_path):
    vtt = tmp_path / "hoofdstukken.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 01:00.000\nIntro\n", encoding="utf-8")
    txt = tmp_path / "hoofdstukken.txt"
    txt.write_bytes("0:00 Intro\n1:00 Één na\n".encode("cp1252"))
    assert pairs(read_chapter_file(vtt)) == [(0, "Intro")]
    assert pairs(read_chapter_file(txt)) == [(0, "Intro"), (60, "Één na")]
    with pytest.raises(ChapterListError, match="chapter file not found"):
        read_chapter_file(tmp_path / "missing.txt")


def test_recording_yaml_chapters_in_every_form_with_yaml_line_numbers(tmp_path):
    text = ("title: Open college\nmedia: college.mp4\nchapters:\n"
            "  - {start: '00:00:00', title: intro}\n"
            "  - start: 00:02:00\n    title: Floris stelt zich voor\n"
            "  - 00:10:05 - Inventariseren\n"
            "  - {start: 300, title: Te vroeg}\n")
    manifest = tmp_path / "recording.yaml"
    manifest.write_text(text, encoding="utf-8")
    import yaml
    recording = Recording.from_yaml_dict(yaml.safe_load(text), "open-college")
    assert [(c.start, c.title) for c in recording.chapters] == [
        (0, "intro"), (120, "Floris stelt zich voor"), (605, "Inventariseren"), (300, "Te vroeg")]
    assert yaml_chapter_lines(text) == [4, 5, 7, 8]
    with pytest.raises(ChapterListError, match=r"recording\.yaml: line 8: 00:05:00 comes before 00:10:05 of line 7"):
        manifest_chapter_list(recording.chapters, manifest)


def test_recording_yaml_bad_entries_are_named():
    with pytest.raises(ChapterListError, match=r"chapters item 2: 'geen tijd' is not 'HH:MM:SS - title'; "
                                               r"chapters item 3: needs start and title"):
        Recording.from_yaml_dict({"title": "t", "media": "m.mp4",
                                  "chapters": ["0:00 Intro", "geen tijd", {"start": "1:00"}]}, "x")


# --- properties -----------------------------------------------------------------------------------

TITLE = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" ?!'(),&é"),
                min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(
    lambda s: s and s[0].isalpha())
PROSE = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll"), whitelist_characters=" ,.!"),
                max_size=60)


def _format(seconds: int, title: str, form: int) -> str:
    h, m, s = seconds // 3600, seconds % 3600 // 60, seconds % 60
    if form == 0:
        return f"{h:02d}:{m:02d}:{s:02d} - {title}"
    if form == 1:
        return f"{h}:{m:02d}:{s:02d} {title}"
    if form == 2 and h == 0:
        return f"{m:02d}:{s:02d} – {title}"
    if form == 3:
        return f"{h}:{m:02d}:{s:02d}: {title}"
    return f"{title} ({h}:{m:02d}:{s:02d})"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10 * 3600 - 1), TITLE, st.integers(0, 4), PROSE),
                max_size=12, unique_by=lambda c: c[0]))
def test_any_chapter_list_in_any_form_with_prose_round_trips(chapters):
    chapters = sorted(chapters)
    lines = []
    for seconds, title, form, prose in chapters:
        lines += [_format(seconds, title, form), prose]
    parsed = parse_chapter_text("\n".join(lines))
    assert pairs(parsed) == [(seconds, title) for seconds, title, _, _ in chapters]
    assert [e.line for e in parsed.entries] == [2 * i + 1 for i in range(len(chapters))]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_fails_with_a_chapter_list_error(text):
    try:
        parsed = parse_chapter_text(text)
    except ChapterListError as exc:
        assert "line " in str(exc) and "\n" not in str(exc)
        return
    starts = [e.start for e in parsed.entries]
    assert starts == sorted(set(starts))  # strictly increasing, or it would have been an error
