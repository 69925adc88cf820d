"""The drafts stage: per-chapter summaries, keyphrases, quotes, open questions and a page draft,
in the recording's language (data/work/<slug>/drafts.json, page.md, page.html).

Every summary item, quote and question carries a stable `id` derived from the id of the sentence it
comes from ('sum-s000123456', 'quote-s000123456', 'qa-s000123456'), so editors' review state can key
on it across identical re-runs.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nltk
import numpy as np

from pipeline.artifacts.chapters import load_chapters
from pipeline.artifacts.drafts import ChapterDraft, Drafts, Question, Quote, SummaryItem
from pipeline.artifacts.manifest import Recording
from pipeline.artifacts.sentences import ChapterSpan, Sentence, SentenceSet
from pipeline.artifacts.speakers import Speakers, optional_speakers
from pipeline.artifacts.transcript import Transcript
from pipeline.core import fsutil
from pipeline.core.errors import ConfigError, PipelineError
from pipeline.core.timecode import format_clock
from pipeline.core.version import __version__
from pipeline.drafts.keyphrases import WordClasses, word_classes
from pipeline.drafts.llm import draft_with_llm, settings_from_env
from pipeline.drafts.nlp import LanguageTools, language_tools, word_count
from pipeline.drafts.page_texts import (
    PageContent,
    check_page_texts,
    page_questions,
    read_page_content,
)
from pipeline.drafts.questions import QuestionOptions, find_questions, is_qa_chapter
from pipeline.drafts.quotes import QuoteOptions, is_verbatim, quote_candidates
from pipeline.drafts.sentences import segments_text, split_sentences
from pipeline.drafts.summarize import (
    SummaryOptions,
    best_remaining,
    centrality,
    idf_table,
    keyphrase_count,
    keyphrases,
    normalized,
    summarize,
    summary_size,
    tidy_sentence,
)
from pipeline.publish.page import (
    PageChapter,
    PageDraft,
    PageQuestion,
    PageQuote,
    draft_introduction,
    media_location,
    moment_link,
    render_html,
    render_markdown,
    site_media_url,
)
from pipeline.runner.stage import Stage, StageContext

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
METHOD = ("extractive: LexRank over stemmed, stopword-free TF-IDF sentence vectors with MMR redundancy penalty; "
          "rule-scored verbatim quotes; question sentences paired with the following answer span")


# ---------------------------------------------------------------- the stage

@dataclass(frozen=True)
class DraftOptions:
    """All options of the drafts stage."""

    summary: SummaryOptions = field(default_factory=SummaryOptions)     # chapter/recording summaries, keyphrases
    quotes: QuoteOptions = field(default_factory=QuoteOptions)          # quote candidates
    questions: QuestionOptions = field(default_factory=QuestionOptions)  # open questions
    page_quotes: int = 2  # quotes on the page draft: the best of all chapters, in time order

    def __post_init__(self) -> None:
        if self.page_quotes < 0:
            raise ConfigError("draft options: page_quotes must be >= 0")


def run(transcript: Transcript, chapters: list[ChapterSpan], recording: Recording,
        options: DraftOptions | None = None, page: PageContent | None = None,
        voices: Speakers | None = None) -> tuple[SentenceSet, Drafts]:
    """Draft everything for one recording: its sentences and drafts (pure; writes nothing). What `page`
    (the recording's page.txt) already says is kept as the editor's text and checked against the transcript.
    `voices` (speakers.json) gives each sentence, quote, question and answer the voice that said it."""
    options = options or DraftOptions()
    if transcript.language and transcript.language != recording.language:
        log.warning("%s: transcript language %r differs from recording.yaml's %r; drafting in %r",
                    recording.slug, transcript.language, recording.language, recording.language)
    tools = language_tools(recording.language)
    speakers = chapter_speakers(chapters, recording)
    sentence_set = split_sentences(transcript, chapters, tools, speakers, voices)
    audience = frozenset(s.name for s in voices.speakers if s.role == "audience" and s.name) if voices else frozenset()
    idf = idf_table([tools.terms(s.text) for s in sentence_set.sentences])
    by_chapter = {c.index: sentence_set.in_chapter(c.index) for c in chapters}
    chapter_idf = idf_table([[t for s in by_chapter[c.index] for t in tools.terms(s.text)] for c in chapters])
    all_texts = [s.text for s in sentence_set.sentences]
    classes = word_classes(all_texts, tools)
    names = frozenset(w.lower() for sp in recording.speakers for w in sp.name.split())
    page = page or PageContent()
    # Everything the page says once, so nothing is said twice: the page's summary, then each chosen sentence.
    said = [page.summary[a:b] for a, b in tools.sentence_spans(page.summary)] if page.summary else []
    drafted = [_chapter_draft(c, by_chapter[c.index], transcript, tools, speakers.get(c.index, ""), idf, chapter_idf,
                              options, said, classes, names) for c in chapters]
    questions = [q for c in chapters
                 for q in _chapter_questions(c, by_chapter[c.index], tools, speakers, options, voices, audience)]
    written = page_questions(page, sentence_set.sentences, tools)
    asked_at = {q.sentence_id for q in written if q.asked}
    questions = sorted([q for q in questions if q.sentence_id not in asked_at] + [q for q in written if q.asked],
                       key=lambda q: (q.start, q.id)) + [q for q in written if not q.asked]
    topics = keyphrases(all_texts + [c.title for c in chapters], tools, 3, {}, classes, names)
    drafts = Drafts(
        language=recording.language, title=recording.title,
        introduction=page.introduction or draft_introduction(recording.title, recording.date, recording.speakers,
                                                             topics, recording.language),
        summary=page.summary or _recording_summary(drafted, by_chapter, tools, idf, options.summary, said),
        chapters=drafted, questions=questions,
        provenance=_provenance(transcript, chapters, options),
        introduction_source="page" if page.introduction else "extractive",
        summary_source="page" if page.summary else "extractive",
        page_texts=check_page_texts(page, sentence_set.sentences, tools),
    )
    return sentence_set, drafts


def _chapter_draft(chapter: ChapterSpan, sentences: list[Sentence], transcript: Transcript, tools: LanguageTools,
                   speaker: str, idf: dict[str, float], chapter_idf: dict[str, float],
                   options: DraftOptions, said: list[str], classes: WordClasses,
                   names: frozenset[str]) -> ChapterDraft:
    """One chapter's summary (nothing in `said` repeated; what it picks is added to `said`), keyphrases
    and quotes."""
    texts = [s.text for s in sentences]
    words = sum(word_count(t) for t in texts)
    summary = []
    for r in summarize(texts, tools, summary_size(words, options.summary), options.summary, idf, said):
        text = tidy_sentence(texts[r.index], tools)
        if any(normalized(text) == normalized(x) for x in said):
            continue
        said += [texts[r.index], text]
        summary.append(SummaryItem(id=f"sum-{sentences[r.index].id}", text=text,
                                   start=sentences[r.index].start, end=sentences[r.index].end,
                                   segment_ids=list(sentences[r.index].segment_ids),
                                   sentence_id=sentences[r.index].id, score=round(r.score, 4)))
    central = centrality(texts, tools, idf)
    quotes = []
    for candidate in quote_candidates(sentences, central, tools, options.quotes):
        s = candidate.sentence
        source = segments_text(transcript, s.segment_ids)
        if not is_verbatim(candidate.text, source) or not chapter.start <= s.start <= s.end <= max(chapter.end, s.end):
            log.warning("quote %s failed the verbatim/chapter check; dropped", s.id)
            continue
        quotes.append(Quote(id=f"quote-{s.id}", text=candidate.text, start=s.start, end=s.end,
                            segment_ids=list(s.segment_ids), speaker=s.speaker, score=candidate.score,
                            reasons=list(candidate.reasons), sentence_id=s.id))
    phrases = keyphrases(texts, tools, keyphrase_count(words, options.summary), chapter_idf, classes, names)
    gaps = [g for g in transcript.coverage.gaps if g.start < chapter.end and g.end > chapter.start]
    return ChapterDraft(index=chapter.index, title=chapter.title, start=chapter.start, end=chapter.end,
                        summary=summary, keyphrases=phrases, quotes=quotes, gaps=gaps)


def _chapter_questions(chapter: ChapterSpan, sentences: list[Sentence], tools: LanguageTools,
                       speakers: dict[int, str], options: DraftOptions, voices: Speakers | None = None,
                       audience: frozenset[str] = frozenset()) -> list[Question]:
    """The chapter's questions; the asker is the question sentences' speaker (speakers.json), the answerer
    the voice of most of the answer (without speakers.json: the chapter's speaker)."""
    found = find_questions(sentences, chapter.title, tools, options.questions, audience)
    questions = []
    for item in found:
        if voices is None:
            for s in item.question:
                s.speaker = ""  # the asker is someone in the audience, not the chapter's speaker
        first, last = item.question[0], item.question[-1]
        answer = item.answer
        answerer = item.answerer if voices is not None else speakers.get(chapter.index, "")
        questions.append(Question(
            id=f"qa-{first.id}", chapter_index=chapter.index, text=" ".join(s.text for s in item.question),
            start=first.start, end=last.end, segment_ids=sorted({i for s in item.question for i in s.segment_ids}),
            answer=tools.clean(" ".join(s.text for s in answer)),
            answer_start=answer[0].start if answer else 0.0, answer_end=answer[-1].end if answer else 0.0,
            answer_segment_ids=sorted({i for s in answer for i in s.segment_ids}),
            answer_speaker=answerer if answer else "", sentence_id=first.id, asker=item.asker))
    return questions


def _recording_summary(chapters: list[ChapterDraft], by_chapter: dict[int, list[Sentence]], tools: LanguageTools,
                       idf: dict[str, float], options: SummaryOptions, said: list[str]) -> str:
    """One short paragraph covering the chapters: for each of the longest content chapters (not Q&A),
    its most central sentence that no chapter summary already has, in time order."""
    content = [c for c in chapters if c.summary and not is_qa_chapter(c.title)]
    words = {c.index: sum(word_count(s.text) for s in by_chapter[c.index]) for c in content}
    chosen = sorted(sorted(content, key=lambda c: (-words[c.index], c.index))[:options.recording_sentences],
                    key=lambda c: c.index)
    parts = []
    for chapter in chosen:
        texts = [s.text for s in by_chapter[chapter.index]]
        best = best_remaining(texts, tools, options, idf, said)
        if best is not None:
            text = tidy_sentence(texts[best.index], tools)
            said += [texts[best.index], text]
            parts.append(text)
    return " ".join(parts)


def chapter_speakers(chapters: list[ChapterSpan], recording: Recording) -> dict[int, str]:
    """Chapter index -> speaker name: the one speaker named in the chapter title (full or first
    name), else the recording's only speaker; chapters without a known speaker are left out."""
    found = {}
    for chapter in chapters:
        named = [s.name for s in recording.speakers
                 if re.search(rf"\b({re.escape(s.name)}|{re.escape(s.name.split()[0])})\b", chapter.title, re.I)]
        if len(named) == 1:
            found[chapter.index] = named[0]
        elif len(recording.speakers) == 1:
            found[chapter.index] = recording.speakers[0].name
    return found


def _provenance(transcript: Transcript, chapters: list[ChapterSpan], options: DraftOptions) -> dict[str, Any]:
    canonical = lambda data: fsutil.sha256_text(json.dumps(data, sort_keys=True, ensure_ascii=False))  # noqa: E731
    return {
        "method": METHOD,
        "parameters": asdict(options),
        "version": {"lecture-pipeline": __version__, "nltk": nltk.__version__, "numpy": np.__version__},
        # Hash what drafting reads (times, texts, words), built directly: asdict() of 20k words is slow.
        "transcript_sha256": canonical([[s.id, s.start, s.end, s.text, [[w.start, w.end, w.word] for w in s.words]]
                                        for s in transcript.segments]),
        "chapters_sha256": canonical([asdict(c) for c in chapters]),
    }


# ---------------------------------------------------------------- files

def read_chapters(path: str | Path) -> list[ChapterSpan]:
    """The chapters of chapters.json, read through the chapters stage's loader, in order."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path} does not exist; run the chapters stage first")
    try:
        chapters = load_chapters(path).chapters
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{path}: not a valid chapters.json ({exc!r}); re-run the chapters stage") from exc
    return [ChapterSpan(index=c.index, title=c.title, start=c.start, end=c.end, segment_ids=tuple(c.segment_ids),
                        text=c.text, parts=tuple((p.segment_id, p.word_start, p.word_end, p.text)
                                                 for p in c.pieces if "split" in p.flags))
            for c in chapters]


def page_draft(drafts: Drafts, recording: Recording, media_url: str, page_quotes: int = 2) -> PageDraft:
    """The machine page draft: chapter links to the moment, the best quotes (the page's own when it has
    quotes), all questions."""
    best = sorted((q for c in drafts.chapters for q in c.quotes), key=lambda q: (-q.score, q.start))[:page_quotes]
    own = [PageQuote(p.text, p.speaker) for p in drafts.page_texts if p.kind == "quote"]
    return PageDraft(
        language=drafts.language, title=drafts.title, introduction=drafts.introduction,
        chapters=[PageChapter(c.start, c.title, moment_link(media_url, c.start)) for c in drafts.chapters],
        summary=drafts.summary,
        # The seed page names speakers by first name ('vertelt Floris', 'Antwoord Floris').
        quotes=own or [PageQuote(q.text[:1].upper() + q.text[1:], _first_name(q.speaker))
                       for q in sorted(best, key=lambda q: q.start)],
        questions=[PageQuestion(q.text, q.answer, _first_name(q.answer_speaker)) for q in drafts.questions],
        speakers=list(recording.speakers),
    )


def _first_name(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def _outputs(ctx: StageContext) -> list[Path]:
    return [ctx.work_dir / n for n in ("sentences.json", "drafts.json", "page.md", "page.html")]


def build(ctx: StageContext, options: DraftOptions | None = None) -> dict[str, Any]:
    """The stage: read transcript, chapters and manifest; write sentences, drafts and the page."""
    options = options or DraftOptions()
    transcript_path = ctx.work_dir / "transcript.json"
    try:
        transcript = Transcript.load(transcript_path)
    except FileNotFoundError:
        raise PipelineError(f"{transcript_path} does not exist; run the transcribe stage first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{transcript_path}: not a valid transcript ({exc!r}); re-run transcribe") from exc
    chapters = read_chapters(ctx.work_dir / "chapters.json")
    page = read_page_content(ctx.recording_dir / "page.txt")  # a recording without page.txt has no page
    voices = optional_speakers(ctx.work_dir / "speakers.json")  # the speakers stage's turns, when it ran
    sentence_set, drafts = run(transcript, chapters, ctx.recording, options, page, voices)
    llm_warnings = draft_with_llm(drafts, sentence_set, ctx.recording, settings_from_env())  # off unless configured
    media_url = media_location(ctx.recording_dir / ctx.recording.media, ctx.work_dir, ctx.slug, site_media_url())
    page = page_draft(drafts, ctx.recording, media_url, options.page_quotes)
    sentences_path, drafts_path, md_path, html_path = _outputs(ctx)
    # Everything is computed before the first write, so bad input leaves no partial artifact.
    sentence_set.save(sentences_path)
    drafts.save(drafts_path)
    fsutil.write_text(md_path, render_markdown(page))
    fsutil.write_text(html_path, render_html(page))
    incomplete = [f"chapter {c.index + 1} {c.title!r} is incomplete: speech not transcribed "
                  + ", ".join(f"{format_clock(g.start)}–{format_clock(g.end)}" for g in c.gaps)
                  for c in drafts.chapters if c.gaps]
    return {"sentences": len(sentence_set.sentences), "chapters": len(drafts.chapters),
            "quotes": sum(len(c.quotes) for c in drafts.chapters), "questions": len(drafts.questions),
            "warnings": incomplete + llm_warnings}


STAGE = Stage(
    name="drafts",
    description="sentences, per-chapter summaries, keyphrases, quotes, open questions and the page draft",
    inputs=lambda ctx: [ctx.work_dir / "transcript.json", ctx.work_dir / "chapters.json",
                        ctx.recording_dir / "recording.yaml"]
    + ([ctx.recording_dir / "page.txt"] if (ctx.recording_dir / "page.txt").is_file() else [])
    + ([ctx.work_dir / "speakers.json"] if (ctx.work_dir / "speakers.json").is_file() else []),
    params=lambda ctx: {**asdict(DraftOptions()), **settings_from_env().params(),
                        **({"media_url": site_media_url()} if site_media_url() else {})},
    outputs=_outputs,
    build=build,
    packages=("nltk", "numpy"),
)
