"""Open questions: audience questions and the answer that follows each, for the page's Q&A section.

In a Q&A chapter (its title says so: 'Vragen', 'Q&A', 'Questions', ...) every question sentence
counts, and so do indirect questions ('ik vroeg me af of...', 'I wonder whether...') and questions
said without a question mark ('Hoe zorgen we ervoor dat...'); elsewhere only a question that is
announced as one ('er is een vraag uit de chat', 'a question from the audience'), since lecturers ask
themselves rhetorical questions all the time. A run of questions ('Hoe lang duurde het? En wie
betaalt?') gives one item per question; the answer that follows is shared out in order, each answer
sentence going to the question it has most words in common with.

When the speakers stage has told voices apart, a question said by the audience counts in any chapter
(it is not the lecturer's rhetorical question), the asker's own follow-up sentences are not part of
the answer, and the answer ends when the audience speaks again; each item knows its asker and its
answerer (the voices of most of the question's and the answer's time).
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


# Indirect questions and questions in statement form, said in Q&A chapters.
INDIRECT = {
    "nl": re.compile(r"^(ja,? |en |maar |nou,? )?(ik vroeg me af|ik vraag me af|ik ben (wel )?benieuwd"
                     r"|ik wil(de)? (graag |ook )?weten|ik zou (graag )?(willen )?weten|weet (je|u|jij|jullie) (of|hoe|wat)"
                     r"|kun(t|nen)? (je|u|jullie) (iets )?(zeggen|vertellen|uitleggen)"
                     r"|(hoe|wat|waarom|wie|wanneer|waar|welke) (\w+ ){1,2}(we|jullie|je|u|ik|ze|zij)\b"
                     r")", re.I),
    "en": re.compile(r"^(yes,? |and |but |so,? )?(i wonder|i was wondering|i'?d like to know|i would like to know"
                     r"|i'?m curious|do you know (if|whether|how|what)|could you (say|tell|explain)"
                     r"|(how|what|why|who|when|where|which) (\w+ ){1,2}(we|you|they|i)\b)", re.I),
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

    @property
    def asker(self) -> str:
        """Who asked: the speaker of most of the question's time ('' when the voices are not known)."""
        return main_voice(self.question)

    @property
    def answerer(self) -> str:
        """Who answered: the speaker of most of the answer's time ('' when none)."""
        return main_voice(self.answer)


def main_voice(sentences: list[Sentence]) -> str:
    """The speaker of most of these sentences' time ('' when none is named)."""
    seconds: dict[str, float] = {}
    for s in sentences:
        seconds[s.speaker] = seconds.get(s.speaker, 0.0) + max(s.end - s.start, 0.01)
    return max(sorted(seconds), key=lambda k: seconds[k]) if seconds else ""


def is_qa_chapter(title: str) -> bool:
    """Whether a chapter title announces questions from the audience."""
    return bool(QA_TITLE.search(title))


def is_question(text: str, tools: LanguageTools, options: QuestionOptions, qa: bool = False) -> bool:
    """A real question: ends with '?' (or opens with a question word), long enough, not about the session.
    With qa (a Q&A chapter) indirect questions and questions in statement form count too."""
    words = tools.words(text)
    asks = text.rstrip().endswith("?") or (
        bool(words) and words[0] in INTERROGATIVES.get(tools.code, set()) and not text.rstrip().endswith((".", "!")))
    if qa and not asks:
        asks = bool(INDIRECT.get(tools.code, INDIRECT["en"]).search(" ".join(text.split())))
    return asks and word_count(text) >= options.min_words and not is_procedural(text, tools.code)


def find_questions(sentences: list[Sentence], chapter_title: str, tools: LanguageTools,
                   options: QuestionOptions, audience: frozenset[str] = frozenset()) -> list[FoundQuestion]:
    """The audience questions of one chapter, each with the answer that follows it. `audience`: the
    speaker names of audience voices (sentences' `speaker`), when the speakers stage found them."""
    qa = is_qa_chapter(chapter_title)
    lead_in = LEAD_IN.get(tools.code, LEAD_IN["en"])
    flags = [
        is_question(s.text, tools, options, qa or s.speaker in audience)
        and (qa or s.speaker in audience or bool(lead_in.search(s.text))
             or (i > 0 and bool(lead_in.search(sentences[i - 1].text))))
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
        answer = _answer(sentences, flags, j + 1, options, audience)
        run = sentences[i:j + 1]
        found += [FoundQuestion([q], a) for q, a in zip(run, share_answer(run, answer, tools))]
        i = j + 1
    return found


def share_answer(questions: list[Sentence], answer: list[Sentence], tools: LanguageTools) -> list[list[Sentence]]:
    """The answer sentences shared out over a run of questions, in order: each sentence goes to the
    question (the current one or a later one) it has most content words in common with. A question
    that gets no sentence of its own shares the whole answer."""
    if len(questions) == 1:
        return [answer]
    terms = [set(tools.terms(q.text)) for q in questions]
    parts: list[list[Sentence]] = [[] for _ in questions]
    current = 0
    for sentence in answer:
        words = set(tools.terms(sentence.text))
        overlaps = [len(words & terms[k]) for k in range(len(questions))]
        later = [k for k in range(current + 1, len(questions)) if overlaps[k]]
        best = max(later, key=lambda k: (overlaps[k], -k)) if later else current
        # Move on when a later question fits better, or as well once the current one has its answer.
        if overlaps[best] > overlaps[current] or (best != current and parts[current]
                                                   and overlaps[best] >= overlaps[current]):
            current = best
        parts[current].append(sentence)
    return [part or answer for part in parts]


def _answer(sentences: list[Sentence], flags: list[bool], first: int, options: QuestionOptions,
            audience: frozenset[str] = frozenset()) -> list[Sentence]:
    answer: list[Sentence] = []
    for k in range(first, len(sentences)):
        if flags[k] or len(answer) >= options.max_answer_sentences:
            break
        if sentences[k].speaker and sentences[k].speaker in audience:
            if answer:
                break  # the audience speaks again: the answer is over
            continue   # the asker goes on: still the question, not the answer
        if answer and sentences[k].end - answer[0].start > options.max_answer_seconds:
            break
        answer.append(sentences[k])
    return answer
