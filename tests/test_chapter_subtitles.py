"""Per-chapter SRT/VTT (pipeline/chapters/files.py) in the publishable layout of publish/subtitles.py:
at most two lines of 42 characters, cues of 1-7 s cut at phrase boundaries; human captions keep
their own cues. Read back with third-party parsers (srt, webvtt-py)."""
from __future__ import annotations

import srt
import webvtt

from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.chapters.files import write_chapter_artifacts
from pipeline.chapters.stage import split_transcript
from pipeline.ingest.chapterlist import parse_chapter_text

SENTENCES = ["Welkom bij dit open college over de Krachtenbundeling in de regio Oost.",
             "We gaan het vandaag hebben over slimme mobiliteit, over data en over samenwerking tussen overheden.",
             "Daarna is er ruimte voor vragen uit de zaal.",
             "Het programma bundelt de krachten van provincies, gemeenten en marktpartijen die samen werken aan verkeer."]


def whisper_like() -> Transcript:
    """Two long Whisper segments (two sentences each) with word times, 0.35 s a word."""
    segments, t = [], 0.0
    for pair in (SENTENCES[:2], SENTENCES[2:]):
        words = []
        for token in " ".join(pair).split():
            words.append(Word(round(t, 3), round(t + 0.3, 3), " " + token, 0.9))
            t += 0.35
        segments.append(Segment(len(segments), words[0].start, words[-1].end, "".join(w.word for w in words), words))
        t += 1.5
    return Transcript("nl", round(t, 3), "faster-whisper", "base", segments)


def captions() -> Transcript:
    """Human captions (engine 'subtitles'): their own cues, one over-long."""
    cues = [(0.0, 2.5, "Welkom bij dit open college."), (2.5, 6.0, SENTENCES[1]), (7.0, 9.0, SENTENCES[2])]
    segments = [Segment(i, s, e, " " + text, []) for i, (s, e, text) in enumerate(cues)]
    return Transcript("nl", 10.0, "subtitles", "captions", segments)


def write(tmp_path, transcript: Transcript):
    transcript.save(tmp_path / "transcript.json")
    chapters = split_transcript(transcript, parse_chapter_text("0:00 Alles\n", "chapters.txt"))
    chapters = write_chapter_artifacts(tmp_path, chapters)
    chapter = chapters.chapters[0]
    cues = list(srt.parse((tmp_path / chapter.files["srt"]).read_text(encoding="utf-8")))
    vtt = webvtt.read(str(tmp_path / chapter.files["vtt"]))
    return chapter, cues, vtt


def test_whisper_chapters_get_publishable_cues(tmp_path):
    chapter, cues, vtt = write(tmp_path, whisper_like())
    assert len(cues) > 4, "two long segments are cut into several cues"
    for cue in cues:
        lines = cue.content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), cue.content
        assert 1.0 <= (cue.end - cue.start).total_seconds() <= 7.0, cue
    assert " ".join(c.content.replace("\n", " ") for c in cues) == chapter.text
    assert [c.text.replace("\n", " ") for c in vtt] == [c.content.replace("\n", " ") for c in cues]
    ends = {c.content.split()[-1] for c in cues}
    assert {"Oost.", "samenwerking tussen overheden.".split()[-1]} <= ends, "cues end at sentence ends"
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:])), "cues never overlap"


def test_human_captions_keep_their_own_cues(tmp_path):
    chapter, cues, vtt = write(tmp_path, captions())
    assert [(c.start.total_seconds(), c.end.total_seconds()) for c in cues] == [(0.0, 2.5), (2.5, 6.0), (7.0, 9.0)]
    long = cues[1].content.split("\n")
    assert len(long) >= 2 and all(len(line) <= 42 for line in long), "an over-long caption is broken, not re-cut"
    assert " ".join(c.content.replace("\n", " ") for c in cues) == chapter.text
    assert len(vtt) == 3
