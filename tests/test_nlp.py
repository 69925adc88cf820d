"""Offline NLTK data, tokenising, stemming and cleaning spoken Dutch and English."""
from __future__ import annotations

import nltk
import pytest

from pipeline.core.errors import ConfigError
from pipeline.drafts.nlp import (
    NLTK_DATA,
    clean_spoken,
    is_procedural,
    language_tools,
    use_vendored_data,
)


def test_vendored_nltk_data_is_found_first_and_complete():
    use_vendored_data()
    assert nltk.data.path[0] == str(NLTK_DATA)
    for resource in ("tokenizers/punkt_tab/dutch/", "tokenizers/punkt_tab/english/",
                     "corpora/stopwords/dutch", "corpora/stopwords/english"):
        assert str(nltk.data.find(resource)).startswith(str(NLTK_DATA))
    assert (NLTK_DATA / "PROVENANCE.txt").is_file() and (NLTK_DATA / "corpora/stopwords/README").is_file()


def test_dutch_sentences_respect_abbreviations():
    tools = language_tools("nl")
    text = "We gebruiken o.a. sensoren, bijv. lussen in de weg. Daarna komt Dr. Jansen aan het woord. Klopt dat?"
    sentences = [text[a:b] for a, b in tools.sentence_spans(text)]
    assert sentences == ["We gebruiken o.a. sensoren, bijv. lussen in de weg.",
                         "Daarna komt Dr. Jansen aan het woord.", "Klopt dat?"]


def test_english_sentences_and_terms():
    tools = language_tools("en")
    text = "We use e.g. loop detectors. Is that right? Yes."
    assert [text[a:b] for a, b in tools.sentence_spans(text)] == ["We use e.g. loop detectors.", "Is that right?", "Yes."]
    # Stopwords and filler go, the rest is stemmed: inflections meet.
    assert tools.terms("The cities are managing the traffic, um, really well") == ["citi", "manag", "traffic"]
    assert tools.terms("city managed") == ["citi", "manag"]


def test_dutch_stemming_and_stopwords():
    tools = language_tools("nl")
    assert "de" in tools.stopwords and "jullie" in tools.stopwords
    assert tools.stem("gemeenten") == tools.stem("gemeente")
    assert tools.terms("Eh, de provincies en de gemeenten") == [tools.stem("provincies"), tools.stem("gemeente")]


@pytest.mark.parametrize("spoken, clean", [
    ("Eh, we gaan, eh, nou ja, we gaan de de ver- verkeerslichten verbeteren, eh.",
     "We gaan de verkeerslichten verbeteren."),
    ("Ik denk dat dat niet kan, uhm.", "Ik denk dat dat niet kan."),
    ("ja eh dat is een goed punt", "Dat is een goed punt"),
])
def test_clean_dutch(spoken, clean):
    assert clean_spoken(spoken, "nl") == clean


def test_clean_english_keeps_grammatical_repeats():
    assert clean_spoken("So um the the traffic uh is terrible. He had had enough.", "en") == \
        "So the traffic is terrible. He had had enough."
    assert clean_spoken("", "en") == ""


def test_procedural_talk_is_recognised():
    assert is_procedural("Dan gaan we nu naar de volgende slide.", "nl")
    assert is_procedural("Kunnen jullie me goed horen?", "nl")
    assert is_procedural("Let's move on to the next slide.", "en")
    assert not is_procedural("Er gebeurden al veel goede dingen, maar te versnipperd.", "nl")
    assert not is_procedural("Data without a question is an expensive archive.", "en")


def test_unknown_language_is_a_config_error():
    with pytest.raises(ConfigError, match="not supported"):
        language_tools("xx")
