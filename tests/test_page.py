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
