"""Scoring transcripts (tests and benchmarks): word error rate with an eye on lost speech: deletions, the longest deleted run, and where runs were missed.

    score(reference, hypothesis, language) -> dict
    word_error_rate(reference, hypothesis, language) -> float
    missed_runs(reference, hyp_a, hyp_b, language) -> runs of >= 5 reference words A deletes but B has

Normalisation (same for both sides, kept simple): Unicode NFKC, lower case, accents stripped,
'%' -> the word (procent/percent), hyphens and slashes split words, other punctuation removed,
integers written out as words (Dutch: one word as written, "eenentwintig"; English: "twenty one").
Alignment: plain Levenshtein over words (unit costs), backtrace preferring match/substitution.
If the reference has one clip per line, runs also report which lines (clips) they fall in.
"""
from __future__ import annotations

import re
import unicodedata

MIN_RUN = 5

# ------------------------------------------------------------------ normalisation
_NL_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
             "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]
_NL_TENS = ["", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_PERCENT = {"nl": "procent", "en": "percent"}


def _nl_number(n: int) -> str:
    if n < 20:
        return _NL_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _NL_TENS[tens] if unit == 0 else _NL_UNITS[unit] + "en" + _NL_TENS[tens]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "honderd" if hundreds == 1 else _NL_UNITS[hundreds] + "honderd"
        return head + (_nl_number(rest) if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = "duizend" if thousands == 1 else _nl_number(thousands) + "duizend"
        return head + (" " + _nl_number(rest) if rest else "")
    return str(n)


def _en_number(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + ("" if unit == 0 else " " + _EN_UNITS[unit])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _EN_UNITS[hundreds] + " hundred" + (" " + _en_number(rest) if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        return _en_number(thousands) + " thousand" + (" " + _en_number(rest) if rest else "")
    return str(n)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize(text: str, language: str) -> list[str]:
    """Text -> list of normalised words."""
    lang = (language or "en")[:2].lower()
    text = _strip_accents(unicodedata.normalize("NFKC", text).lower())
    text = text.replace("%", f" {_PERCENT.get(lang, 'percent')} ")
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)  # 1.000 / 1,000 -> 1000
    text = re.sub(r"[-/\u2010-\u2015]", " ", text)
    text = re.sub(r"['\u2019`]", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    speak = _nl_number if lang == "nl" else _en_number
    text = re.sub(r"\d+", lambda m: f" {speak(int(m.group()))} ", text)
    return text.split()


# ------------------------------------------------------------------ alignment
def align(ref: list[str], hyp: list[str]) -> list[tuple[str, int, int]]:
    """Levenshtein alignment: [(op, ref index or -1, hyp index or -1)], op in C/S/D/I, in reference order."""
    n, m = len(ref), len(hyp)
    # rows of costs; back pointers as bytes per row (0 diag, 1 up=deletion, 2 left=insertion)
    prev = list(range(m + 1))
    back = [bytearray([2] * (m + 1))]
    back[0][0] = 0
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        ptr = bytearray(m + 1)
        ptr[0] = 1
        r = ref[i - 1]
        for j in range(1, m + 1):
            diag = prev[j - 1] + (0 if r == hyp[j - 1] else 1)
            up = prev[j] + 1
            left = cur[j - 1] + 1
            if diag <= up and diag <= left:
                cur[j], ptr[j] = diag, 0
            elif up <= left:
                cur[j], ptr[j] = up, 1
            else:
                cur[j], ptr[j] = left, 2
        back.append(ptr)
        prev = cur
    ops = []
    i, j = n, m
    while i > 0 or j > 0:
        p = back[i][j] if (i > 0 and j > 0) else (1 if i > 0 else 2)
        if p == 0:
            ops.append(("C" if ref[i - 1] == hyp[j - 1] else "S", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif p == 1:
            ops.append(("D", i - 1, -1))
            i -= 1
        else:
            ops.append(("I", -1, j - 1))
            j -= 1
    ops.reverse()
    return ops


def _line_of_words(reference: str, language: str) -> list[int]:
    """For each normalised reference word, the index of the (non-empty) line it came from."""
    lines = [ln for ln in reference.splitlines() if ln.strip()]
    out = []
    for k, line in enumerate(lines):
        out.extend([k] * len(normalize(line, language)))
    return out


def _runs(flags: list[bool], min_len: int) -> list[tuple[int, int]]:
    """Maximal runs [start, end) of True of at least min_len."""
    runs, start = [], None
    for k, f in enumerate(flags + [False]):
        if f and start is None:
            start = k
        elif not f and start is not None:
            if k - start >= min_len:
                runs.append((start, k))
            start = None
    return runs


def _describe(runs, ref_words, lines):
    return [{"ref_start": a, "ref_end": b, "words": b - a, "text": " ".join(ref_words[a:b]),
             "lines": [lines[a], lines[b - 1]] if lines else None} for a, b in runs]


# ------------------------------------------------------------------ public API
def score(reference: str, hypothesis: str, language: str, min_run: int = MIN_RUN) -> dict:
    """WER and its parts, the longest deleted run of reference words, and the deleted runs >= min_run."""
    ref, hyp = normalize(reference, language), normalize(hypothesis, language)
    ops = align(ref, hyp)
    counts = {k: sum(1 for o in ops if o[0] == k) for k in "CSDI"}
    deleted = [False] * len(ref)
    for op, i, _j in ops:
        if op == "D":
            deleted[i] = True
    all_runs = _runs(deleted, 1)
    lines = _line_of_words(reference, language)
    lines = lines if len(lines) == len(ref) else None
    errors = counts["S"] + counts["D"] + counts["I"]
    return {
        "ref_words": len(ref), "hyp_words": len(hyp),
        "wer": round(errors / max(1, len(ref)), 4),
        "substitutions": counts["S"], "deletions": counts["D"], "insertions": counts["I"], "correct": counts["C"],
        "longest_deleted_run": max((b - a for a, b in all_runs), default=0),
        "missed_runs": _describe([r for r in all_runs if r[1] - r[0] >= min_run], ref, lines),
    }


def _deleted_flags(ref, hyp):
    flags = [False] * len(ref)
    for op, i, _j in align(ref, hyp):
        if op == "D":
            flags[i] = True
    return flags


def missed_runs(reference: str, hyp_a: str, hyp_b: str, language: str, min_run: int = MIN_RUN) -> list[dict]:
    """Runs of >= min_run consecutive reference words that A deletes but B does not (B has a word there)."""
    ref = normalize(reference, language)
    da = _deleted_flags(ref, normalize(hyp_a, language))
    db = _deleted_flags(ref, normalize(hyp_b, language))
    lines = _line_of_words(reference, language)
    lines = lines if len(lines) == len(ref) else None
    return _describe(_runs([a and not b for a, b in zip(da, db)], min_run), ref, lines)


def word_error_rate(reference: str, hypothesis: str, language: str = "nl") -> float:
    """(substitutions + deletions + insertions) / reference words, after the normalisation above."""
    return score(reference, hypothesis, language)["wer"]


if __name__ == "__main__":  # quick self-check
    r = "De plant van de aardappel is giftig.\nZet de helderheid van de Staande Lamp 50 procent\nhoe laat is het"
    h = "De plant van de aardappel is giftig. Zet de helderheid op 50%. Hoe laat is het? extra"
    s = score(r, h, "nl")
    assert normalize("Zee-engte, 50% en 21!", "nl") == ["zee", "engte", "vijftig", "procent", "en", "eenentwintig"]
    assert s["deletions"] == 3 and s["substitutions"] == 1 and s["insertions"] == 1, s
    assert s["longest_deleted_run"] == 3 and s["missed_runs"] == []
    s2 = score(r, "De plant. Hoe laat is het", "nl")
    assert s2["longest_deleted_run"] == 14 and s2["missed_runs"][0]["lines"] == [0, 1], s2
    m = missed_runs(r, "De plant. Hoe laat is het", h, "nl")
    # A loses "van de aardappel is giftig zet de helderheid (van)"; B has those (B's own loss overlaps, not counted)
    assert m[0]["text"].startswith("van de aardappel is giftig zet de helderheid") and len(m) == 1, m
    print("score.py self-check ok", s)
