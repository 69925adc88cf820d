"""Search text normalisation, shared by the index (rows) and the search (queries).

Both sides must turn text into the same tokens, or a query can never match what was indexed:
- `fold`: lowercase and strip diacritics ('Ideeën' -> 'ideeen'), as SQLite's
  `unicode61 remove_diacritics 2` tokenizer does for the spoken-text column;
- `words`: runs of letters and digits, the token rule of unicode61 (so a token we write into the
  stems column is never split again by SQLite);
- `stems`: Snowball stems (NLTK, no downloaded data) in the recording's language, after dropping
  the possessive/plural "'s" ('iVRI's' -> 'ivri').
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator

from nltk.stem.snowball import SnowballStemmer

from pipeline.core.languages import nltk_name

# Recording language (ISO 639-1) -> NLTK Snowball language.

WORD_RE = re.compile(r"[^\W_]+")
# "iVRI's", "auto's": the 's is grammar, not part of the name (Dutch plural, English possessive).
APOSTROPHE_S_RE = re.compile(r"(?<=[^\W_])['’]s\b", re.IGNORECASE)
# Combining marks left by NFKD decomposition ('ë' -> 'e' + U+0308): the diacritics to drop.
COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CACHE_LIMIT = 500_000


def fold(text: str) -> str:
    """Lowercase with diacritics removed: 'Ideeën' -> 'ideeen', 'Café' -> 'cafe'."""
    if text.isascii():
        return text.lower()
    return COMBINING_RE.sub("", unicodedata.normalize("NFKD", text)).lower()


def words(text: str) -> list[str]:
    """Folded tokens, split exactly where SQLite's unicode61 tokenizer splits."""
    return WORD_RE.findall(fold(text))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each token of the original text, for highlighting."""
    for match in WORD_RE.finditer(text):
        yield match.start(), match.end(), fold(match.group())


class Stemmer:
    """A cached Snowball stemmer for one language; unknown languages leave words as they are."""

    def __init__(self, language: str):
        self.language = language
        name = nltk_name(language, None)
        self._snowball = SnowballStemmer(name) if name else None
        # Speech is Zipfian: a few thousand words cover most tokens, so a dict cache makes
        # stemming nearly free after the first rows (NLTK's Snowball costs ~5 µs a word).
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """Stem of one folded word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        stem = self._snowball.stem(word) if self._snowball else word
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = stem
        return stem

    def stem_words(self, text: str) -> list[str]:
        """Stems of every token of a text, in order."""
        if "'" in text or "’" in text:
            text = APOSTROPHE_S_RE.sub("", text)
        cache, stem = self._cache, self.stem
        # Inline cache lookup: this loop runs for every word of every indexed row.
        return [cache[w] if w in cache else stem(w) for w in words(text)]

    def stem_text(self, text: str) -> str:
        """The stems of a text joined by spaces: what the index stores in its stems column."""
        return " ".join(self.stem_words(text))


_STEMMERS: dict[str, Stemmer] = {}


def stemmer(language: str) -> Stemmer:
    """The shared cached stemmer of a language."""
    if language not in _STEMMERS:
        _STEMMERS[language] = Stemmer(language)
    return _STEMMERS[language]


def stem_alternatives(word: str, languages: Iterable[str]) -> list[list[str]]:
    """Distinct stem sequences of a query word, one per language that stems it differently."""
    seen: list[list[str]] = []
    for language in sorted(set(languages)):
        stems = stemmer(language).stem_words(word)
        if stems and stems not in seen:
            seen.append(stems)
    return seen
