"""Extractive chapter summaries (LexRank + MMR) and keyphrases on Dutch and English lectures."""
from __future__ import annotations

import sys
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture  # noqa: E402

from pipeline.core.errors import ConfigError  # noqa: E402
from pipeline.drafts.nlp import language_tools  # noqa: E402
from pipeline.drafts.sentences import split_sentences  # noqa: E402
from pipeline.drafts.summarize import (  # noqa: E402
    SummaryOptions,
    idf_table,
    keyphrases,
    lexrank,
    mmr_select,
    summarize,
    summary_size,
)

OPTIONS = SummaryOptions()


def _chapters(name):
    spec = lecture(name)
    transcript, chapters, _ = build(spec)
    tools = language_tools(name)
    sentences = split_sentences(transcript, chapters, tools)
    return spec, tools, [sentences.in_chapter(c.index) for c in chapters]


def _near_duplicates(a: str, b: str, tools) -> bool:
    ta, tb = set(tools.terms(a)), set(tools.terms(b))
    jaccard = len(ta & tb) / max(1, len(ta | tb))
    return jaccard >= 0.5 or SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.8


@pytest.mark.parametrize("name", ["nl", "en"])
def test_summaries_are_own_chapter_distinct_and_sized(name):
    spec, tools, by_chapter = _chapters(name)
    idf = idf_table([tools.terms(s.text) for ss in by_chapter for s in ss])
    for index, sentences in enumerate(by_chapter):
        texts = [s.text for s in sentences]
        ranked = summarize(texts, tools, 5, OPTIONS, idf)
        chosen = [texts[r.index] for r in ranked]
        assert all(t in spec["chapters"][index]["sentences"] for t in chosen)
        assert [r.index for r in ranked] == sorted(r.index for r in ranked)  # document order
        assert not any(_near_duplicates(a, b, tools) for i, a in enumerate(chosen) for b in chosen[i + 1:])
        assert not any(t.endswith("?") for t in chosen)
        assert spec["procedural"] not in chosen


def test_near_duplicate_pair_never_both_chosen():
    spec, tools, by_chapter = _chapters("nl")
    texts = [s.text for s in by_chapter[2]]
    chosen = " ".join(texts[r.index] for r in summarize(texts, tools, 5, OPTIONS))
    assert sum(fragment in chosen for fragment in spec["near_duplicates"]) <= 1


def test_strong_content_outranks_procedural_talk():
    tools = language_tools("nl")
    texts = ["Dan gaan we nu naar de volgende slide.",
             "Samenwerking tussen provincies en gemeenten maakt slimme mobiliteit pas echt mogelijk.",
             "Slimme mobiliteit vraagt om samenwerking van provincies, gemeenten en marktpartijen."]
    picked = [r.index for r in summarize(texts, tools, 2, OPTIONS)]
    assert picked == [1, 2]


def test_edge_cases_empty_and_single_sentence():
    tools = language_tools("en")
    assert summarize([], tools, 3, OPTIONS) == []
    one = summarize(["Traffic data only helps when it answers a concrete question."], tools, 3, OPTIONS)
    assert [r.index for r in one] == [0]
    assert summarize(["Yes.", "Okay."], tools, 3, OPTIONS) == []  # no candidate is long enough


def test_lexrank_and_mmr_invariants():
    similarity = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.1], [0.1, 0.1, 1.0]])
    scores = lexrank(similarity)
    assert scores.sum() == pytest.approx(1.0) and scores[0] == pytest.approx(scores[1])
    # 0 and 1 are near-duplicates: MMR takes one of them and then the distinct sentence.
    assert mmr_select(scores, similarity, 3, 0.7, 0.5) == [0, 2]


def test_summary_size_scales_with_chapter_length():
    assert summary_size(50, OPTIONS) == 2
    assert summary_size(800, OPTIONS) == 4
    assert summary_size(10_000, OPTIONS) == 5
    with pytest.raises(ConfigError, match="min_sentences"):
        SummaryOptions(min_sentences=4, max_sentences=2)


@pytest.mark.parametrize("name, chapter, expected", [
    ("nl", 1, {"publieke data", "slimme mobiliteit"}),
    ("nl", 2, {"verkeersmanagement", "gemeenten"}),
    ("en", 1, {"traffic data"}),
])
def test_keyphrases(name, chapter, expected):
    _, tools, by_chapter = _chapters(name)
    chapter_idf = idf_table([[t for s in ss for t in tools.terms(s.text)] for ss in by_chapter])
    phrases = keyphrases([s.text for s in by_chapter[chapter]], tools, 8, chapter_idf)
    assert 3 <= len(phrases) <= 8
    assert expected <= set(phrases)
    stems = [set(tools.terms(p)) for p in phrases]
    assert not any(a & b for i, a in enumerate(stems) for b in stems[i + 1:])  # no overlapping phrases
    assert not any(p in {"slide", "volgende slide"} for p in phrases)


def test_keyphrases_are_noun_phrases_never_bare_verbs_or_function_words():
    import sys as _sys
    _sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "lecture"))
    import make_lecture

    from pipeline.drafts.keyphrases import word_classes
    tools = language_tools("nl")
    texts = [s for _, sentences in make_lecture.CHAPTERS for s, _ in sentences]
    classes = word_classes(texts, tools)
    chapter = [s for s, _ in make_lecture.CHAPTERS[1][1]]
    assert "intelligente verkeerslichten" in keyphrases(chapter, tools, 6, {}, classes)
    everything = keyphrases(texts, tools, 40, {}, classes, frozenset({"sanne", "joris"}))
    assert "verkeersdata delen" in everything or "verkeersdata" in everything
    bare = {"delen", "werken", "zorgen", "praten", "gaan", "zullen", "dialog", "twee", "per", "voordat", "slimme",
            "intelligente", "goede", "eigen", "open", "sanne", "joris"}
    assert not bare & {p.lower() for p in everything}


def test_tidy_summary_sentences_end_cleanly():
    from pipeline.drafts.summarize import tidy_sentence
    tools = language_tools("nl")
    assert tidy_sentence("ja, eh, we werken samen met de gemeenten,", tools) == "We werken samen met de gemeenten."
    assert tidy_sentence("Nou, de de kosten blijven laag;", tools) == "De kosten blijven laag."
    assert tidy_sentence("Is dat zo?", tools) == "Is dat zo?"
