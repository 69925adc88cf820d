"""The grounding verifier for generated summary sentences (pure functions, no I/O).

A language model is given numbered transcript sentences and must end every sentence it writes with the
numbers it rests on ('De provincie wil verkeersdata delen [3, 7].'). `parse_generated` reads such an
answer into sentences and their citations; `verify` accepts a sentence only when what it says is in the
sentences it cites:

- it cites at least one sentence, and every cited number exists;
- every number in it (digits, or a small number word) occurs in the cited sentences;
- every name in it (a capitalised word that does not start the sentence, or an all-capitals word) occurs
  in the cited sentences or in the names the recording already knows (speakers, title);
- at least `min_content` (0.7) of its content words (stemmed, stopwords and fillers left out) occur in
  the cited sentences; a Dutch compound counts when it is made of words that occur there; known names
  and words of attribution ('vertelt', 'legt uit', 'according') need no support.

What fails is rejected with its reasons, never repaired: the caller keeps the extractive draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.artifacts.drafts import rejection_reason
from pipeline.drafts.nlp import LanguageTools

MIN_CONTENT = 0.7
# '[3]', '[3, 7]', '[3-5]', '[zin 3; 7]' — a citation is a bracket of numbers.
_CITATION = re.compile(r"\[\s*(?:(?:zinnen|zin|sentences?|s)\s*)?(\d+(?:\s*(?:[,;–-]|and|en)\s*\d+)*)\s*\]", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Small numbers a model may write as words where the speaker said digits (or the other way round).
NUMBER_WORDS = {
    "nl": "nul _ twee drie vier vijf zes zeven acht negen tien elf twaalf".split(),
    "en": "zero _ two three four five six seven eight nine ten eleven twelve".split(),
}


# Words a summary uses to say who said it ('Floris vertelt dat ...'): they need no support of their own.
ATTRIBUTION = {
    "nl": {"vertelt", "vertelde", "zegt", "zei", "legt", "uit", "licht", "toe", "stelt", "stelde", "benadrukt",
           "noemt", "noemde", "volgens", "spreker", "sprekers", "betoogt", "beschrijft", "geeft", "aan"},
    "en": {"says", "said", "explains", "explained", "notes", "noted", "argues", "argued", "describes", "stresses",
           "according", "speaker", "speakers", "points", "out", "mentions", "mentioned"},
}


@dataclass(frozen=True)
class Generated:
    """One generated sentence: its text without citations, and the sentence numbers it cites."""

    text: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether a generated sentence is supported by what it cites, and why not when it is not."""

    text: str
    cited: tuple[int, ...]
    supported: bool
    reasons: list[str] = field(default_factory=list)
    content_share: float = 0.0  # share of its content words found in the cited sentences


def _numbers_in(text: str) -> list[int]:
    """The cited numbers of a citation body: '3, 7' -> [3, 7]; '3-5' -> [3, 4, 5] (ranges up to 20 long)."""
    found: list[int] = []
    for part in re.split(r"\s*(?:[,;]|\band\b|\ben\b)\s*", text.strip()):
        bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x.strip().isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= 20:
            found.extend(range(bounds[0], bounds[1] + 1))
        else:
            found.extend(bounds)
    return found


def parse_generated(answer: str, tools: LanguageTools) -> list[Generated]:
    """The sentences of a model's answer with their citations, in order. A line is split into its
    sentences; a citation belongs to the sentence it ends (before or after the final full stop); a
    sentence without a citation is kept with none (and so rejected by `verify`)."""
    out: list[Generated] = []
    for line in answer.splitlines():
        line = _LIST_MARK.sub("", line).strip()
        if not line:
            continue
        for a, b in tools.sentence_spans(line):
            sentence = line[a:b].strip()
            cited = [n for m in _CITATION.finditer(sentence) for n in _numbers_in(m.group(1))]
            text = " ".join(_CITATION.sub(" ", sentence).split())
            text = re.sub(r"\s+([,.;:?!])", r"\1", text).strip()
            if not re.search(r"\w", text):  # a bare citation after the full stop: it belongs to the sentence before
                if out and cited:
                    last = out[-1]
                    out[-1] = Generated(last.text, tuple(dict.fromkeys(last.cited + tuple(cited))))
                continue
            out.append(Generated(text, tuple(dict.fromkeys(cited))))
    return out


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def names_in(text: str) -> list[str]:
    """The names of a sentence: capitalised words that do not start it (nor a clause after a colon), and
    words in capitals (acronyms), lower-cased."""
    names = []
    tokens = list(re.finditer(r"[\w’'-]+|[.:!?;]", text))
    start = True
    for m in tokens:
        token = m.group(0)
        if token in ".:!?;":
            start = True
            continue
        first = token[:1]
        if (first.isupper() and not start) or (len(token) > 1 and token.isupper() and token.isalpha()):
            names.append(token.lower().removesuffix("'s").removesuffix("’s"))
        start = False
    return names


def numbers_in(text: str, language: str) -> set[str]:
    """The numbers of a text, normalised ('3,5' and '3.5' -> '3.5'; '1.000' -> '1000'), and small
    numbers written as words ('drie' -> '3')."""
    found = set()
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):  # thousands separators
            found.add(raw.replace(".", "").replace(",", ""))
        else:
            found.add(raw.replace(",", "."))
    words = NUMBER_WORDS.get(language, NUMBER_WORDS["en"])
    for token in _tokens(text.lower()):
        if token in words and token != "_":
            found.add(str(words.index(token)))
    return found


def _supported_term(term: str, stems: set[str], words: set[str]) -> bool:
    """A stem is supported when it occurs in the sources, or when it is a compound of source words
    ('verkeersdata' from 'verkeer' and 'data'): it starts and ends with words of 4+ letters that occur."""
    if term in stems:
        return True
    if len(term) < 8:
        return False
    parts = [w for w in words | stems if len(w) >= 4]
    head = [w for w in parts if term.startswith(w)]
    return bool(head) and any(term[len(h):].lstrip("s").startswith(w[:max(4, len(w) - 2)])
                              for h in head for w in parts if len(term) - len(h) >= 4)


def verify(item: Generated, sources: dict[int, str], tools: LanguageTools, known_names: frozenset[str] = frozenset(),
           min_content: float = MIN_CONTENT) -> Verdict:
    """Check one generated sentence against the numbered transcript sentences it cites (`sources`:
    number -> text). `known_names` are lower-cased name words any sentence may use (speakers, title)."""
    reasons = []
    missing = [n for n in item.cited if n not in sources]
    if not item.cited:
        reasons.append(rejection_reason("no_citation"))
    if missing:
        reasons.append(rejection_reason("bad_citation", items=", ".join(map(str, missing))))
    cited_text = " ".join(sources[n] for n in item.cited if n in sources)
    source_words = {w.lower() for w in _tokens(cited_text)}
    source_words |= {w.removesuffix("'s").removesuffix("’s") for w in source_words}
    numbers = numbers_in(item.text, tools.code) - numbers_in(cited_text, tools.code)
    if numbers:
        reasons.append(rejection_reason("numbers", items=", ".join(sorted(numbers))))
    names = [n for n in names_in(item.text) if n not in source_words and n not in known_names]
    if names:
        reasons.append(rejection_reason("names", items=", ".join(dict.fromkeys(names))))
    free = ATTRIBUTION.get(tools.code, set()) | known_names
    terms = [tools.stem(w) for w in tools.words(item.text) if tools.is_content(w) and w not in free]
    stems = {tools.stem(w) for w in source_words} | set(tools.terms(cited_text))
    found = [t for t in terms if _supported_term(t, stems, source_words)]
    share = len(found) / len(terms) if terms else 0.0
    if not terms:
        reasons.append(rejection_reason("no_content"))
    elif share < min_content:
        absent = [t for t in dict.fromkeys(terms) if t not in found]
        reasons.append(rejection_reason("content_share", share=f"{share:.0%}", items=", ".join(absent[:6])))
    return Verdict(item.text, item.cited, not reasons, reasons, round(share, 3))
