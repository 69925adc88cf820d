"""Optional abstractive chapter summaries from a language model, grounded in the transcript.

Off by default. Set PIPELINE_LLM_URL (any OpenAI-compatible chat endpoint: Ollama, vLLM, a llama.cpp
server, a hosted API) and PIPELINE_LLM_MODEL; PIPELINE_LLM_KEY when the endpoint wants one. The
official `openai` client talks to it (`pip install 'lecture-pipeline[llm]'`).

Per chapter (a long chapter in consecutive windows that fit PIPELINE_LLM_CONTEXT tokens), the model
gets the chapter's transcript sentences, numbered, and must end every sentence it writes with the
numbers it rests on. pipeline/drafts/grounding.py checks each sentence against the sentences it cites;
a supported one becomes a summary item (source "llm", the model's name, the ids it cites), a rejected
one is listed in drafts.json `rejected` and an extractive sentence stands in its place. Quotes are never
generated: they stay verbatim transcript sentences. An endpoint that cannot be reached or answers
nonsense gives one warning line and the extractive drafts; the stage never fails for it.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.artifacts.drafts import Drafts, RejectedDraft, SummaryItem, rejection_reason
from pipeline.artifacts.manifest import Recording
from pipeline.artifacts.sentences import Sentence, SentenceSet
from pipeline.core.languages import NLTK_NAMES
from pipeline.drafts.grounding import Generated, parse_generated, verify
from pipeline.drafts.nlp import LanguageTools, language_tools
from pipeline.drafts.questions import is_qa_chapter
from pipeline.drafts.summarize import normalized

log = logging.getLogger(__name__)

ENV_URL, ENV_MODEL, ENV_KEY = "PIPELINE_LLM_URL", "PIPELINE_LLM_MODEL", "PIPELINE_LLM_KEY"
ENV_CONTEXT, ENV_TIMEOUT = "PIPELINE_LLM_CONTEXT", "PIPELINE_LLM_TIMEOUT"
CHARS_PER_TOKEN = 3       # conservative for Dutch and English text
ANSWER_TOKENS = 1024      # kept free in the context for the instructions and the answer


class LlmUnavailable(Exception):
    """The endpoint could not be reached, refused, or gave an answer that is not a chat completion."""


@dataclass(frozen=True)
class LlmSettings:
    """Where the language model is and how much text one request may carry. Off unless url and model are set."""

    url: str = field(default="", repr=False)  # may hold user:password; stored and shown as public_url
    model: str = ""
    key: str = field(default="", repr=False)  # never stored: not in params, provenance or logs
    context_tokens: int = 8192
    timeout: float = 120.0

    @property
    def enabled(self) -> bool:
        """Whether abstractive drafting is switched on."""
        return bool(self.url.strip() and self.model.strip())

    @property
    def public_url(self) -> str:
        """The endpoint URL without any user:password part (safe to store and show)."""
        return public_url(self.url)

    def params(self) -> dict[str, Any]:
        """The drafts stage parameters this adds ({} when off): switching the model re-drafts, the key does not."""
        if not self.enabled:
            return {}
        return {"llm": {"url": self.public_url, "model": self.model, "context_tokens": self.context_tokens}}


def public_url(url: str) -> str:
    """`url` with credentials removed ('http://u:p@host/v1' -> 'http://host/v1')."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def settings_from_env(environ: Mapping[str, str] | None = None) -> LlmSettings:
    """LlmSettings from PIPELINE_LLM_URL, _MODEL, _KEY, _CONTEXT (tokens, default 8192) and _TIMEOUT (s, 120)."""
    env = os.environ if environ is None else environ

    def number(name: str, default: float) -> float:
        try:
            return float(env.get(name, "") or default)
        except ValueError:
            log.warning("%s=%r is not a number; using %s", name, env.get(name), default)
            return default

    return LlmSettings(url=env.get(ENV_URL, "").strip(), model=env.get(ENV_MODEL, "").strip(),
                       key=env.get(ENV_KEY, "").strip(), context_tokens=max(1024, int(number(ENV_CONTEXT, 8192))),
                       timeout=max(1.0, number(ENV_TIMEOUT, 120.0)))


class ChatEndpoint:
    """An OpenAI-compatible chat-completions endpoint, through the official `openai` client."""

    def __init__(self, settings: LlmSettings):
        try:
            import openai
        except ImportError as exc:
            raise LlmUnavailable("the openai package is not installed (pip install 'lecture-pipeline[llm]')") from exc
        self.settings = settings
        self._errors = (openai.OpenAIError,)
        self._client = openai.OpenAI(base_url=settings.url, api_key=settings.key or "not-needed",
                                     timeout=settings.timeout, max_retries=0)

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The model's answer to a chat (temperature 0); LlmUnavailable on any error or a malformed answer."""
        try:
            response = self._client.chat.completions.create(model=self.settings.model, messages=messages,
                                                            temperature=0)
            content = response.choices[0].message.content
        except self._errors as exc:
            raise LlmUnavailable(_one_line(str(exc)) or type(exc).__name__) from exc
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise LlmUnavailable(f"not a chat completion ({type(exc).__name__})") from exc
        if not isinstance(content, str) or not content.strip():
            raise LlmUnavailable("empty answer")
        return content


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------- prompts

INSTRUCTIONS = (
    "You write {what} for its replay page. You are given numbered {given}. Write at most {n} sentences in {language} that together summarise the main "
    "points, in plain, complete sentences. Use only what the numbered sentences say: add no facts, names or "
    "numbers that are not in them, and do not quote. Put each sentence on its own line and end it with the "
    "numbers of the sentences it rests on, in square brackets, for example: 'De provincie wil verkeersdata "
    "delen [3, 7].' Write nothing else."
)


def chapter_messages(title: str, chapter_title: str, numbered: list[str], n: int, language: str) -> list[dict[str, str]]:
    """The chat for one chapter (or one window of a long chapter), or with no chapter title for the recording's
    summary paragraph: instructions, then the numbered sentences from 1."""
    name = NLTK_NAMES.get(language, language).capitalize()
    lines = [f"Lecture: {title}", f"Part: {chapter_title}", ""] + [f"[{i}] {t}" for i, t in enumerate(numbered, 1)]
    what, given = ("the summary of one part of a recorded lecture", "sentences from the transcript") if chapter_title \
        else ("a short summary paragraph of a recorded lecture that covers all its parts",
              "summary sentences of its parts, in order")
    if not chapter_title:
        lines.remove(f"Part: {chapter_title}")
    return [{"role": "system", "content": INSTRUCTIONS.format(what=what, given=given, n=n, language=name)},
            {"role": "user", "content": "\n".join(lines)}]


def windows(sentences: list[Sentence], budget_chars: int) -> list[list[Sentence]]:
    """Consecutive runs of sentences whose numbered text fits `budget_chars` (a longer sentence is alone)."""
    out: list[list[Sentence]] = []
    size = 0
    for s in sentences:
        length = len(s.text) + 8
        if out and size + length <= budget_chars:
            out[-1].append(s)
            size += length
        else:
            out.append([s])
            size = length
    return out


# ---------------------------------------------------------------- drafting

@dataclass
class _ChapterResult:
    accepted: list[SummaryItem] = field(default_factory=list)
    rejected: list[RejectedDraft] = field(default_factory=list)


def draft_with_llm(drafts: Drafts, sentence_set: SentenceSet, recording: Recording, settings: LlmSettings,
                   endpoint: ChatEndpoint | None = None) -> list[str]:
    """Replace chapter summaries (and the recording's summary paragraph, unless the page's own is kept) in
    `drafts` by grounded generated sentences, in place, and return warning lines for the stage summary.
    Rejected sentences go to `drafts.rejected` and an extractive sentence stands in for each. An unreachable
    endpoint or a malformed answer leaves `drafts` as it was and gives one warning."""
    if not settings.enabled:
        return [f"{ENV_URL} is set but {ENV_MODEL} is not: drafting without a language model"] \
            if settings.url.strip() else []
    tools = language_tools(drafts.language)
    known = frozenset(w for text in [recording.title] + [s.name for s in recording.speakers]
                      + [s.organisation for s in recording.speakers] for w in tools.words(text))
    budget = max(2000, (settings.context_tokens - ANSWER_TOKENS) * CHARS_PER_TOKEN)
    extractive = {c.index: list(c.summary) for c in drafts.chapters}
    try:
        endpoint = endpoint or ChatEndpoint(settings)
        results = {c.index: _draft_chapter(endpoint, drafts, c.index, c.title, len(c.summary),
                                           sentence_set.in_chapter(c.index), tools, known, settings.model, budget)
                   for c in drafts.chapters if c.summary}
        warnings = _apply(drafts, results)
        paragraph = _recording_paragraph(endpoint, drafts, tools, known, settings.model) \
            if drafts.summary_source == "extractive" else None
    except LlmUnavailable as exc:
        for chapter in drafts.chapters:
            chapter.summary = extractive[chapter.index]
        return [(f"language model {settings.model} at {settings.public_url} unavailable ({exc}); "
                 "kept the extractive drafts")]
    drafts.rejected = [r for c in drafts.chapters if c.index in results for r in results[c.index].rejected]
    if paragraph is not None:
        drafts.rejected += paragraph.rejected
        if paragraph.accepted:
            drafts.summary = " ".join(item.text for item in paragraph.accepted)
            drafts.summary_source, drafts.summary_model = "llm", settings.model
        if paragraph.rejected:
            warnings.append(f"recording summary: {len(paragraph.rejected)} generated sentence(s) rejected ("
                            + _one_line("; ".join(dict.fromkeys(r.reasons[0] for r in paragraph.rejected)), 200)
                            + ")" + ("" if paragraph.accepted else "; the extractive summary stands"))
    accepted = sum(len(r.accepted) for r in results.values()) + (len(paragraph.accepted) if paragraph else 0)
    drafts.provenance["llm"] = {"url": settings.public_url, "model": settings.model, "accepted": accepted,
                                "rejected": len(drafts.rejected)}
    drafts.provenance["method"] = (drafts.provenance.get("method", "") + "; summaries by "
                                   f"{settings.model}, each sentence checked against the sentences it cites")
    return warnings


def _apply(drafts: Drafts, results: dict[int, _ChapterResult]) -> list[str]:
    """Put each chapter's accepted sentences in its summary, an extractive sentence standing in for each
    rejected one (never more items than the extractive summary had); one warning line per chapter with rejections."""
    warnings = []
    for chapter in drafts.chapters:
        result = results.get(chapter.index)
        if result is None:
            continue
        if result.accepted:
            used = {i for item in result.accepted for i in item.cited}
            room = min(len(result.rejected), len(chapter.summary) - len(result.accepted))
            stand_ins = [s for s in chapter.summary if s.sentence_id not in used][:max(0, room)]
            chapter.summary = sorted(result.accepted + stand_ins, key=lambda s: (s.start, s.id))
        if result.rejected:
            reasons = "; ".join(dict.fromkeys(r.reasons[0] for r in result.rejected if r.reasons))
            warnings.append(f"chapter {chapter.index + 1} {chapter.title!r}: {len(result.rejected)} generated "
                            f"sentence(s) rejected ({_one_line(reasons, 200)}); the extractive draft stands in")
    return warnings


def _draft_chapter(endpoint: ChatEndpoint, drafts: Drafts, index: int, chapter_title: str, size: int,
                   sentences: list[Sentence], tools: LanguageTools, known: frozenset[str], model: str,
                   budget: int) -> _ChapterResult:
    """Ask for one chapter's summary (window by window) and verify every sentence of the answers."""
    result = _ChapterResult()
    total = sum(len(s.text) for s in sentences) or 1
    seen: set[str] = set()
    ids: set[str] = set()
    known = known | frozenset(w for w in tools.words(chapter_title))
    for window in windows(sentences, budget):
        share = sum(len(s.text) for s in window) / total
        n = max(1, round(size * share))
        answer = endpoint.complete(chapter_messages(drafts.title, chapter_title, [s.text for s in window], n,
                                                    drafts.language))
        generated = parse_generated(answer, tools)
        if not generated:
            raise LlmUnavailable("an answer without any sentence")
        numbered = {i: s for i, s in enumerate(window, 1)}
        for count, item in enumerate(generated):
            verdict = verify(item, {i: s.text for i, s in numbered.items()}, tools, known)
            reasons = list(verdict.reasons)
            if count >= n:
                reasons.append(rejection_reason("too_many", n=n))
            if normalized(item.text) in seen:
                reasons.append(rejection_reason("repeats"))
            cited = [numbered[i] for i in item.cited if i in numbered]
            if reasons:
                result.rejected.append(RejectedDraft(index, item.text, [s.id for s in cited], reasons, model))
                continue
            seen.add(normalized(item.text))
            result.accepted.append(_item(item, cited, model, ids))
    return result


def _recording_paragraph(endpoint: ChatEndpoint, drafts: Drafts,
                         tools: LanguageTools, known: frozenset[str], model: str) -> _ChapterResult:
    """The recording's summary paragraph, written from the chapter summaries as they now stand (each checked
    against the transcript already) and checked against them; it may not repeat a chapter summary sentence."""
    result = _ChapterResult()
    items = [s for c in drafts.chapters if c.summary and not is_qa_chapter(c.title) for s in c.summary] \
        or [s for c in drafts.chapters for s in c.summary]
    if len(items) < 2:
        return result
    chapter_texts = {normalized(s.text) for s in items}
    n = max(2, min(4, len(tools.sentence_spans(drafts.summary)) if drafts.summary else 3))
    answer = endpoint.complete(chapter_messages(drafts.title, "", [s.text for s in items], n, drafts.language))
    generated = parse_generated(answer, tools)
    if not generated:
        raise LlmUnavailable("an answer without any sentence")
    numbered = dict(enumerate(items, 1))
    for count, item in enumerate(generated):
        reasons = list(verify(item, {i: s.text for i, s in numbered.items()}, tools, known).reasons)
        if count >= n:
            reasons.append(rejection_reason("too_many", n=n))
        if normalized(item.text) in chapter_texts:
            reasons.append(rejection_reason("repeats_summary"))
        cited = sorted({i for s in (numbered[i] for i in item.cited if i in numbered)
                        for i in (s.cited or [s.sentence_id])})
        if reasons:
            result.rejected.append(RejectedDraft(-1, item.text, cited, reasons, model))
        else:
            chapter_texts.add(normalized(item.text))
            text = item.text[:1].upper() + item.text[1:]
            result.accepted.append(SummaryItem(id=f"summary-llm-{count}", text=text, start=0.0, end=0.0,
                                               source="llm", model=model, cited=cited))
    return result


def _item(item: Generated, cited: list[Sentence], model: str, ids: set[str]) -> SummaryItem:
    """A summary item for a verified sentence: the time span and segments of the sentences it cites."""
    cited = sorted(cited, key=lambda s: s.start)
    base = f"sum-llm-{cited[0].id}"
    item_id = base
    k = 2
    while item_id in ids:
        item_id, k = f"{base}-{k}", k + 1
    ids.add(item_id)
    text = item.text[:1].upper() + item.text[1:]
    return SummaryItem(id=item_id, text=text, start=cited[0].start, end=max(s.end for s in cited),
                       segment_ids=sorted({i for s in cited for i in s.segment_ids}), sentence_id=cited[0].id,
                       source="llm", model=model, cited=[s.id for s in cited])

