"""Keyphrases: the drafts stage's noun-phrase method against YAKE, on Dutch and English lecture chapters.

Each chapter has a hand-made gold list of the subjects an editor would name. A predicted phrase counts
as correct when it names a gold subject: same head (last stem) and one's stems contained in the other's.
Also counted: 'non-phrases', predictions that are, or open or close with, a verb, adjective, adverb or
function word (hand-listed below), e.g. 'regio Oost werken'. Writes bench/drafts_keyphrases.json.
Run: .venv/bin/python -m bench.keyphrases_compare
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "fixtures" / "lecture"), str(ROOT / "tests" / "fixtures" / "drafts")]

import make_lecture  # noqa: E402
from drafts_fixture import lecture  # noqa: E402

from pipeline.drafts.keyphrases import keyphrases, word_classes  # noqa: E402
from pipeline.drafts.nlp import language_tools  # noqa: E402

K = 6
GOLD = {
    ("nl", "test lecture", 1): ["intelligente verkeerslichten", "verkeerscentrale", "kruispunten", "gemeenten",
                                "wegbeheerders", "data", "provincie Utrecht", "bussen", "fietsers", "regelingen"],
    ("nl", "test lecture", 2): ["verkeersdata delen", "verkeersdata", "regionaal datateam", "wegbeheerders",
                                "knelpunten", "eigenaar", "gemeenten", "kwaliteit", "privacy", "dashboards"],
    ("nl", "test lecture", 3): ["verkeerskundigen", "regionale pool", "kennis", "mensen", "gemeenten",
                                "hogescholen", "kosten", "verkeerscentrale", "vakmensen"],
    ("nl", "test lecture", 4): ["onderhoud", "verkeerscentrale", "privacy", "verkeersdata", "kennis", "gemeenten",
                                "marktpartijen", "dataplatform", "fietsers"],
    ("nl", "fixture", 1): ["slimme mobiliteit", "Krachtenbundeling", "publieke data", "wegbeheerders",
                           "regionale datateams", "Human Capital agenda", "samenwerking", "clusters", "NTM", "iVRI's"],
    ("nl", "fixture", 2): ["regio Oost", "verkeersmanagement", "gemeenten", "provincies", "slimme mobiliteit",
                           "regionaal verkeersmanagementteam", "samenwerking", "wegbeheerders", "kennis"],
    ("en", "fixture", 1): ["traffic data", "congestion", "cities", "loop detectors", "cameras", "question",
                           "traffic management", "archive", "network", "delays", "intersections"],
    ("en", "fixture", 2): ["data", "municipalities", "team", "platform", "expertise", "traffic data", "cities"],
}
NON_PHRASES = {  # words that are no subject on their own: verbs, adjectives, adverbs, function words
    "nl": set("delen werken zijn hebben gaan kunnen moeten zorgen maken krijgen geeft praten betalen meededen "
              "intelligente slimme goede regionale eigen publieke gezamenlijke eenvoudig sneller eerder "
              "inmiddels bovendien daarom echt eigenlijk zo nu dan twee drie per voordat zodat open paar middag hangen "
              "terugkomen praat samen vertrekt zaal driehonderd ene één".split()),
    "en": set("collect collects share shares make fix use believe think clear smaller whole far more just now "
              "suddenly firmly good afternoon everyone welcome open lot and connected left time".split()),
}


def chapters() -> list[tuple[tuple[str, str, int], list[str], list[str]]]:
    """(key, chapter sentences, all sentences of the lecture) for every chapter with a gold list."""
    out = []
    test = [[s for s, _ in sentences] for _, sentences in make_lecture.CHAPTERS]
    for (lang, source, index) in GOLD:
        if source == "test lecture":
            out.append(((lang, source, index), test[index], [s for c in test for s in c]))
        else:
            spec = lecture(lang)
            texts = [c["sentences"] for c in spec["chapters"]]
            out.append(((lang, source, index), texts[index], [s for c in texts for s in c]))
    return out


def ours(texts: list[str], lecture_texts: list[str], lang: str) -> list[str]:
    tools = language_tools(lang)
    return keyphrases(texts, tools, K, {}, word_classes(lecture_texts, tools))


def yake_phrases(texts: list[str], lang: str) -> list[str]:
    try:
        import yake
    except ImportError:  # not a dependency of the pipeline: only this comparison uses it
        raise SystemExit("pip install yake (>=0.4) to run this comparison") from None
    extractor = yake.KeywordExtractor(lan=lang, n=3, top=K, dedupLim=0.7)
    return [k for k, _ in extractor.extract_keywords(" ".join(texts))]


def _stems(phrase: str, lang: str) -> list[str]:
    tools = language_tools(lang)
    return [tools.stem(w) for w in tools.words(phrase) if tools.is_content(w)] or [phrase.lower()]


def matches(pred: str, gold: str, lang: str) -> bool:
    """Same head stem, and one phrase's stems inside the other's."""
    p, g = _stems(pred, lang), _stems(gold, lang)
    return p[-1] == g[-1] and (set(p) <= set(g) or set(g) <= set(p))


def score(pred: list[str], gold: list[str], lang: str) -> dict:
    correct = [p for p in pred if any(matches(p, g, lang) for g in gold)]
    found = [g for g in gold if any(matches(p, g, lang) for p in pred)]
    # A bare non-subject word, or a phrase opened or closed by one (a gold phrase is always fine).
    bad = [p for p in pred if p not in gold and ({p.lower().split()[0], p.lower().split()[-1]} & NON_PHRASES[lang])]
    return {"predicted": pred, "precision": round(len(correct) / max(1, len(pred)), 3),
            "gold_found": round(len(found) / len(gold), 3), "non_phrases": bad}


def main() -> dict:
    rows, totals = [], {}
    for (lang, source, index), texts, whole in chapters():
        gold = GOLD[(lang, source, index)]
        t0 = time.perf_counter()
        a = ours(texts, whole, lang)
        t1 = time.perf_counter()
        b = yake_phrases(texts, lang)
        t2 = time.perf_counter()
        a_s, b_s = score(a, gold, lang), score(b, gold, lang)
        tops = sorted(set(a) | set(b))
        c = [p for p in tops if p in a and any(matches(p, q, lang) for q in b)][:K]  # agreement of both
        rows.append({"language": lang, "text": f"{source} chapter {index}", "gold": gold, "ours": a_s, "yake": b_s,
                     "both_agree": c, "ms": {"ours": round((t1 - t0) * 1000, 2), "yake": round((t2 - t1) * 1000, 2)}})
        for name, s in (("ours", a_s), ("yake", b_s)):
            agg = totals.setdefault(f"{name}_{lang}", {"precision": [], "gold_found": [], "non_phrases": 0})
            agg["precision"].append(s["precision"])
            agg["gold_found"].append(s["gold_found"])
            agg["non_phrases"] += len(s["non_phrases"])
    summary = {k: {"precision": round(sum(v["precision"]) / len(v["precision"]), 3),
                   "gold_found": round(sum(v["gold_found"]) / len(v["gold_found"]), 3),
                   "non_phrases": v["non_phrases"]} for k, v in sorted(totals.items())}
    result = {"k": K, "summary": summary, "chapters": rows,
              "method": "precision: share of the top-k that name a gold subject; gold_found: share of gold named"}
    (ROOT / "bench" / "drafts_keyphrases.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                                                           encoding="utf-8")
    for k, v in summary.items():
        print(f"{k:10s} precision {v['precision']:.2f}  gold found {v['gold_found']:.2f}  non-phrases {v['non_phrases']}")
    return result


if __name__ == "__main__":
    main()
