"""Language tools for the drafts stage, offline: punkt sentence splitting, word tokens, stopwords,
Snowball stemmers and cleaning of spoken filler ('eh', 'uh', 'nou ja', repeated words, false starts).

NLTK's data is vendored in pipeline/drafts/nltk_data (punkt_tab and stopwords for Dutch and English, see
its PROVENANCE.txt) and put first on nltk.data.path, so nothing is ever downloaded.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import nltk
from nltk.tokenize import PunktTokenizer, RegexpTokenizer

from pipeline.core.errors import ConfigError, PipelineError
from pipeline.core.languages import NLTK_NAMES, VENDORED
from pipeline.core.stemming import stemmer

log = logging.getLogger(__name__)

NLTK_DATA = Path(__file__).resolve().parent / "nltk_data"
# ISO code -> NLTK's name for punkt_tab, stopwords and Snowball.

# Spoken filler, per language. Multi-word fillers are matched on whole tokens.
FILLERS = {
    "nl": {"eh", "ehm", "euh", "uh", "uhm", "um", "hm", "hmm", "mm", "nou ja", "nou eh", "ja eh", "zeg maar"},
    "en": {"uh", "uhm", "um", "umm", "er", "erm", "ehm", "hm", "hmm", "mm"},
}
# Words of spoken language that carry no topic, beyond NLTK's (written-language) stopword lists.
SPOKEN_STOPWORDS = {
    "nl": {"jullie", "allemaal", "gewoon", "even", "echt", "heel", "ja", "nee", "natuurlijk", "eigenlijk",
           "misschien", "beetje", "gaan", "gaat", "ga", "kijken", "zien", "zeggen", "zegt", "komen", "komt",
           "dingen", "ding", "soort", "nou", "oké", "ok", "okay", "hè", "zo'n", "mee", "daar", "hier", "waar",
           "goedemiddag", "goedemorgen", "goedenavond", "dank", "bedankt", "alvast", "keer", "wellicht",
           "goed", "goede", "vandaag", "praten", "horen", "zeker", "kort", "daarna", "eerst", "graag"},
    "en": {"also", "really", "just", "okay", "ok", "yeah", "yes", "actually", "basically", "kind", "sort",
           "lot", "lots", "thing", "things", "going", "get", "got", "like", "well", "right", "know", "now",
           "good", "afternoon", "morning", "evening", "thanks", "thank", "let", "us", "one", "see", "say",
           "today", "talk", "will", "would", "could", "can", "much", "many"},
}
# Word repeats that are grammatical ('dat dat niet kan', 'he had had enough') and must stay.
LEGIT_REPEATS = {"nl": {"dat", "die", "was"}, "en": {"had", "that"}}
_WORD = RegexpTokenizer(r"\w+(?:[-'’]\w+)*")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SENT_END = re.compile(r"[.?!…]+$")


def use_vendored_data() -> Path:
    """Put the vendored NLTK data first on nltk.data.path (idempotent) and return its folder."""
    path = str(NLTK_DATA)
    if path not in nltk.data.path:
        nltk.data.path.insert(0, path)
    return NLTK_DATA


@dataclass(frozen=True)
class LanguageTools:
    """Everything language-specific the drafts stage needs for one language."""

    code: str
    name: str
    stopwords: frozenset[str]
    fillers: frozenset[str]

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the sentences of `text` (punkt for this language)."""
        return list(_punkt(self.name).span_tokenize(text))

    def words(self, text: str) -> list[str]:
        """Lower-cased word tokens (letters/digits, inner hyphens and apostrophes kept)."""
        return _WORD.tokenize(text.lower())

    def stem(self, word: str) -> str:
        """The Snowball stem of a lower-cased word."""
        return stemmer(self.code).stem(word)

    def terms(self, text: str) -> list[str]:
        """Content terms of a text: stems of words that are not stopwords, fillers or single letters."""
        return [self.stem(w) for w in self.words(text) if self.is_content(w)]

    def is_content(self, word: str) -> bool:
        """Whether a lower-cased word carries content (not a stopword, filler, number or single letter)."""
        return len(word) > 1 and not word.isdigit() and word not in self.stopwords and word not in self.fillers

    def clean(self, text: str) -> str:
        """Spoken text made readable: fillers, false starts and stuttered repeats removed."""
        return clean_spoken(text, self.code)


@functools.lru_cache(maxsize=8)
def language_tools(code: str) -> LanguageTools:
    """The tools for an ISO language code ('nl', 'en'; 'de'/'fr' fall back to English sentence rules)."""
    if code not in NLTK_NAMES:
        raise ConfigError(f"language {code!r} not supported by the drafts stage; use one of {sorted(NLTK_NAMES)}")
    use_vendored_data()
    name = NLTK_NAMES[code]
    if code not in VENDORED:
        log.warning("no punkt/stopword data vendored for %r; using English sentence rules and no stopwords", code)
    stop = (_stopwords(name) if code in VENDORED else frozenset()) | SPOKEN_STOPWORDS.get(code, set())
    sentence_name = name if code in VENDORED else "english"
    return LanguageTools(code=code, name=sentence_name, stopwords=stop,
                         fillers=frozenset(FILLERS.get(code, FILLERS["en"])))


# Abbreviations frequent in lectures that the punkt models miss (lower case, without the final '.').
EXTRA_ABBREVIATIONS = {
    "dutch": {"bijv", "bv", "d.w.z", "o.a", "m.b.v", "i.p.v", "t.o.v", "m.n", "enz", "ca", "incl", "excl",
              "evt", "mr", "dr", "ir", "ing", "drs", "prof", "nr", "blz", "vs", "zgn", "resp"},
    "english": {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "no", "approx", "incl"},
}


@functools.lru_cache(maxsize=8)
def _punkt(name: str) -> PunktTokenizer:
    use_vendored_data()
    try:
        tokenizer = PunktTokenizer(name)
    except LookupError as exc:
        raise PipelineError(
            f"NLTK punkt_tab/{name} not found in {NLTK_DATA}; reinstall the package (it ships pipeline/drafts/nltk_data)"
        ) from exc
    tokenizer._params.abbrev_types.update(EXTRA_ABBREVIATIONS.get(name, set()))
    return tokenizer


def _stopwords(name: str) -> frozenset[str]:
    path = NLTK_DATA / "corpora" / "stopwords" / name
    try:
        return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())
    except OSError as exc:
        raise PipelineError(f"NLTK stopwords {path} missing; reinstall the package (it ships pipeline/drafts/nltk_data)") from exc


# ---------------------------------------------------------------- cleaning spoken text

def _norm(token: str) -> str:
    return _EDGE_PUNCT.sub("", token).lower()


def clean_spoken(text: str, language: str) -> str:
    """Remove fillers ('eh', 'uh', 'nou ja'), false starts ('ver- verkeer') and stuttered repeats
    ('de de', 'we gaan we gaan'); keep sentence-final punctuation and capitalise the first letter."""
    tokens = text.split()
    tokens = _drop_fillers(tokens, FILLERS.get(language, FILLERS["en"]))
    tokens = _drop_false_starts(tokens)
    tokens = _collapse_repeats(tokens, LEGIT_REPEATS.get(language, set()))
    cleaned = " ".join(tokens).strip()
    cleaned = re.sub(r"^[,;:\s]+", "", cleaned)
    cleaned = re.sub(r"\s+([,.;:?!])", r"\1", cleaned)
    cleaned = re.sub(r",([.?!])", r"\1", cleaned)
    return cleaned[:1].upper() + cleaned[1:] if cleaned else cleaned


def _drop(tokens: list[str], start: int, stop: int) -> None:
    """Delete tokens[start:stop], moving a sentence-final mark of the last one onto the previous token."""
    end = _SENT_END.search(tokens[stop - 1])
    del tokens[start:stop]
    if end and start > 0 and not _SENT_END.search(tokens[start - 1]):
        tokens[start - 1] = tokens[start - 1].rstrip(",;:") + end.group(0)


def _drop_fillers(tokens: list[str], fillers: set[str] | frozenset[str]) -> list[str]:
    tokens = list(tokens)
    longest = max((len(f.split()) for f in fillers), default=1)
    i = 0
    while i < len(tokens):
        for n in range(longest, 0, -1):
            phrase = " ".join(_norm(t) for t in tokens[i:i + n])
            if len(tokens[i:i + n]) == n and phrase in fillers:
                _drop(tokens, i, i + n)
                break
        else:
            i += 1
    return tokens


def _drop_false_starts(tokens: list[str]) -> list[str]:
    """'ver- verkeersmanagement' -> 'verkeersmanagement': a cut-off word the next word completes."""
    kept = []
    for i, token in enumerate(tokens):
        nxt = _norm(tokens[i + 1]) if i + 1 < len(tokens) else ""
        stem = token.lower().rstrip("-—–")
        if token.endswith(("-", "—", "–")) and stem and nxt.startswith(_norm(stem)):
            continue
        kept.append(token)
    return kept


def _collapse_repeats(tokens: list[str], legit: set[str]) -> list[str]:
    """Drop an n-gram (n = 3, 2, 1) that directly repeats the one before it."""
    tokens = list(tokens)
    for n in (3, 2, 1):
        i = n
        while i + n <= len(tokens):
            before = [_norm(t) for t in tokens[i - n:i]]
            here = [_norm(t) for t in tokens[i:i + n]]
            if before == here and all(before) and not (n == 1 and before[0] in legit):
                _drop(tokens, i - n, i)
            else:
                i += 1
    return tokens


def word_count(text: str) -> int:
    """Number of whitespace-separated words that contain a letter or digit."""
    return sum(1 for t in text.split() if re.search(r"\w", t))


# Talk about the session itself (slides, screen, sound, agenda) rather than the subject. Summaries
# and quotes rank it down. Patterns match lower-cased text.
PROCEDURAL = {
    "nl": re.compile(
        r"\b(slides?|sheets?|dia'?s?|volgende (dia|sheet|slide)|scherm (delen|zien)|mijn scherm"
        r"|(horen|zien) jullie|kunnen jullie (me|mij|het)( \w+)? (horen|zien)|hoor(t|en)? (je|jullie) me"
        r"|microfoon|mute|de chat|in de chat|welkom( allemaal)?|pauze|agenda van vandaag"
        r"|dan (gaan|kijken) we (nu )?(naar|door)|vragen uit de zaal|gaan we (nu )?(beginnen|starten)|laten we beginnen"
        r"|ik geef (het woord|de beurt)|even kijken|even wachten|mentimeter"
        r"|vandaag (praten|gaan|hebben|vertel)\w*|ik ga (jullie )?(iets )?vertellen|stel\w* (\w+ ){1,4}zich (kort )?voor)\b"),
    "en": re.compile(
        r"\b(slides?|next slide|share my screen|my screen|can (you|everyone) (all )?(hear|see) (me|this|it)"
        r"|microphone|mute|in the chat|the chat|welcome( everyone)?|coffee break|the break"
        r"|let'?s (get started|move on|begin|start)|moving on|move on to|hand (it )?over"
        r"|agenda for today|bear with me|time (left )?for questions|any questions"
        r"|today (i|we)('ll| will)? (talk|speak|discuss|present)|i('ll| will) talk about|introduce (myself|ourselves))\b"),
}


def is_procedural(text: str, language: str) -> bool:
    """Whether a sentence is talk about the session (slides, screen, sound, agenda), not its subject."""
    pattern = PROCEDURAL.get(language, PROCEDURAL["en"])
    return bool(pattern.search(text.lower()))
