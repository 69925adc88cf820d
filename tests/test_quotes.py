"""Quote candidates: verbatim, complete, 8-40 words, strong statements over procedural talk."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture, lecture_sentences  # noqa: E402

from pipeline.drafts.nlp import language_tools, word_count  # noqa: E402
from pipeline.drafts.quotes import (  # noqa: E402
    QuoteOptions,
    is_complete,
    is_verbatim,
    quote_candidates,
    score_quote,
    trim_filler,
)
from pipeline.drafts.sentences import segments_text, split_sentences  # noqa: E402
from pipeline.drafts.summarize import centrality  # noqa: E402


@pytest.mark.parametrize("name", ["nl", "en"])
def test_strong_opinion_scores_above_procedural_sentences(name):
    spec = lecture(name)
    tools = language_tools(name)
    strong = next(s for c in spec["chapters"] for s in c["sentences"] if s.startswith(spec["strong"]))
    strong_score, reasons = score_quote(strong, tools)
    procedural_score, procedural_reasons = score_quote(spec["procedural"], tools)
    assert strong_score > procedural_score
    assert "opinion or claim" in reasons and "procedural talk" in procedural_reasons


@pytest.mark.parametrize("name", ["nl", "en"])
def test_candidates_are_verbatim_complete_and_in_their_chapter(name):
    spec, transcript, chapters, tools, sentences = lecture_sentences(name)
    found = []
    for chapter in chapters:
        own = sentences.in_chapter(chapter.index)
        quotes = quote_candidates(own, centrality([s.text for s in own], tools), tools, QuoteOptions())
        assert len(quotes) <= 3
        for q in quotes:
            assert is_verbatim(q.text, segments_text(transcript, q.sentence.segment_ids))
            assert chapter.start <= q.sentence.start <= q.sentence.end <= chapter.end
            assert 8 <= word_count(q.text) <= 40 and is_complete(q.text)
            assert q.reasons and "procedural talk" not in q.reasons
        found += quotes
    assert any(q.text.startswith(spec["strong"]) for q in found)
    assert all(q.text != spec["procedural"] for q in found)


def test_seed_quote_is_proposed_without_its_leading_filler():
    spec = lecture("nl")
    transcript, chapters, _ = build(spec)
    tools = language_tools("nl")
    own = split_sentences(transcript, chapters, tools).in_chapter(1)
    texts = [q.text for q in quote_candidates(own, centrality([s.text for s in own], tools), tools, QuoteOptions())]
    assert "er gebeurden al veel goede dingen, maar te versnipperd, vrijblijvend en kleinschalig." in texts
    assert trim_filler("Eh, uhm, er gebeurde iets.", tools) == "er gebeurde iets."


def test_verbatim_check_rejects_edited_text():
    source = "Er gebeurden al veel goede dingen, maar te versnipperd."
    assert is_verbatim("veel goede dingen, maar te versnipperd.", source)
    assert not is_verbatim("veel goede dingen maar te versnipperd.", source)
    assert not is_verbatim("", source)


def test_questions_and_fragments_are_not_quotes():
    assert not is_complete("Hoe kan kunstmatige intelligentie bijdragen aan de agenda?")
    assert not is_complete("en dan gaan we verder met het volgende onderdeel van")
    assert is_complete("Data without a question is an expensive archive.")


def test_options_are_validated():
    from pipeline.core.errors import ConfigError
    with pytest.raises(ConfigError, match="min_words"):
        QuoteOptions(min_words=50, max_words=40)
