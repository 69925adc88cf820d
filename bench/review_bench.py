"""Review app benchmark: how fast `pipeline review` serves the recording page of a 2-hour lecture.

Builds a synthetic 2-hour Dutch lecture in the pipeline's artifact formats (transcript.json with word
times, chapters.json with 15 chapters, sentences.json and drafts.json from the real drafts stage core;
no Whisper), adds a realistic amount of review work (approvals, edits, transcript corrections, rules,
glossary terms) to review.sqlite, serves the app with uvicorn on a local port and times GET /r/<slug>
over HTTP, both repeated (from the page cache) and right after each editor action (a cache miss: the
page's script refetches it after every action). Target: p95 under 50 ms for both. Writes bench/review.json.
Run: .venv/bin/python -m bench.review_bench [--requests 200]
"""
from __future__ import annotations

import argparse
import http.client
import logging
import os
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.drafts_bench import GLUE, OPENERS, VOCABULARY, WORDS_PER_MINUTE
from pipeline.artifacts.chapters import Chapter, Chapters, Piece
from pipeline.artifacts.drafts import Drafts
from pipeline.artifacts.manifest import (
    ListedChapter,
    Recording,
    Speaker,
    save_recording,
)
from pipeline.artifacts.sentences import ChapterSpan, SentenceSet
from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.drafts.stage import run as draft
from pipeline.editorial.store import ReviewStore

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench-2h"
HOURS = 2.0
CHAPTERS = 15
TARGET_P95_MS = 50.0


def unsure(rng: random.Random) -> float:
    """A word's probability as Whisper gives it on clear speech: mostly sure, about 4 % under 0.5."""
    return round(rng.uniform(0.1, 0.5), 3) if rng.random() < 0.04 else round(rng.uniform(0.7, 1.0), 3)


def lecture(seed: int = 0) -> tuple[Transcript, list[Chapter]]:
    """Whisper-like segments of a 2-hour talk (13 words, word times) in 15 equal chapters, the last a Q&A."""
    rng = random.Random(seed)
    total = int(HOURS * 60 * WORDS_PER_MINUTE)
    step = 60.0 / WORDS_PER_MINUTE
    words: list[tuple[int, Word]] = []
    t = 0.0
    while len(words) < total:
        chapter = min(CHAPTERS - 1, len(words) * CHAPTERS // total)
        question = chapter == CHAPTERS - 1 and rng.random() < 0.25
        body = [rng.choice(VOCABULARY if rng.random() < 0.45 else GLUE) for _ in range(rng.randint(4, 13))]
        tokens = (["Hoe", "kunnen", "we"] if question else rng.choice(OPENERS).split()) + body
        tokens[-1] += "?" if question else "."
        for token in tokens:
            words.append((chapter, Word(round(t, 3), round(t + step * 0.9, 3), " " + token, unsure(rng))))
            t += step
        t += 0.4
    segments: list[Segment] = []
    chapters: list[Chapter] = []
    word_index = 0
    for index in range(CHAPTERS):
        own = [w for c, w in words if c == index]
        first = len(segments)
        for i in range(0, len(own), 13):
            chunk = own[i:i + 13]
            segments.append(Segment(len(segments), chunk[0].start, chunk[-1].end, "".join(w.word for w in chunk), chunk))
        mine = segments[first:]
        title = "Vragen uit de zaal" if index == CHAPTERS - 1 else f"Hoofdstuk {index + 1}: {rng.choice(VOCABULARY)}"
        pieces = [Piece(s.id, 0, s.start, s.end, s.text.strip(), 0, len(s.words)) for s in mine]
        chapters.append(Chapter(index, title, own[0].start, own[0].start, 0.0, [s.id for s in mine],
                                " ".join(p.text for p in pieces), len(own), [], {}, word_index,
                                word_index + len(own), pieces))
        word_index += len(own)
    duration = round(t, 3)
    ends = [c.start for c in chapters[1:]] + [duration]
    chapters = [replace(c, end=end) for c, end in zip(chapters, ends)]
    return Transcript("nl", duration, "synthetic", "none", segments), chapters


def build(paths: DataPaths) -> dict:
    """Write the recording, its artifacts and a review database into `paths`; returns their sizes."""
    transcript, chapters = lecture()
    folder = paths.recording_dir(SLUG)
    folder.mkdir(parents=True, exist_ok=True)
    fsutil.write_bytes(folder / "lecture.mp4", b"")  # the page never reads the media
    recording = Recording(slug=SLUG, title="Synthetisch college van twee uur", media="lecture.mp4", language="nl",
                          date="2024-06-14", speakers=[Speaker("Floris Bakermans", "AT Osborne"),
                                                       Speaker("Alex Smienk", "Provincie Overijssel")],
                          chapters=[ListedChapter(c.start, c.title) for c in chapters])
    save_recording(paths, recording)
    work = paths.work_dir(SLUG)
    transcript.save(work / "transcript.json")
    Chapters(SLUG, "recording.yaml", transcript.duration, chapters, [], {}).save(work / "chapters.json")
    spans = [ChapterSpan(c.index, c.title, c.start, c.end, tuple(c.segment_ids), c.text) for c in chapters]
    sentences, drafts = draft(transcript, spans, recording)
    sentences.save(work / "sentences.json")
    drafts.save(work / "drafts.json")
    review_work(paths, sentences.sentences, drafts)
    return {"audio_seconds": transcript.duration, "segments": len(transcript.segments),
            "words": len(transcript.words()), "sentences": len(sentences.sentences), "chapters": len(chapters),
            "draft_items": sum(len(c.summary) + len(c.quotes) + 1 for c in drafts.chapters) + len(drafts.questions)}


def review_work(paths: DataPaths, sentences, drafts) -> None:
    """What a team has done halfway through a review: half the items decided, 40 sentences corrected."""
    store = ReviewStore(paths.review_db)
    rng = random.Random(1)
    items = [("summary_sentence", s) for c in drafts.chapters for s in c.summary]
    items += [("quote", q) for c in drafts.chapters for q in c.quotes]
    for kind, item in items[::2]:
        action = rng.choice(["approve", "approve", "reject", "edit"])
        store.set_item(SLUG, kind, item.id, action, source_text=item.text, editor="Anne", expected_version=0,
                       text=item.text.replace(".", "!") if action == "edit" else None)
    for sentence in rng.sample(sentences, 40):
        store.correct_sentence(SLUG, sentence.id, source_text=sentence.text, editor="Bert", expected_version=0,
                               text=sentence.text.replace("provincie", "Provincie Overijssel"))
    store.add_rule(SLUG, "datateam", "data-team", "Anne")
    store.add_rule(SLUG, "krachtenbundeling", "Krachtenbundeling", "Anne")
    for term in ("Krachtenbundeling", "iVRI", "Smart Mobility", "Floris Bakermans", "Overijssel"):
        store.add_term(term, "Anne")


def measure(url_host: str, port: int, requests: int) -> tuple[list[float], int]:
    """Milliseconds of each GET of the recording page (one keep-alive connection, like a browser), and
    the page's size in bytes."""
    conn = http.client.HTTPConnection(url_host, port, timeout=30)
    timings, body = [], b""
    try:
        for n in range(requests + 5):
            started = time.perf_counter()
            conn.request("GET", f"/r/{SLUG}", headers={"Accept": "text/html"})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200 or b'id="transcript"' not in body:
                raise RuntimeError(f"GET /r/{SLUG} answered {response.status}")
            if n >= 5:  # the first requests warm caches and templates
                timings.append(elapsed)
    finally:
        conn.close()
    return timings, len(body)


def edits(paths: DataPaths):
    """Editor actions, endlessly, as the page's buttons make them: approving and reopening a summary
    sentence, and correcting a transcript sentence (which changes its chapter of the transcript column)."""
    store = ReviewStore(paths.review_db)
    item = Drafts.load(paths.work_dir(SLUG) / "drafts.json").chapters[3].summary[1]
    sentence = SentenceSet.load(paths.work_dir(SLUG) / "sentences.json").sentences[700]
    n = 0
    while True:
        stored = store.item(SLUG, "summary_sentence", item.id)
        store.set_item(SLUG, "summary_sentence", item.id, "reopen" if n % 2 else "approve", source_text=item.text,
                       editor="Anne", expected_version=stored.version if stored else 0)
        yield "approve or reopen an item"
        stored = store.item(SLUG, "sentence", sentence.id)
        store.correct_sentence(SLUG, sentence.id, source_text=sentence.text, editor="Bert",
                               expected_version=stored.version if stored else 0, text=f"{sentence.text} ({n})")
        yield "correct a transcript sentence"
        n += 1


def measure_after_changes(paths: DataPaths, host: str, port: int, rounds: int) -> dict[str, list[float]]:
    """Milliseconds of the GET that follows each change (what the page's script fetches after an action),
    by kind of change: the page cannot come from the cache then, so it is built and rendered afresh."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    timings: dict[str, list[float]] = {}
    actions = edits(paths)
    try:
        for _ in range(rounds):
            kind = next(actions)
            started = time.perf_counter()
            conn.request("GET", f"/r/{SLUG}", headers={"Accept": "text/html"})
            response = conn.getresponse()
            response.read()
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"GET /r/{SLUG} answered {response.status}")
    finally:
        conn.close()
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(timings: list[float]) -> dict:
    """Count, p50, p95, max and mean of request timings in milliseconds."""
    return {"requests": len(timings), "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1), "max_ms": round(max(timings), 1),
            "mean_ms": round(statistics.fmean(timings), 1)}


def main(requests: int = 200) -> dict:
    """Build the lecture, serve it, time the page; write bench/review.json."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from review_fixture import (
        serving,  # the app on a free local port, as the browser tests run it
    )

    logging.getLogger("pipeline").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        started = time.perf_counter()
        sizes = build(paths)
        built = time.perf_counter() - started
        with serving(paths) as url:
            host, port = url.removeprefix("http://").split(":")
            timings, page_bytes = measure(host, int(port), requests)
            changed = measure_after_changes(paths, host, int(port), max(20, requests // 2))
    after = [t for kind in changed.values() for t in kind]
    result = {**sizes, "build_seconds": round(built, 1), "page_bytes": page_bytes, "target_p95_ms": TARGET_P95_MS,
              "cached": {**summary(timings), "note": "repeated GETs while nothing changed: from the page cache"},
              "after_edit": {**summary(after), "by_action": {kind: summary(t) for kind, t in changed.items()},
                             "note": "the GET right after each editor action (the page's script refetches "
                                     "the page): a page-cache miss, built from the review database and "
                                     "rendered afresh, re-rendering only the transcript chapters and draft "
                                     "cards the action changed"},
              "meets_target": max(percentile(timings, 0.95), percentile(after, 0.95)) < TARGET_P95_MS,
              "cpus": os.cpu_count(), "load_average": [round(x, 1) for x in os.getloadavg()]}
    fsutil.write_json(ROOT / "bench" / "review.json", result)
    print(f"recording page of a {sizes['audio_seconds'] / 3600:.1f} h lecture ({sizes['sentences']} sentences, "
          f"{sizes['chapters']} chapters, {sizes['draft_items']} draft items), target p95 < {TARGET_P95_MS:.0f} ms: "
          f"cached p50 {result['cached']['p50_ms']} ms, p95 {result['cached']['p95_ms']} ms; right after an edit "
          f"p50 {result['after_edit']['p50_ms']} ms, p95 {result['after_edit']['p95_ms']} ms "
          f"(load average {result['load_average'][0]} on {result['cpus']} CPUs)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    main(parser.parse_args().requests)
