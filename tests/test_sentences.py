"""Sentence splitting with timestamps: text, times, segment ids and stable ids."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture  # noqa: E402

from pipeline.artifacts.chapter_line import ChapterEntry
from pipeline.artifacts.sentences import SentenceSet, load_sentences, sentence_id
from pipeline.chapters.stage import split_transcript  # noqa: E402
from pipeline.core.errors import PipelineError  # noqa: E402
from pipeline.drafts.nlp import language_tools  # noqa: E402
from pipeline.drafts.sentences import segments_text, split_sentences
from pipeline.drafts.stage import read_chapters  # noqa: E402
from pipeline.ingest.chapterlist import ChapterList


@pytest.mark.parametrize("name", ["nl", "en"])
@pytest.mark.parametrize("across", [False, True])
def test_sentences_are_the_written_ones_with_their_chapter_times_and_segments(name, across):
    spec = lecture(name)
    transcript, chapters, _ = build(spec, across_chapters=across)
    result = split_sentences(transcript, chapters, language_tools(name))
    written = [(i, s) for i, c in enumerate(spec["chapters"]) for s in c["sentences"]]
    assert [(s.chapter_index, s.text) for s in result.sentences] == written
    for s in result.sentences:
        chapter = chapters[s.chapter_index]
        assert chapter.start <= s.start < s.end <= chapter.end
        assert s.text in segments_text(transcript, s.segment_ids)
    starts = [s.start for s in result.sentences]
    assert starts == sorted(starts)
    # Segments hold 13 words regardless of sentence ends, so some sentences span two segments.
    assert any(len(s.segment_ids) > 1 for s in result.sentences)


def test_times_come_from_the_words():
    spec = {**lecture("en"), "chapters": [{"title": "one", "sentences": ["Short one.", "Second sentence here."]}]}
    transcript, chapters, _ = build(spec)
    first, second = split_sentences(transcript, chapters, language_tools("en")).sentences
    words = transcript.words()
    assert (first.start, first.end) == (words[0].start, words[1].end)
    assert (second.start, second.end) == (words[2].start, words[4].end)
    assert first.id == "s000000000" and second.id == "s%09d" % round(words[2].start * 1000)


def test_segment_split_by_the_chapters_stage_keeps_every_sentence_once():
    transcript, chapters, _ = build(lecture("nl"), across_chapters=True)
    listed = ChapterList(tuple(ChapterEntry(c.start, c.title, i + 1) for i, c in enumerate(chapters)), "test")
    split = split_transcript(transcript, listed)
    with tempfile.TemporaryDirectory() as tmp:
        split.save(Path(tmp) / "chapters.json")
        spans = read_chapters(Path(tmp) / "chapters.json")
    assert any(span.parts for span in spans), "the fixture should make the chapters stage split a segment"
    result = split_sentences(transcript, spans, language_tools("nl"))
    assert " ".join(s.text for s in result.sentences) == transcript.text


def test_ids_are_unique_when_starts_collide():
    taken: set[str] = set()
    assert [sentence_id(1.2344, taken), sentence_id(1.2341, taken), sentence_id(1.234, taken)] == \
        ["s000001234", "s000001234-1", "s000001234-2"]


def test_round_trip_and_load_errors(tmp_path):
    transcript, chapters, _ = build(lecture("nl"))
    result = split_sentences(transcript, chapters, language_tools("nl"))
    path = result.save(tmp_path / "sentences.json")
    loaded = load_sentences(path)
    assert loaded == result and loaded.to_json()["schema_version"] == 1
    assert len(loaded.by_id()) == len(loaded.sentences)
    with pytest.raises(PipelineError, match="does not exist"):
        load_sentences(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(PipelineError, match="not a valid sentences.json"):
        SentenceSet.load(tmp_path / "bad.json")


def test_empty_transcript_has_no_sentences():
    spec = {**lecture("en"), "chapters": [{"title": "silence", "sentences": ["Hello."]}]}
    transcript, chapters, _ = build(spec)
    transcript.segments.clear()
    chapters = [c.__class__(c.index, c.title, c.start, c.end, (), "") for c in chapters]
    assert split_sentences(transcript, chapters, language_tools("en")).sentences == []
