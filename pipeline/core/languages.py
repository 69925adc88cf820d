"""The languages the pipeline handles, one table: ISO 639-1 code -> NLTK's name for it.

NLTK's name picks the Snowball stemmer, the stopword list and the punkt sentence model; punkt and
stopwords are vendored for the languages in VENDORED (pipeline/drafts/nltk_data), the others fall back
to English sentence rules.
"""
from __future__ import annotations

NLTK_NAMES = {"nl": "dutch", "en": "english", "de": "german", "fr": "french"}
LANGUAGES = frozenset(NLTK_NAMES)
VENDORED = frozenset({"nl", "en"})


def nltk_name(code: str, default: str | None = "english") -> str | None:
    """NLTK's name for a language code ('nl' -> 'dutch'); `default` for one we do not know."""
    return NLTK_NAMES.get(code, default)
