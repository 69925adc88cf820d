"""Quote candidates: verbatim sentences that read as strong, self-contained statements.

A quote is always an exact substring of the transcript text of its time span (checked by
`is_verbatim`); only leading/trailing filler ('Eh,') is trimmed off, which keeps it a substring.
Every score comes with its reasons so an editor sees why a sentence was proposed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.artifacts.sentences import Sentence
from pipeline.core.errors import ConfigError
from pipeline.drafts.nlp import LanguageTools, is_procedural, word_count

# Lower-cased cues per language; each is a regex matched on word boundaries.
FIRST_PERSON = {
    "nl": r"ik|wij|we|mijn|onze|ons|me|mij",
    "en": r"i|we|my|our|me|us|i'm|we're|i've|we've",
}
OPINION = {
    "nl": r"ik denk|ik vind|ik geloof|volgens mij|overtuigd|moeten|moet|belangrijk\w*|essentieel|cruciaal"
          r"|de enige|nooit|altijd|echt|het probleem|fout|beter|slimmer|juiste",
    "en": r"i think|i believe|believe|convinced|must|should|have to|need to|important|essential|crucial"
          r"|the only|never|always|the problem|mistake|better|wrong|just an?",
}
CONTRAST = {
    "nl": r"maar|juist|in plaats van|terwijl|toch|niet \w+ maar|zonder",
    "en": r"but|instead|rather than|whereas|yet|without|not \w+ but",
}
VIVID = {
    "nl": r"enorm\w*|ontzettend\w*|prachtig\w*|fantastisch\w*|geweldig\w*|versnipperd|schaars\w*|kleinschalig|massa"
          r"|slagkracht|\w+ste",
    "en": r"huge|incredible|enormous|expensive|suddenly|far more|amazing|terrible|archive|\w+est",
}
# Openers that point back to earlier talk: the sentence does not stand on its own.
ANAPHORIC = {
    "nl": {"dat", "dit", "die", "daarom", "dus", "en", "want", "ook", "daar", "hij", "zij", "ze", "hun", "zo"},
    "en": {"that", "this", "it", "so", "and", "because", "also", "they", "he", "she", "these", "those", "then"},
}
# Weights of the reasons; procedural talk must never win, so its weight is larger than any sum.
WEIGHTS = {"first person": 1.0, "opinion or claim": 1.5, "contrast": 1.0, "vivid wording": 0.75,
           "list of three": 0.75, "quotable length": 0.5, "central to the chapter": 1.0,
           "refers back to earlier talk": -1.0, "disfluent": -1.0, "procedural talk": -6.0}
_TRIAD = {"nl": re.compile(r"\w+, \w+,? (en|of) \w+"), "en": re.compile(r"\w+, \w+,? (and|or) \w+")}


@dataclass(frozen=True)
class QuoteOptions:
    """How quote candidates are chosen."""

    min_words: int = 8       # shorter sentences are not quotes
    max_words: int = 40      # longer ones neither
    max_quotes: int = 3      # most candidates per chapter
    min_score: float = 1.0   # below this a candidate is only proposed when the chapter has no better one

    def __post_init__(self) -> None:
        if not 1 <= self.min_words <= self.max_words:
            raise ConfigError("quote options: need 1 <= min_words <= max_words")
        if self.max_quotes < 1:
            raise ConfigError("quote options: max_quotes must be at least 1")


@dataclass(frozen=True)
class QuoteCandidate:
    """A scored quote: its verbatim text (within the sentence), the sentence, score and reasons."""

    text: str
    sentence: Sentence
    score: float
    reasons: list[str] = field(default_factory=list)


def is_verbatim(quote: str, source_text: str) -> bool:
    """Whether the quote is an exact, non-empty substring of the source (transcript) text."""
    return bool(quote.strip()) and quote in source_text


def trim_filler(text: str, tools: LanguageTools) -> str:
    """The sentence without leading filler tokens ('Eh, er gebeurde...' -> 'er gebeurde...')."""
    tokens = text.split(" ")
    while tokens and re.sub(r"[\W_]+", "", tokens[0]).lower() in tools.fillers:
        tokens.pop(0)
    return " ".join(tokens)


def score_quote(text: str, tools: LanguageTools, centrality: float = 0.0) -> tuple[float, list[str]]:
    """Score a sentence as a quote; the reasons name every feature that counted."""
    lang = tools.code if tools.code in FIRST_PERSON else "en"
    lower = " " + " ".join(text.lower().split()) + " "
    words = tools.words(text)
    reasons = [name for name, pattern in (("first person", FIRST_PERSON), ("opinion or claim", OPINION),
                                          ("contrast", CONTRAST), ("vivid wording", VIVID))
               if re.search(rf"(?<!\w)({pattern[lang]})(?!\w)", lower)]
    if _TRIAD[lang].search(text):
        reasons.append("list of three")
    if 12 <= word_count(text) <= 30:
        reasons.append("quotable length")
    if centrality >= 0.5:
        reasons.append("central to the chapter")
    if words and words[0] in ANAPHORIC.get(lang, set()):
        reasons.append("refers back to earlier talk")
    if any(w in tools.fillers for w in words):
        reasons.append("disfluent")
    if is_procedural(text, tools.code):
        reasons.append("procedural talk")
    score = sum(WEIGHTS[r] for r in reasons) + (centrality * WEIGHTS["central to the chapter"] if centrality < 0.5 else 0.0)
    return round(score, 4), reasons


def is_complete(text: str) -> bool:
    """A complete declarative sentence: starts with a letter or digit, ends with '.' or '!'."""
    return bool(re.match(r"^[\"'“‘(]?\w", text)) and text.rstrip("\"'”’)").endswith((".", "!"))


def asks(text: str, tools: LanguageTools) -> bool:
    """Whether a sentence is an indirect question ('Ik vroeg me af of...'): a question, not a quote."""
    from pipeline.drafts.questions import INDIRECT
    return bool(INDIRECT.get(tools.code, INDIRECT["en"]).search(" ".join(text.split())))


def quote_candidates(sentences: list[Sentence], centrality: list[float], tools: LanguageTools,
                     options: QuoteOptions) -> list[QuoteCandidate]:
    """Up to max_quotes distinct quote candidates of a chapter, best first."""
    scored = []
    for sentence, central in zip(sentences, centrality):
        text = trim_filler(sentence.text, tools)
        if not (options.min_words <= word_count(text) <= options.max_words and is_complete(text)) or asks(text, tools):
            continue
        score, reasons = score_quote(text, tools, central)
        if "procedural talk" not in reasons:
            scored.append(QuoteCandidate(text, sentence, score, reasons))
    scored.sort(key=lambda q: (-q.score, q.sentence.start))
    chosen: list[QuoteCandidate] = []
    for candidate in scored:
        if len(chosen) >= options.max_quotes or (chosen and candidate.score < options.min_score):
            break
        if not any(_overlap(candidate.text, c.text, tools) >= 0.5 for c in chosen):
            chosen.append(candidate)
    return chosen


def _overlap(a: str, b: str, tools: LanguageTools) -> float:
    ta, tb = set(tools.terms(a)), set(tools.terms(b))
    return len(ta & tb) / max(1, min(len(ta), len(tb)))
