"""Open questions: audience questions and the answer that follows each, for the page's Q&A section.

In a Q&A chapter (its title says so: 'Vragen', 'Q&A', 'Questions', ...) every question sentence
counts; elsewhere only a question that is announced as one ('er is een vraag uit de chat',
'a question from the audience'), since lecturers ask themselves rhetorical questions all the time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.artifacts.sentences import Sentence
from pipeline.core.errors import ConfigError
from pipeline.drafts.nlp import LanguageTools, is_procedural, word_count

QA_TITLE = re.compile(r"\b(vragen|vraag|q\s*&\s*a|qa|discussie|questions?|discussion|panel)\b", re.I)
LEAD_IN = {
    "nl": re.compile(r"\b(vraag|vragen|vraagt|wil(de)? weten)\b", re.I),
    "en": re.compile(r"\b(question|questions|asks?|asked|wants? to know)\b", re.I),
}
# A sentence opening with these reads as a question even when the '?' was not transcribed.
INTERROGATIVES = {
    "nl": {"wie", "wat", "waar", "wanneer", "waarom", "hoe", "welke", "welk", "hoeveel", "waarmee", "waardoor"},
    "en": {"who", "what", "where", "when", "why", "how", "which", "whose", "whom"},
}


@dataclass(frozen=True)
class QuestionOptions:
    """How open questions are found."""

    min_words: int = 4                 # shorter questions ('Toch?', 'Right?') are tags, not questions
    max_answer_sentences: int = 6      # an answer ends after this many sentences ...
    max_answer_seconds: float = 120.0  # ... or this long after it began, or at the next question

    def __post_init__(self) -> None:
        if self.min_words < 1 or self.max_answer_sentences < 1 or self.max_answer_seconds <= 0:
            raise ConfigError("question options: min_words, max_answer_sentences and max_answer_seconds must be positive")


@dataclass(frozen=True)
class FoundQuestion:
    """A question (one or more consecutive question sentences) and its answer sentences."""

    question: list[Sentence]
    answer: list[Sentence]


def is_qa_chapter(title: str) -> bool:
    """Whether a chapter title announces questions from the audience."""
    return bool(QA_TITLE.search(title))


def is_question(text: str, tools: LanguageTools, options: QuestionOptions) -> bool:
    """A real question: ends with '?' (or opens with a question word), long enough, not about the session."""
    words = tools.words(text)
    asks = text.rstrip().endswith("?") or (
        bool(words) and words[0] in INTERROGATIVES.get(tools.code, set()) and not text.rstrip().endswith((".", "!")))
    return asks and word_count(text) >= options.min_words and not is_procedural(text, tools.code)


def find_questions(sentences: list[Sentence], chapter_title: str, tools: LanguageTools,
                   options: QuestionOptions) -> list[FoundQuestion]:
    """The audience questions of one chapter, each with the answer that follows it."""
    qa = is_qa_chapter(chapter_title)
    lead_in = LEAD_IN.get(tools.code, LEAD_IN["en"])
    flags = [
        is_question(s.text, tools, options)
        and (qa or bool(lead_in.search(s.text)) or (i > 0 and bool(lead_in.search(sentences[i - 1].text))))
        for i, s in enumerate(sentences)
    ]
    found: list[FoundQuestion] = []
    i = 0
    while i < len(sentences):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(sentences) and flags[j + 1]:
            j += 1
        answer = _answer(sentences, flags, j + 1, options)
        found.append(FoundQuestion(sentences[i:j + 1], answer))
        i = j + 1
    return found


def _answer(sentences: list[Sentence], flags: list[bool], first: int, options: QuestionOptions) -> list[Sentence]:
    answer: list[Sentence] = []
    for k in range(first, len(sentences)):
        if flags[k] or len(answer) >= options.max_answer_sentences:
            break
        if answer and sentences[k].end - answer[0].start > options.max_answer_seconds:
            break
        answer.append(sentences[k])
    return answer
