"""Extractive summaries and keyphrases that work for Dutch and English.

Sentences become TF-IDF vectors of stemmed, stopword-free terms; LexRank (PageRank over the cosine
similarity graph) scores how central each is; MMR then picks the most central sentences while
penalising redundancy, and never picks two near-duplicates. Results come back in document order,
by index, never keyed by text (spoken lines like 'Ja.' repeat).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from pipeline.core.errors import ConfigError
from pipeline.drafts.keyphrases import keyphrases  # noqa: F401  (re-exported: the stage and tests use it here)
from pipeline.drafts.nlp import LanguageTools, is_procedural, word_count


@dataclass(frozen=True)
class SummaryOptions:
    """How chapter summaries and keyphrases are drafted."""

    min_sentences: int = 2          # fewest summary sentences per chapter (if it has that many candidates)
    max_sentences: int = 5          # most summary sentences per chapter
    words_per_sentence: int = 250   # one more summary sentence per this many words of chapter speech
    min_words: int = 6              # shorter sentences are not summary candidates
    max_words: int = 60             # longer sentences (run-ons) are not summary candidates
    damping: float = 0.85           # LexRank/PageRank damping factor
    edge_threshold: float = 0.05    # cosine similarities below this are no edge in the LexRank graph
    mmr_lambda: float = 0.7         # MMR trade-off: 1 = centrality only, 0 = novelty only
    duplicate_similarity: float = 0.5  # two sentences with cosine >= this never both appear
    min_keyphrases: int = 3         # fewest keyphrases per chapter (when it has that many terms)
    max_keyphrases: int = 8         # most keyphrases per chapter
    words_per_keyphrase: int = 300  # one more keyphrase per this many words of chapter speech
    recording_sentences: int = 4    # sentences in the recording-level summary paragraph

    def __post_init__(self) -> None:
        if not 1 <= self.min_sentences <= self.max_sentences:
            raise ConfigError("summary options: need 1 <= min_sentences <= max_sentences")
        if not 1 <= self.min_keyphrases <= self.max_keyphrases:
            raise ConfigError("summary options: need 1 <= min_keyphrases <= max_keyphrases")
        if not 0 < self.damping < 1 or not 0 <= self.mmr_lambda <= 1:
            raise ConfigError("summary options: damping must be in (0, 1) and mmr_lambda in [0, 1]")
        if self.min_words > self.max_words or self.words_per_sentence < 1 or self.words_per_keyphrase < 1:
            raise ConfigError("summary options: min_words <= max_words, words_per_* >= 1")


@dataclass(frozen=True)
class Ranked:
    """A chosen sentence: its index in the input list and its centrality score."""

    index: int
    score: float


def idf_table(documents: list[list[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each term over the documents (lists of terms)."""
    df = Counter(t for doc in documents for t in set(doc))
    n = len(documents)
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


def tfidf_matrix(term_lists: list[list[str]], idf: dict[str, float]) -> np.ndarray:
    """Row-normalised TF-IDF vectors, one row per term list (all-zero rows for empty lists)."""
    vocab: dict[str, int] = {}
    for terms in term_lists:
        for t in terms:
            vocab.setdefault(t, len(vocab))
    matrix = np.zeros((len(term_lists), max(len(vocab), 1)))
    for row, terms in enumerate(term_lists):
        for t, c in Counter(terms).items():
            matrix[row, vocab[t]] = c * idf.get(t, 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def lexrank(similarity: np.ndarray, damping: float = 0.85, threshold: float = 0.05) -> np.ndarray:
    """Stationary PageRank scores over the similarity graph (sum 1); isolated sentences get the floor."""
    n = len(similarity)
    if n == 0:
        return np.zeros(0)
    weights = np.where(similarity >= threshold, similarity, 0.0)
    np.fill_diagonal(weights, 0.0)
    rows = weights.sum(axis=1, keepdims=True)
    transition = np.divide(weights, rows, out=np.full_like(weights, 1.0 / n), where=rows > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(200):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < 1e-10:
            rank = new
            break
        rank = new
    return rank / rank.sum()


def mmr_select(scores: np.ndarray, similarity: np.ndarray, k: int, lam: float, duplicate: float) -> list[int]:
    """Maximal marginal relevance: k indices, each maximising lam*score - (1-lam)*max similarity to
    those already chosen; candidates at least `duplicate` similar to a chosen one are never taken."""
    if len(scores) == 0 or k <= 0:
        return []
    top = scores.max() or 1.0
    relevance = scores / top
    chosen: list[int] = []
    for _ in range(min(k, len(scores))):
        best, best_value = -1, -math.inf
        for i in range(len(scores)):
            if i in chosen:
                continue
            redundancy = max((similarity[i, j] for j in chosen), default=0.0)
            if redundancy >= duplicate:
                continue
            value = lam * relevance[i] - (1 - lam) * redundancy
            if value > best_value + 1e-12:  # strict: ties go to the earlier sentence
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
    return chosen


def summary_size(words: int, options: SummaryOptions) -> int:
    """How many sentences a chapter of `words` words gets."""
    return max(options.min_sentences, min(options.max_sentences, 1 + words // options.words_per_sentence))


def summarize(texts: list[str], tools: LanguageTools, k: int, options: SummaryOptions,
              idf: dict[str, float] | None = None, avoid: list[str] | None = None) -> list[Ranked]:
    """The k most central, mutually distinct candidate sentences of `texts`, in document order; none
    repeats or nearly repeats a sentence of `avoid` (what the page already says)."""
    return sorted(_ranked(texts, tools, k, options, idf, avoid), key=lambda r: r.index)


def best_remaining(texts: list[str], tools: LanguageTools, options: SummaryOptions,
                   idf: dict[str, float] | None, avoid: list[str]) -> Ranked | None:
    """The most central candidate of `texts` that repeats nothing in `avoid` (None when there is none)."""
    picked = _ranked(texts, tools, 1, options, idf, avoid)
    return picked[0] if picked else None


def _ranked(texts: list[str], tools: LanguageTools, k: int, options: SummaryOptions,
            idf: dict[str, float] | None, avoid: list[str] | None) -> list[Ranked]:
    terms = [tools.terms(t) for t in texts]
    avoid_terms = [set(tools.terms(a)) for a in (avoid or [])]
    avoid_norm = {normalized(a) for a in (avoid or [])}
    candidates = [i for i, t in enumerate(texts) if _is_candidate(t, terms[i], options, tools.code)
                  and normalized(t) not in avoid_norm and not _near(set(terms[i]), avoid_terms, options)]
    if not candidates:
        return []
    idf = idf if idf is not None else idf_table(terms)
    matrix = tfidf_matrix([terms[i] for i in candidates], idf)
    similarity = matrix @ matrix.T
    scores = lexrank(similarity, options.damping, options.edge_threshold)
    picked = mmr_select(scores, similarity, k, options.mmr_lambda, options.duplicate_similarity)
    return [Ranked(candidates[p], float(scores[p])) for p in picked]


def _near(terms: set[str], others: list[set[str]], options: SummaryOptions) -> bool:
    """Whether a sentence's terms nearly repeat one of the others (Jaccard >= duplicate_similarity)."""
    return bool(terms) and any(len(terms & o) / len(terms | o) >= options.duplicate_similarity for o in others if o)


def normalized(text: str) -> str:
    """Lower case, words only: how two sentences are compared for being the same."""
    return " ".join(re.findall(r"\w+", text.lower()))


# Discourse openers that are filler in a written summary ('Ja, ...', 'Nou, ...', 'So, ...').
OPENERS = {"nl": re.compile(r"^(ja|nee|nou|oké|ok|okay|dus|en|maar|goed|kijk)\s*,\s*", re.I),
           "en": re.compile(r"^(yes|yeah|no|well|so|okay|ok|and|but|right|now)\s*,\s*", re.I)}


def tidy_sentence(text: str, tools: LanguageTools) -> str:
    """A summary sentence as written text: fillers and openers removed, a capital first, and a clean end
    ('.', '?' or '!', never ',' or ';')."""
    text = tools.clean(text)
    text = OPENERS.get(tools.code, OPENERS["en"]).sub("", text).strip()
    text = re.sub(r"[\s,;:\-–—]+$", "", text)
    if text and text[-1] not in ".?!":
        text += "."
    return text[:1].upper() + text[1:]


def centrality(texts: list[str], tools: LanguageTools, idf: dict[str, float] | None = None) -> list[float]:
    """LexRank score of every text, scaled so the most central is 1.0 (all 0 for fewer than two)."""
    terms = [tools.terms(t) for t in texts]
    if len(texts) < 2:
        return [0.0] * len(texts)
    matrix = tfidf_matrix(terms, idf if idf is not None else idf_table(terms))
    scores = lexrank(matrix @ matrix.T)
    top = scores.max() or 1.0
    return [float(s / top) for s in scores]


def _is_candidate(text: str, terms: list[str], options: SummaryOptions, language: str) -> bool:
    words = word_count(text)
    # Questions summarise nothing (they go to the Q&A section); talk about slides and sound neither.
    # A candidate is a complete sentence: it ends in '.' or '!' (a split at a comma is no sentence).
    return (options.min_words <= words <= options.max_words and bool(terms)
            and text.rstrip("\"'”’) ").endswith((".", "!")) and not is_procedural(text, language))


# ---------------------------------------------------------------- keyphrases (see keyphrases.py)

def keyphrase_count(words: int, options: SummaryOptions) -> int:
    """How many keyphrases a chapter of `words` words gets."""
    return max(options.min_keyphrases, min(options.max_keyphrases, 2 + words // options.words_per_keyphrase))
