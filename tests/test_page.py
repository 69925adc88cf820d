"""Importing the seed page: title, chapters, speakers, summary; odd encodings."""
import pytest
from conftest import SEED_CHAPTERS, SEED_PAGE

from pipeline.core.errors import ManifestError
from pipeline.core.textio import decode_text
from pipeline.ingest.page import parse_page, read_page


def test_seed_page_gives_its_8_chapters_and_2_speakers():
    info = read_page(SEED_PAGE)
    assert info.title == "Open college Krachtenbundeling bij slimme en duurzame mobiliteit"
    assert info.language == "nl"
    assert [(c.start, c.title) for c in info.chapters] == SEED_CHAPTERS
    assert [(s.name, s.organisation, s.role) for s in info.speakers] == [
        ("Floris Bakermans", "AT Osborne", "Programmasecretaris Smart Mobility Gezamenlijke Overheden"),
        ("Alex Smienk", "Provincie Overijssel", "Adviseur - projectleider verkeersmanagement"),
    ]
    assert info.introduction.startswith("Op vrijdag 17 juni gaven Floris Bakermans")
    assert info.summary.startswith("Het programma Krachtenbundeling Smart Mobility is in 2018")
    assert len(info.questions) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_page_in_odd_encodings_reads_the_same(tmp_path, encoding):
    text = SEED_PAGE.read_text(encoding="utf-8").replace("’", "'")
    path = tmp_path / "page.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    info = read_page(path)
    assert len(info.chapters) == 8 and info.speakers[1].organisation == "Provincie Overijssel"
    assert "én" in info.summary


def test_binary_or_empty_page_is_one_clear_error(tmp_path):
    with pytest.raises(ManifestError, match="empty"):
        parse_page("\n\n  \n")
    with pytest.raises(ManifestError, match="binary"):
        decode_text(b"\x00\x01\x02abc", "x.txt")
    with pytest.raises(ManifestError, match="not found"):
        read_page(tmp_path / "missing.txt")


def page_with(intro: str, headings: tuple[str, str] = ("Introductie", "Sprekers")) -> str:
    return f"Terugkijken: Een college\n\n{headings[0]}\n\n{intro}\n\n{headings[1]}\n\nAnna\nAnna\nVoorbeeldlab\n"


@pytest.mark.parametrize("intro, date", [
    ("Op vrijdag 17 juni 2022 gaven Floris en Alex een college.", "2022-06-17"),
    ("Op 3 mei 2024 gaf Jan een college.", "2024-05-03"),
    ("Op 17 okt. 2023 was het college.", "2023-10-17"),
    ("On Friday, June 17th, 2022, Floris gave a lecture.", "2022-06-17"),
    ("On 17 June 2022 Floris gave a lecture.", "2022-06-17"),
    ("On the 17th of June 2022 Floris gave a lecture.", "2022-06-17"),
    ("Recorded Jun 14, 2024.", "2024-06-14"),
    ("Opgenomen op 14-06-2024.", "2024-06-14"),
    ("Opgenomen op 14/06/2024.", "2024-06-14"),
    ("Opgenomen op 14.6.2024.", "2024-06-14"),
    ("Recorded on 2024-06-14.", "2024-06-14"),
    ("Het college duurde 2 uur; er kwamen in mei 3 nieuwe deelnemers bij.", ""),  # no date at all
])
def test_page_dates_are_stored_as_iso(intro, date):
    info = parse_page(page_with(intro), "page.txt")
    assert (info.date, info.date_problem) == (date, "")


@pytest.mark.parametrize("intro, problem", [
    ("Op vrijdag 17 juni gaven Floris en Alex een college.", "page.txt: line 5: date '17 juni' has no year"),
    ("On June 17 Floris gave a lecture.", "page.txt: line 5: date 'June 17' has no year"),
    ("Op 31 februari 2024 was het college.", "page.txt: line 5: '31 februari 2024' is not a real date"),
    ("Opgenomen op 31-02-2024.", "page.txt: line 5: '31-02-2024' is not a real date"),
])
def test_a_page_date_that_cannot_be_resolved_is_left_out_with_the_line(intro, problem):
    info = parse_page(page_with(intro), "page.txt")
    assert (info.date, info.date_problem) == ("", problem)


def test_seed_page_date_has_no_year_and_a_date_above_the_introduction_counts():
    info = read_page(SEED_PAGE)
    assert info.date == "" and info.date_problem == f"{SEED_PAGE}: line 5: date '17 juni' has no year"
    info = parse_page("Terugkijken: X\n14 juni 2024\n\nIntroductie\n\nOp 17 juni gaf ...\n", "p")
    assert (info.date, info.date_problem) == ("2024-06-14", "")  # the first date on the page wins


def test_a_prose_line_with_a_time_in_the_chapter_list_is_a_warning_naming_it():
    text = "Terugkijken: X\n\nInhoudsopgave\n\n00:00:00 - Intro\nDe pauze begint om 10:30 ongeveer.\n"
    info = parse_page(text, "page.txt")
    assert [c.title for c in info.chapters] == ["Intro"]
    assert len(info.warnings) == 1 and info.warnings[0].startswith("page.txt: line 6: ignored")
