"""A small data folder for the search tests: two real-text recordings in the documented artifact
shapes (recording.yaml, chapters.json, sentences.json, segments.parquet).

The Dutch text is taken from the published page in ../shared/seed (the lecture the pipeline
drafts) and spoken-style sentences about it; the English text is the JFK excerpt and the
faster-whisper stereo sample's reference transcripts from ../shared/testdata.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from pipeline.core import fsutil
from pipeline.core.config import DataPaths

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

DUTCH_CHAPTERS = [
    (0.0, "intro"),
    (120.0, "Inventariseren uitdagingen van deelnemende wegbeheerders"),
    (240.0, "Meer samenhang en samenwerking in regio Oost (Alex)"),
]
# (chapter index, speaker, text): spoken-style sentences, one per row.
DUTCH_SENTENCES = [
    (0, "", "Welkom allemaal bij dit open college over Krachtenbundeling bij slimme en duurzame mobiliteit."),
    (0, "", "Vandaag vertellen Floris Bakermans en Alex Smienk over het programma."),
    (1, "Floris Bakermans", "Eerst willen we weten welke uitdagingen u als wegbeheerder ziet."),
    (1, "Floris Bakermans", "Er gebeurden al veel goede dingen, maar te versnipperd, vrijblijvend en kleinschalig."),
    (1, "Floris Bakermans", "Denk aan de lancering van NTM en 850 iVRI's in het hele land."),
    (1, "Floris Bakermans", "Heeft iemand nog ideeën over de publieke data van de regionale datateams?"),
    (2, "Alex Smienk", "In regio Oost willen we samenwerken met alle provincies en gemeenten."),
    (2, "Alex Smienk", "Er wordt veel gesproken over de Human Capital agenda."),
    (2, "Alex Smienk", "Samenwerken, samenwerken en nog eens samenwerken: samenwerking is de kern van samenwerking."),
    (2, "Alex Smienk", "Tot slot: het was een lange dag met veel onderwerpen, zoals verkeersmanagement, data, "
                       "de kosten van onderhoud, de planning van werkzaamheden en ook de samenwerking."),
]


def jfk_text() -> str:
    return (SHARED / "testdata/en_jfk_inaugural_excerpt/jfk.txt").read_text(encoding="utf-8").strip()


def stereo_texts() -> list[str]:
    lines = (SHARED / "testdata/en_faster_whisper_stereo_two_channels/transcripts.tsv").read_text().splitlines()
    return [line.split("\t", 1)[1].strip() for line in lines if "\t" in line]


def write_recording(paths: DataPaths, slug: str, manifest: dict) -> None:
    folder = paths.recording_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / manifest["media"]).write_bytes(b"")  # the index only links to it
    fsutil.write_text(folder / "recording.yaml", yaml.safe_dump(manifest, allow_unicode=True))


def write_sentences(paths: DataPaths, slug: str, language: str, rows: list[tuple[int, str, str]],
                    chapters: list[tuple[float, str]], seconds: float = 10.0) -> None:
    """sentences.json and chapters.json, one sentence every `seconds`."""
    work = paths.work_dir(slug)
    sentences = []
    for i, (chapter, speaker, text) in enumerate(rows):
        start = chapters[chapter][0] + 10.0 * sum(1 for r in rows[:i] if r[0] == chapter)
        sentences.append({"id": "s%09d" % round(start * 1000), "chapter_index": chapter, "start": start,
                          "end": start + seconds - 0.5, "text": text, "segment_ids": [i], "speaker": speaker})
    fsutil.write_json(work / "sentences.json", {"schema_version": 1, "language": language, "sentences": sentences})
    ends = [c[0] for c in chapters[1:]] + [max(s["end"] for s in sentences)]
    fsutil.write_json(work / "chapters.json", {"schema_version": 1, "chapters": [
        {"index": i, "title": t, "listed_start": s, "start": s, "end": e, "segment_ids": [], "text": "",
         "word_count": 0, "flags": []} for i, ((s, t), e) in enumerate(zip(chapters, ends))]})


def write_segments(paths: DataPaths, slug: str, texts: list[str], chapter_title: str) -> None:
    """A segments table only (a recording whose drafts stage has not run)."""
    rows = [{"recording": slug, "segment_id": i, "chapter_index": 0, "chapter_title": chapter_title,
             "start": 5.0 * i, "end": 5.0 * i + 4.5, "text": t, "flags": ""} for i, t in enumerate(texts)]
    path = paths.work_dir(slug) / "segments.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path, index=False)


def build_data(root: Path) -> DataPaths:
    """Two recordings: a Dutch lecture (sentences) and an English one (segments table only)."""
    paths = DataPaths(root)
    write_recording(paths, "krachtenbundeling", {
        "title": "Open college Krachtenbundeling bij slimme en duurzame mobiliteit", "media": "lecture.mp4",
        "language": "nl", "date": "2022-06-17",
        "speakers": [{"name": "Floris Bakermans"}, {"name": "Alex Smienk"}]})
    write_sentences(paths, "krachtenbundeling", "nl", DUTCH_SENTENCES, DUTCH_CHAPTERS)
    write_recording(paths, "inaugural", {
        "title": "Inaugural address (excerpt)", "media": "jfk.flac", "language": "en", "date": "1961-01-20",
        "speakers": [{"name": "John F. Kennedy"}]})
    write_segments(paths, "inaugural", [jfk_text(), *stereo_texts(),
                                        "Human capital is what a country can do with its people."],
                   "Ask not what your country can do for you")
    return paths
