"""The drafts stage end to end through the real runner, after the real chapters stage."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture  # noqa: E402

from pipeline.artifacts.drafts import load_drafts  # noqa: E402
from pipeline.artifacts.manifest import save_recording  # noqa: E402
from pipeline.artifacts.sentences import load_sentences
from pipeline.chapters import stage as chapters_stage  # noqa: E402
from pipeline.core.config import DataPaths  # noqa: E402
from pipeline.core.errors import PipelineError  # noqa: E402
from pipeline.drafts import stage as drafts  # noqa: E402
from pipeline.drafts.sentences import segments_text
from pipeline.runner.run import run_recording  # noqa: E402
from pipeline.stages import all_stages  # noqa: E402

OUTPUTS = ("sentences.json", "drafts.json", "page.md", "page.html")


def _setup(tmp_path, name, across=False):
    spec = lecture(name)
    transcript, _, recording = build(spec, across_chapters=across)
    paths = DataPaths(tmp_path)
    save_recording(paths, recording)
    transcript.save(paths.work_dir(recording.slug) / "transcript.json")
    return spec, transcript, paths, recording


def _run(paths, slug, force=False):
    results = run_recording(paths, slug, [chapters_stage.STAGE, drafts.STAGE], force=force)
    assert [r.status for r in results][-1] in ("ran", "skipped"), results
    return {n: (paths.work_dir(slug) / n).read_bytes() for n in OUTPUTS}


@pytest.mark.parametrize("name, across", [("nl", True), ("en", False)])
def test_stage_drafts_a_grounded_page(tmp_path, name, across):
    spec, transcript, paths, recording = _setup(tmp_path, name, across)
    _run(paths, recording.slug)
    work = paths.work_dir(recording.slug)
    result = load_drafts(work / "drafts.json")
    sentences = load_sentences(work / "sentences.json")
    assert result.language == name and len(result.chapters) == len(spec["chapters"])
    for chapter, written in zip(result.chapters, spec["chapters"]):
        for item in chapter.summary:  # cleaned, but from its own chapter's sentences
            source = sentences.by_id()[item.sentence_id]
            assert source.chapter_index == chapter.index and source.text in written["sentences"]
            assert (item.start, item.end) == (source.start, source.end)
        for quote in chapter.quotes:
            assert quote.text in segments_text(transcript, quote.segment_ids)
            assert chapter.start <= quote.start <= quote.end <= chapter.end
        assert len(chapter.quotes) <= 3 and len(chapter.summary) <= 5
    content = [c for c in result.chapters if c.index in (1, 2)]
    assert all(len(c.summary) >= 2 and 3 <= len(c.keyphrases) <= 8 and c.quotes for c in content)
    assert [q.text[:30] for q in result.questions] == [q["question"][:30] for q in spec["questions"]]
    assert all(q.answer_start >= q.end and q.answer_end > q.answer_start for q in result.questions)
    ids = list(result.items())
    assert len(ids) == len(set(ids)) and all(i.split("-", 1)[1] in sentences.by_id() for i in ids)
    assert result.summary and result.provenance["transcript_sha256"]


def test_page_files_are_in_the_recording_language_and_escaped(tmp_path):
    _, _, paths, recording = _setup(tmp_path, "nl")
    _run(paths, recording.slug)
    work = paths.work_dir(recording.slug)
    md = (work / "page.md").read_text(encoding="utf-8")
    html = (work / "page.html").read_text(encoding="utf-8")
    for heading in ("Introductie", "Inhoudsopgave", "Samenvatting", "Openstaande Q&A", "Sprekers"):
        assert f"## {heading}" in md
    assert "](../../recordings/open-college-nl/lecture.mp4#t=30)" in md  # snapped time, linked
    assert "Op vrijdag 17 juni 2022 gaven Floris Bakermans (AT Osborne)" in md
    # Answers on the page contain '<' and '&': escaped in HTML, backslash-escaped in Markdown.
    assert "(&lt; 1 procent)" in html and "burgers &amp; marktpartijen" in html
    assert "(< 1 procent)" not in html and "(\\< 1 procent)" in md and "burgers & marktpartijen" in md


def test_reruns_are_byte_identical(tmp_path):
    _, _, paths, recording = _setup(tmp_path, "nl")
    first = _run(paths, recording.slug)
    again = _run(paths, recording.slug, force=True)
    assert first == again
    other = DataPaths(tmp_path / "other")
    _setup(other.root, "nl")
    assert _run(other, recording.slug) == first


def test_missing_or_bad_chapters_fail_cleanly_without_artifacts(tmp_path):
    _, _, paths, recording = _setup(tmp_path, "en")
    work = paths.work_dir(recording.slug)
    results = run_recording(paths, recording.slug, [drafts.STAGE])
    assert results[0].status == "failed" and "chapters.json" in results[0].error
    (work / "chapters.json").write_text('{"chapters": "nonsense"}')
    results = run_recording(paths, recording.slug, [drafts.STAGE])
    assert results[0].status == "failed" and "not a valid chapters.json" in results[0].error
    assert not any((work / n).exists() for n in OUTPUTS)
    with pytest.raises(PipelineError, match="does not exist"):
        load_drafts(work / "drafts.json")


def test_drafts_is_registered_after_chapters():
    names = [s.name for s in all_stages()]
    assert names.index("drafts") == names.index("chapters") + 1
