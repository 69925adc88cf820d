"""Keyphrases that are noun phrases ('verkeersdata delen', 'intelligente verkeerslichten'), never a bare
verb, adjective or function word, for Dutch and English, offline and without a tagger model.

Candidates are 1-3 word runs of content words not broken by punctuation. Each word gets a part of speech
from the text itself: a word seen after an article, possessive, numeral or preposition (possibly across
adjectives) is a noun; a word seen right after a subject pronoun, after 'te'/'to' or a modal, or right
before an inverted subject ('delen we') is a verb; a word that stands right before another content word is a
modifier (adjective, or an English noun used as one); words without evidence fall back on their suffix.
A phrase must end in a noun; its other words may be adjectives or nouns. Two patterns of activity are
also phrases: noun + infinitive in Dutch ('verkeersdata delen'), gerund + noun in English ('sharing
traffic data'). Scoring (frequency x chapter specificity x length) is the one the stage always used.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.drafts.nlp import LanguageTools, is_procedural

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")

NOUN_BEFORE = {
    "nl": set("de het een deze dit die onze ons mijn hun zijn haar uw elke iedere ieder alle veel meer weinig geen "
              "welke twee drie vier vijf zes tien twaalf honderd duizend van voor in op met over naar bij door aan "
              "uit tussen zonder tegen onder achter via per rond tot".split()),
    "en": set("the a an this these those our my their your its his her every each all more many few no some "
              "two three four five ten twelve hundred of for in on with about into from by between without "
              "against under behind via per through across".split()),
}
VERB_AFTER = {  # a word right after these is a verb
    "nl": set("ik wij we jij hij zij u men te".split()),
    "en": set("i we you they he she who to can will would should must could may might cannot don't didn't "
              "doesn't won't".split()),
}
VERB_BEFORE = {"nl": set("ik wij we jij hij zij u men".split()), "en": set()}  # inversion: 'delen we'
# Modifiers too vague to open a keyphrase.
WEAK = {
    "nl": set("eigen andere ander nieuwe nieuw veel weinig goed goede grote groot kleine klein hele elke echte "
              "volgende vorige eerste laatste zelfde verschillende belangrijke belangrijk mooie mooi lastig lastige "
              "moeilijk moeilijke makkelijk simpel gewoon inmiddels bovendien daarom daardoor precies ongeveer "
              "maximaal gemiddeld alleen samen elkaar eens nooit altijd vaak soms echt wel niet ook nog al sneller "
              "eerder later verderop".split()),
    "en": set("own other new good great big small little whole next last first same different various several "
              "important real nice hard easy simple really very often always never sometimes together however "
              "therefore already still even maybe quite".split()),
}
# Function words the stopword lists miss (conjunctions, pronominal adverbs); never part of a keyphrase.
FUNCTION = {
    "nl": set("voordat zodat omdat terwijl wanneer nadat totdat tenzij hoewel alsof daarover daarna daarvoor "
              "daarmee daarbij waarover waarmee iets niets iemand niemand iedereen alles ergens nergens "
              "jaar jaren keer week dag".split()),
    "en": set("before after because although whether while unless until since whatever something nothing "
              "someone anyone everyone everything anything year years week day time times".split()),
}
# Frequent verbs of lectures (infinitive and common finite forms): verbs whatever their context says.
COMMON_VERBS = {
    "nl": set("hebben maken doen gaan komen kunnen moeten willen zorgen werken brengen delen regelen gebruiken "
              "krijgen zetten houden laten vinden denken weten geloven stellen vragen proberen beginnen helpen "
              "zien kijken horen zeggen vertellen laten leren kennen betalen oplossen opzetten oppakken aansluiten "
              "samenwerken verzamelen koppelen leveren beheren bewaren ontvangen overnemen verbinden merken praten "
              "investeren ontwikkelen opschalen verbeteren organiseren bepalen beslissen vastleggen inzetten "
              "mobiliseren verkennen ontdekken sturen rijden staan liggen zitten blijven lopen".split()),
    "en": set("make makes made do does did go goes went come comes came take takes took get gets give gives gave "
              "share shares shared use uses used collect collects collected need needs want wants know knows "
              "think thinks believe believes see sees saw say says said tell tells help helps work works "
              "keep keeps let lets show shows start starts pay pays solve solves build builds fix fixes "
              "become becomes became bring brings run runs manage manages connect connects".split()),
}
ADJ_SUFFIX = {"nl": ("ig", "lijk", "isch", "baar", "loos", "ieel", "eel"),
              "en": ("al", "ive", "ous", "able", "ible", "ful", "less", "ic", "ary")}
NOUN_SUFFIX = {"nl": ("ing", "ingen", "heid", "heden", "teit", "tie", "ties", "sie", "schap", "isme", "ment", "menten",
                      "aar", "aars", "eur", "ist", "isten", "ers", "data", "team", "teams", "licht", "lichten"),
               "en": ("tion", "tions", "ment", "ments", "ness", "ity", "ities", "ship", "ism", "ance", "ence",
                      "er", "ers", "or", "ors", "data", "team", "ics")}


@dataclass(frozen=True)
class WordClasses:
    """Per lower-cased word: counts of noun, verb and adjective evidence in a text collection."""

    noun: Counter
    verb: Counter
    adj: Counter
    capital: Counter  # written with a capital away from a sentence start (names, acronyms)


def word_classes(texts: list[str], tools: LanguageTools) -> WordClasses:
    """Collect part-of-speech evidence for every word of the texts (see the module docstring)."""
    lang = tools.code if tools.code in NOUN_BEFORE else "en"
    noun, verb, adj, capital = Counter(), Counter(), Counter(), Counter()
    pairs: list[tuple[str, str]] = []  # (modifier?, next content word), decided once verbs are known
    for text in texts:
        tokens = [(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        for i, (word, low, start, end) in enumerate(tokens):
            if not tools.is_content(low):
                continue
            prev = tokens[i - 1][1] if i else ""
            nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if i and word[:1].isupper() and text[tokens[i - 1][3]:start].strip() not in (".", "?", "!", ":"):
                capital[low] += 1
            if prev in VERB_AFTER[lang] or nxt in VERB_BEFORE[lang]:
                verb[low] += 1
            joined = bool(nxt) and not text[end:tokens[i + 1][2]].strip()
            if (joined and tools.is_content(nxt) and nxt not in FUNCTION[lang] and nxt not in NOUN_BEFORE[lang]
                    and nxt not in WEAK[lang] and not nxt.endswith("ly")):
                pairs.append((low, nxt))
                continue
            back = i - 1  # walk back over modifiers to an article, numeral or preposition
            while back >= 0 and i - back <= 3 and tools.is_content(tokens[back][1]) and (
                    lang == "en" or _adjective_form(tokens[back][1], lang)):
                back -= 1
            if 0 <= back < i and tokens[back][1] in NOUN_BEFORE[lang]:
                noun[low] += 1
    for low, nxt in pairs:
        if lang == "nl" and nxt.endswith("en") and (verb[nxt] or nxt in COMMON_VERBS["nl"]):
            noun[low] += 1  # 'verkeersdata delen': a noun before a verb, not a modifier
        else:
            adj[low] += 1  # a modifier: an adjective, or (English) a noun used as one
    return WordClasses(noun, verb, adj, capital)


def _adjective_form(word: str, lang: str) -> bool:
    if lang == "nl":
        return (word.endswith("e") and not word.endswith(("ie", "ee"))) or word.endswith(ADJ_SUFFIX["nl"])
    return word.endswith(ADJ_SUFFIX["en"]) or word.endswith("ing")


def word_class(word: str, classes: WordClasses, lang: str) -> str:
    """'noun', 'verb' or 'adj' for a lower-cased content word, from its evidence, else its form."""
    n, v, a = classes.noun[word], classes.verb[word], classes.adj[word]
    if word in COMMON_VERBS.get(lang, ()):
        return "verb"
    if classes.capital[word] and not v:
        return "noun"
    if v > n or (v and v == n and word.endswith("en")):
        return "verb"
    # Dutch modifiers are adjectives when they look like one; English nouns modify nouns ('traffic data').
    if a and a >= n and ((lang == "nl" and _adjective_form(word, lang)) or (lang != "nl" and n == 0)):
        return "adj"
    if n:
        return "noun"
    if word.endswith(NOUN_SUFFIX.get(lang, ())) or word.isupper():
        return "noun"
    if lang == "nl":
        if word.endswith(("en", "t", "d")) and len(word) < 10:
            return "verb"  # 'delen', 'werkt', 'zorgt'; long -en words are mostly compound plurals
        return "adj" if _adjective_form(word, lang) else "noun"
    if word.endswith(("ed", "ing", "ly", "es")) and not word.endswith(("ies", "ses")):
        return "verb"
    return "adj" if _adjective_form(word, lang) else "noun"


def is_noun_phrase(words: list[str], classes: WordClasses, lang: str) -> bool:
    """Whether lower-cased content words form a keyphrase: [adj|noun]* noun, or the activity patterns
    noun + infinitive (nl) and gerund + noun (en); never opened by a vague modifier."""
    if not words or words[0] in WEAK.get(lang, set()) or any(
            len(w) < 3 or w.isdigit() or w in FUNCTION[lang] or w in NOUN_BEFORE[lang] for w in words):
        return False
    kinds = [word_class(w, classes, lang) for w in words]
    if len(words) == 1:  # a single word needs evidence of being a noun (not mostly a modifier), or a noun's form
        w = words[0]
        if kinds[0] != "noun" or classes.adj[w] > classes.noun[w] + classes.capital[w]:
            return False
        if lang == "nl" and _adjective_form(w, lang) and classes.noun[w] < 2:
            return False  # 'juiste', 'goede': adjectives used without their noun
        return (classes.noun[w] > 0 or classes.capital[w] > 0 or w.isupper() or w.endswith(NOUN_SUFFIX[lang])
                or (lang == "nl" and len(w) >= 10 and w.endswith("en")))
    if kinds[-1] == "noun" and all(k in ("noun", "adj") for k in kinds[:-1]):
        return True
    if lang == "nl" and len(words) == 2 and kinds[0] == "noun" and words[1] in COMMON_VERBS["nl"]:
        return True
    return lang == "en" and len(words) >= 2 and words[0].endswith("ing") and kinds[-1] == "noun"


def _phrases(text: str, tools: LanguageTools, classes: WordClasses) -> list[tuple[tuple[str, ...], str]]:
    """(stems, surface) of every 1-3 word noun phrase in a run of content words not broken by punctuation."""
    lang = tools.code if tools.code in NOUN_BEFORE else "en"
    found: list[tuple[tuple[str, ...], str]] = []
    run: list[re.Match] = []
    for match in list(_TOKEN.finditer(text)) + [None]:
        joined = match and run and text[run[-1].end():match.start()].strip() == ""
        content = match and tools.is_content(match.group().lower()) and len(match.group()) > 2
        if content and (joined or not run):
            run.append(match)
            continue
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                part = run[i:i + n]
                words = [m.group().lower() for m in part]
                if not is_noun_phrase(words, classes, lang):
                    continue
                surface = text[part[0].start():part[-1].end()]
                if not text[:part[0].start()].strip(" \"'“‘(") and not classes.capital[words[0]]:
                    surface = surface[:1].lower() + surface[1:]  # a sentence-start capital says nothing
                found.append((tuple(tools.stem(w) for w in words), surface))
        run = [match] if content else []
    return found


def keyphrases(texts: list[str], tools: LanguageTools, n: int, chapter_idf: dict[str, float],
               classes: WordClasses | None = None, exclude: frozenset[str] = frozenset()) -> list[str]:
    """Up to n noun-phrase keyphrases of a chapter: frequent phrases weighted by how specific their
    stems are to this chapter (chapter_idf), longer phrases preferred; no phrase overlaps another, and a
    single word gives way to a frequent longer phrase it heads ('verkeerslichten' -> 'intelligente
    verkeerslichten'). `classes` is the part-of-speech evidence (default: from `texts`; pass the whole
    recording's); phrases with a word in `exclude` (lower case, e.g. speakers' names) are left out."""
    classes = classes or word_classes(texts, tools)
    counts: Counter[tuple[str, ...]] = Counter()
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    first: dict[tuple[str, ...], int] = {}
    for text in texts:
        if is_procedural(text, tools.code):
            continue
        for stems, surface in _phrases(text, tools, classes):
            if exclude and any(w.lower() in exclude for w in surface.split()):
                continue
            counts[stems] += 1
            surfaces.setdefault(stems, Counter())[surface] += 1
            first.setdefault(stems, len(first))

    def score(key: tuple[str, ...]) -> float:
        specific = sum(chapter_idf.get(s, 1.0) for s in key) / len(key)
        return counts[key] * specific * (1 + 0.6 * (len(key) - 1))
    # A multi-word phrase must recur to count as a phrase rather than a chance neighbourhood.
    ranked = sorted((k for k in counts if len(k) == 1 or counts[k] >= 2), key=lambda k: (-score(k), first[k]))
    chosen: list[tuple[str, ...]] = []
    for key in ranked:
        if len(chosen) >= n:
            break
        longer = [k for k in ranked if len(k) > 1 and key[0] in k and counts[k] * 3.5 >= counts[key]]
        key = longer[0] if len(key) == 1 and longer else key
        if any(set(key) & set(c) or _nested(key, c) for c in chosen):
            continue
        chosen.append(key)
    return [_surface(surfaces[k]) for k in chosen]


def _nested(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one phrase's stems are inside a word of the other ('data' in 'verkeersdata')."""
    ja, jb = "".join(a), "".join(b)
    return ja in jb or jb in ja


def _surface(forms: Counter[str]) -> str:
    """The most frequent spelling, preferring lower case where the phrase is ever written so
    (a capital then only came from a sentence start); names keep their capitals."""
    lower = [(f, c) for f, c in forms.items() if f == f.lower()]
    return sorted(lower or forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
