"""Search benchmark: a synthetic 1,000-hour archive (~700,000 sentence rows, 80% Dutch, 20% English).

Text is drawn from a Zipfian vocabulary built from real language: the NLTK stopword lists (the
most frequent words of speech), the words of the real published lecture page in shared/seed (or,
without it, a built-in domain list), and compounds of those words for the long tail that Dutch
speech has; known phrases ('human capital', 'slimme mobiliteit', ...) are mixed in so phrase
queries have real hits. Every recording is indexed with the stage's own code path
(pipeline.index.fts5_store.replace_recording) and queried with pipeline.index.api.search.

Run: .venv/bin/python -m bench.search_bench [--hours 1000] -> bench/search.json and a table.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import time
from pathlib import Path

from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.stemming import words
from pipeline.drafts.nlp import language_tools
from pipeline.index import fts5
from pipeline.index.api import SearchFilters, search
from pipeline.index.backend import IndexRow, RecordingDoc
from pipeline.index.fts5_store import connect, replace_recording

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "shared" / "seed" / "open-college-krachtenbundeling.txt"
ROWS_PER_HOUR = 700  # Whisper segments of ~5 s
DOMAIN = {
    "nl": ("mobiliteit verkeer wegbeheerder wegbeheerders provincie gemeente samenwerking samenwerken "
           "programma regio data datateams verkeersmanagement verkeerslichten fiets fietsers auto "
           "infrastructuur onderhoud planning kosten duurzaam slimme opgave opgaven overheid overheden "
           "markt kennisinstellingen burgers ideeën uitdagingen krachtenbundeling college vraag antwoord "
           "project projecten aanpak veiligheid bereikbaarheid logistiek parkeren openbaar vervoer"),
    "en": ("mobility traffic road authority province city cooperation collaboration programme region data "
           "management lights bicycle car infrastructure maintenance planning costs sustainable smart "
           "government market knowledge citizens ideas challenges lecture question answer project "
           "approach safety accessibility logistics parking public transport country people future"),
}
PHRASES = {
    "nl": ["human capital", "slimme mobiliteit", "regionale datateams", "openbaar vervoer",
           "publieke data", "duurzame mobiliteit", "samen aan de slag"],
    "en": ["human capital", "smart mobility", "public transport", "road safety", "open data"],
}
SPEAKERS = [f"{first} {last}" for first in ("Floris", "Alex", "Anna", "Sanne", "Pieter", "Eva", "Tom", "Lisa",
                                            "Mark", "Inge", "John", "Mary", "Ruben", "Femke", "Joost")
            for last in ("Bakermans", "Smienk", "de Vries", "Jansen", "Bakker", "Visser", "Smith",
                         "Mulder", "Peters", "Hendriks")]


def vocabulary(language: str, rng: random.Random) -> list[str]:
    """Words in frequency order: stopwords, then content words, then a long tail of compounds."""
    stop = sorted(language_tools(language).stopwords)
    rng.shuffle(stop)
    content = DOMAIN[language].split()
    if language == "nl" and SEED.is_file():
        content += [w for w in words(SEED.read_text(encoding="utf-8")) if len(w) > 3 and not w.isdigit()]
    content = list(dict.fromkeys(content))
    rng.shuffle(content)
    heads = content[:200]
    tail = {a + b for a in heads for b in heads if a != b}
    return list(dict.fromkeys(stop + content + sorted(tail)))[:20000]


class TextMaker:
    """Random spoken-style sentences of one language, Zipfian word frequencies (s ~ 1)."""

    def __init__(self, language: str, seed: int):
        self.rng = random.Random(seed)
        self.language = language
        self.vocab = vocabulary(language, self.rng)
        self.cum = []
        total = 0.0
        for rank in range(1, len(self.vocab) + 1):
            total += 1.0 / rank ** 1.05
            self.cum.append(total)

    def sentence(self) -> str:
        n = max(3, min(40, int(self.rng.gauss(14, 6))))
        chosen = self.rng.choices(self.vocab, cum_weights=self.cum, k=n)
        if self.rng.random() < 0.03:
            chosen.insert(self.rng.randrange(len(chosen)), self.rng.choice(PHRASES[self.language]))
        return " ".join(chosen).capitalize() + self.rng.choice(".?.!.")


def archive(hours: int, seed: int = 7):
    """RecordingDocs of a synthetic archive: one hour of speech per recording."""
    makers = {"nl": TextMaker("nl", seed), "en": TextMaker("en", seed + 1)}
    rng = random.Random(seed)
    for number in range(hours):
        language = "en" if number % 5 == 4 else "nl"
        maker = makers[language]
        speakers = rng.sample(SPEAKERS, rng.randint(1, 3))
        chapters = {i: maker.sentence().rstrip(".?!")[:60] for i in range(8)}
        rows = []
        for i in range(ROWS_PER_HOUR):
            start = i * 3600 / ROWS_PER_HOUR
            rows.append(IndexRow(f"s{round(start * 1000):09d}", i * 8 // ROWS_PER_HOUR, start, start + 4.8,
                                 maker.sentence(), speakers[(i // 40) % len(speakers)]))
        yield RecordingDoc(slug=f"lecture-{number:04d}", title=f"Open college {number}",
                           date=f"{2015 + number % 9}-{1 + number % 12:02d}-{1 + number % 28:02d}",
                           language=language, media="lecture.mp4", source="sentences",
                           chapters=chapters, rows=rows)


def build(paths: DataPaths, hours: int) -> dict:
    """Index the archive; generation time is measured apart from indexing time."""
    docs, generate = [], time.perf_counter()
    docs = list(archive(hours))
    generate = time.perf_counter() - generate
    rows, started, cpu = 0, time.perf_counter(), time.process_time()
    fts5.Fts5Backend(paths).ensure()
    conn = connect(paths.index_db)
    try:
        for doc in docs:
            rows += replace_recording(conn, doc)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = sum(p.stat().st_size for p in paths.root.glob("index.sqlite*"))
    return {"recordings": hours, "rows": rows, "generate_s": round(generate, 1), "build_s": round(seconds, 1),
            "rows_per_s": round(rows / seconds), "rows_per_cpu_s": round(rows / cpu),
            "load_average": round(os.getloadavg()[0], 1), "index_mb": round(size / 2**20, 1),
            "bytes_per_row": round(size / rows)}


def query_sets(rng: random.Random, hours: int) -> dict[str, list[tuple[str, dict]]]:
    """Queries a researcher would type, per category, with the filters of the filtered ones."""
    nl, en = TextMaker("nl", 7).vocab, TextMaker("en", 8).vocab
    start = len(language_tools("nl").stopwords)
    content = nl[start:start + 300] + en[len(language_tools("en").stopwords):][:100]
    one = [rng.choice(content) for _ in range(60)] + DOMAIN["nl"].split()[:20]
    two = [f"{rng.choice(content)} {rng.choice(content)}" for _ in range(80)]
    phrases = [f'"{p}"' for p in PHRASES["nl"] + PHRASES["en"]]
    phrases = (phrases * 7)[:80]
    slugs = [f"lecture-{i:04d}" for i in range(hours)]
    filtered = [(q, {"recording": (rng.choice(slugs),)}) for q in one[:40]]
    filtered += [(q, {"speaker": rng.choice(SPEAKERS)}) for q in two[:40]]
    common = [rng.choice(nl[:30]) for _ in range(20)]
    common_pairs = [f"{rng.choice(nl[:30])} {rng.choice(nl[:30])}" for _ in range(20)]
    return {"one_word": [(q, {}) for q in one], "two_words": [(q, {}) for q in two],
            "phrase": [(q, {}) for q in phrases], "filtered": filtered, "stopword_worst_case": [(q, {}) for q in common],
            "common_pairs": [(q, {}) for q in common_pairs]}


def measure(paths: DataPaths, queries: list[tuple[str, dict]]) -> dict:
    """Median and p95 latency (ms) of top-20 searches, each after one warm-up run."""
    times, hits, notes = [], [], 0
    for query, filters in queries:
        search(paths, query, SearchFilters(limit=20, **filters))
    for query, filters in queries:
        started = time.perf_counter()
        found = search(paths, query, SearchFilters(limit=20, **filters))
        times.append((time.perf_counter() - started) * 1000)
        hits.append(len(found))
        notes += bool(found.note)
    times.sort()
    return {"queries": len(times), "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
            "max_ms": round(times[-1], 1), "with_hits": sum(1 for h in hits if h),
            "ranked_capped": notes}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=1000, help="recordings of one hour (default 1000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    root = HERE / "work" / "search"
    shutil.rmtree(root, ignore_errors=True)
    paths = DataPaths(root)
    result = {"build": build(paths, args.hours), "latency": {}}
    for name, queries in query_sets(random.Random(11), args.hours).items():
        result["latency"][name] = measure(paths, queries)
    fsutil.write_json(HERE / "search.json", result)
    b = result["build"]
    print(f"index: {b['rows']} rows from {b['recordings']} h in {b['build_s']} s = {b['rows_per_s']} rows/s "
          f"({b['rows_per_cpu_s']} rows per CPU-second, load average {b['load_average']}), "
          f"{b['index_mb']} MB ({b['bytes_per_row']} B/row)")
    print(f"{'query':<22}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'with hits':>11}{'capped':>8}")
    for name, m in result["latency"].items():
        print(f"{name:<22}{m['queries']:>5}{m['median_ms']:>11}{m['p95_ms']:>9}{m['max_ms']:>9}{m['with_hits']:>11}"
              f"{m['ranked_capped']:>8}")
    return result


if __name__ == "__main__":
    main()
