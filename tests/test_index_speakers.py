"""The index's segments fallback (a recording without sentences.json) carries each piece's speaker, so
`pipeline search --speaker` and `pipeline.search(speaker=...)` find the turns of one voice."""
from __future__ import annotations

import json

from pipeline.artifacts.manifest import (
    ListedChapter,
    Recording,
    Speaker,
    save_recording,
)
from pipeline.artifacts.speakers import SpeakerEntry, Speakers, Turn
from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.chapters import stage as chapters_stage
from pipeline.cli import main as cli_main
from pipeline.index import stage as index_stage
from pipeline.index.api import SearchFilters, search
from pipeline.runner.run import run_recording

LINES = [(0.0, "Welkom bij dit college over wegbeheer."), (4.0, "Wegbeheer vraagt om goede data."),
         (9.0, "Dank je, ik vertel over fietspaden en wegbeheer."), (14.0, "Fietspaden zijn ook wegen.")]


def transcript() -> Transcript:
    segments = []
    for i, (start, text) in enumerate(LINES):
        tokens = text.split()
        words = [Word(round(start + 0.4 * k, 2), round(start + 0.4 * k + 0.35, 2), " " + w) for k, w in enumerate(tokens)]
        segments.append(Segment(i, start, words[-1].end, " " + text, words))
    return Transcript("nl", 20.0, "test", "synthetic", segments)


def test_segments_fallback_rows_carry_the_speaker(data, capsys):
    save_recording(data, Recording(slug="college", title="College", media="college.wav", language="nl",
                                   speakers=[Speaker("Anna de Vries"), Speaker("Bram Jansen")],
                                   chapters=[ListedChapter(0, "Inleiding")]))
    work = data.work_dir("college")
    transcript().save(work / "transcript.json")
    Speakers("nl", 20.0, "test", {}, [Turn(0.0, 8.5, "SPEAKER_00"), Turn(8.8, 20.0, "SPEAKER_01")],
             [SpeakerEntry("SPEAKER_00", "Anna de Vries", 8.5, "introduction", "presenter", "Anna de Vries"),
              SpeakerEntry("SPEAKER_01", "Bram Jansen", 11.2, "introduction", "presenter", "Bram Jansen")]
             ).save(work / "speakers.json")
    results = run_recording(data, "college", [chapters_stage.STAGE, index_stage.STAGE])
    assert [r.status for r in results] == ["ran", "ran"], [r.error for r in results]
    assert not (work / "sentences.json").exists()  # the index read segments.parquet
    hits = search(data, "wegbeheer", SearchFilters(speaker="bram"))
    assert [(h.speaker, h.start) for h in hits] == [("Bram Jansen", 9.0)]
    assert {h.speaker for h in search(data, "wegbeheer")} == {"Anna de Vries", "Bram Jansen"}
    assert cli_main(["search", "--json", "--speaker", "Anna", "wegbeheer"]) == 0
    assert sorted(h["start"] for h in json.loads(capsys.readouterr().out)) == [0.0, 4.0]
