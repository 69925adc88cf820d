"""What the recording's page already says (data/recordings/<slug>/page.txt): its introduction, summary,
quotes and written Q&A, kept as the editor's text (source 'page') and checked against the transcript.

A quote is verbatim when its words were said in this order (case and punctuation aside); otherwise it
is flagged with the closest thing said (one or two consecutive sentences) and its time. A page question
is matched, fuzzily, to the moment it was asked; a question never asked is kept, unmatched.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.artifacts.drafts import PageText, Question
from pipeline.artifacts.sentences import Sentence
from pipeline.core.textio import decode_text
from pipeline.drafts.nlp import LanguageTools
from pipeline.ingest.page import parse_page

QUOTE = re.compile(r"[\"“„]([^\"“”„]{8,}?)[\"”]")
SAYS = re.compile(r"[\"”]\s*,?\s*(?:vertelt|zegt|aldus|says|said|explains)\s+([A-Z][\w'-]*(?: [A-Z][\w'-]*)?)")
ANSWER = re.compile(r"^(?:antwoord|answer)\b\s*([^:]*):\s*(.*)$", re.I)
QUESTION = re.compile(r"^(?:vraag|question)\b[^:]*:\s*(.*)$", re.I)
MATCH_SIMILARITY = 0.6   # a page question is 'asked' when a sentence says it at least this closely
SUPPORT_SHARE = 0.5      # a page sentence is supported when this share of its content words was said together


@dataclass
class PageQA:
    """A question the page lists with its written answer and who answered."""

    question: str
    answer: str = ""
    answer_speaker: str = ""


@dataclass
class PageContent:
    """The page's own texts: introduction, summary (without its quotes), quotes and written Q&A."""

    introduction: str = ""
    summary: str = ""
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (text, speaker)
    qa: list[PageQA] = field(default_factory=list)


def read_page_content(path: str | Path) -> PageContent | None:
    """The page's own texts from page.txt; None when the recording has no page.txt."""
    path = Path(path)
    if not path.is_file():
        return None
    return page_content(decode_text(path.read_bytes(), str(path)))


def page_content(text: str) -> PageContent:
    """Split a page (the seed's format) into introduction, summary, quotes and Q&A with answers."""
    info = parse_page(text)
    quotes, kept = [], []
    for paragraph in [p for p in info.summary.split("\n\n") if p.strip()]:
        found = QUOTE.findall(paragraph)
        if found:
            said = SAYS.search(paragraph)
            for q in found:
                quotes.append((q.strip().rstrip(","), said.group(1) if said else ""))
        else:
            kept.append(paragraph)
    return PageContent(introduction=info.introduction, summary="\n\n".join(kept), quotes=quotes,
                       qa=_qa(text, info.questions))


def _qa(text: str, questions: list[str]) -> list[PageQA]:
    """Questions with the answer lines that follow each in the page's Q&A section."""
    items: list[PageQA] = []
    listed = {" ".join(q.split()) for q in questions}
    for line in (x.strip() for x in text.split("\n")):
        if " ".join(line.split()) in listed and QUESTION.match(line):
            items.append(PageQA(QUESTION.match(line).group(1).strip()))
        elif items and ANSWER.match(line) and not items[-1].answer:
            who, answer = ANSWER.match(line).groups()
            items[-1].answer, items[-1].answer_speaker = answer.strip(), who.strip()
        elif items and items[-1].answer and line and not line.lower().startswith(("sprekers", "speakers")):
            if line.lower() in ("sprekers", "speakers", "samenwerkingspartners"):
                break
            items[-1].answer += " " + line.lstrip("•*- ").strip()
        elif line.lower() in ("sprekers", "speakers"):
            break
    return items


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass(frozen=True)
class Closest:
    """The transcript stretch closest to a text: its text, time, first sentence id and similarity."""

    text: str
    start: float
    end: float
    sentence_id: str
    similarity: float


def closest_said(text: str, sentences: list[Sentence], tools: LanguageTools) -> Closest | None:
    """The one or two consecutive sentences that say `text` most closely (difflib ratio over words),
    among those sharing the most content words with it."""
    target = set(tools.terms(text))
    if not sentences or not target:
        return None
    windows = [(i, i + 1) for i in range(len(sentences))] + [(i, i + 2) for i in range(len(sentences) - 1)]
    terms = [set(tools.terms(s.text)) for s in sentences]
    overlap = lambda w: len(target & set().union(*terms[w[0]:w[1]]))  # noqa: E731
    shortlist = sorted(windows, key=lambda w: (-overlap(w), w))[:12]
    words = _words(text)
    best, best_ratio = None, -1.0
    for a, b in shortlist:
        ratio = difflib.SequenceMatcher(None, words, _words(" ".join(s.text for s in sentences[a:b])),
                                        autojunk=False).ratio()
        if ratio > best_ratio + 1e-9:
            best, best_ratio = (a, b), ratio
    a, b = best
    return Closest(" ".join(s.text for s in sentences[a:b]), sentences[a].start, sentences[b - 1].end,
                   sentences[a].id, round(best_ratio, 3))


def said_verbatim(text: str, sentences: list[Sentence]) -> bool:
    """Whether the words of `text` were said, in this order, case and punctuation aside."""
    words = " ".join(_words(text))
    return bool(words) and f" {words} " in " " + " ".join(" ".join(_words(s.text)) for s in sentences) + " "


def supported_share(text: str, sentences: list[Sentence], tools: LanguageTools) -> float:
    """Share of the text's sentences whose content words were, for the most part, said in one sentence."""
    spans = [text[a:b] for a, b in tools.sentence_spans(text)]
    said = [set(tools.terms(s.text)) for s in sentences]
    ok = 0
    for span in spans:
        terms = set(tools.terms(span))
        ok += bool(terms) and max((len(terms & s) for s in said), default=0) >= SUPPORT_SHARE * len(terms)
    return round(ok / len(spans), 3) if spans else 0.0


def check_page_texts(content: PageContent, sentences: list[Sentence], tools: LanguageTools) -> list[PageText]:
    """The page's introduction, summary and quotes, each checked against what was said."""
    out: list[PageText] = []
    for kind, text in (("introduction", content.introduction), ("summary", content.summary)):
        if text.strip():
            share = supported_share(text, sentences, tools)
            out.append(PageText(id=f"page-{kind}", kind=kind, text=text, supported=share, flagged=share < 0.5))
    for n, (text, speaker) in enumerate(content.quotes, 1):
        verbatim = said_verbatim(text, sentences)
        near = closest_said(text, sentences, tools)
        item = PageText(id=f"page-quote-{n}", kind="quote", text=text, speaker=speaker, verbatim=verbatim,
                        supported=1.0 if verbatim else 0.0, flagged=not verbatim)
        if near:
            item.closest, item.closest_start, item.closest_end = near.text, near.start, near.end
            item.sentence_id, item.similarity = near.sentence_id, near.similarity
        out.append(item)
    return out


def page_questions(content: PageContent, sentences: list[Sentence], tools: LanguageTools) -> list[Question]:
    """The page's written Q&A as questions (source 'page', kept as written), each matched to the moment
    it was asked when a transcript sentence says it closely enough (asked=False otherwise)."""
    out = []
    for n, qa in enumerate(content.qa, 1):
        near = closest_said(qa.question, sentences, tools)
        asked = bool(near) and near.similarity >= MATCH_SIMILARITY
        first = next((s for s in sentences if near and s.id == near.sentence_id), None)
        out.append(Question(
            id=f"qa-page-{n}", chapter_index=first.chapter_index if asked and first else -1, text=qa.question,
            start=near.start if asked else 0.0, end=near.end if asked else 0.0,
            segment_ids=list(first.segment_ids) if asked and first else [], answer=qa.answer,
            answer_speaker=qa.answer_speaker, sentence_id=near.sentence_id if asked else "", source="page",
            asked=asked, similarity=near.similarity if near else 0.0))
    return out
