"""Drafts stage cost on a synthetic 2-hour Dutch lecture, against transcription time.

Writes bench/drafts.json and prints a short table. The transcription real-time factor to compare
with comes from bench/results.json (the lead's transcription bench, pipeline default run) when it
exists; otherwise an RTF of 0.05 is assumed and said so. Target: drafts < 2% of transcription time.
Run: .venv/bin/python -m bench.drafts_bench
"""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from pipeline.artifacts.manifest import Recording, Speaker
from pipeline.artifacts.sentences import ChapterSpan
from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.core import fsutil
from pipeline.drafts.stage import page_draft, run
from pipeline.publish.page import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[1]
ASSUMED_RTF = 0.05
HOURS = 2.0
WORDS_PER_MINUTE = 150
VOCABULARY = (
    "provincie gemeente wegbeheerder verkeer verkeersmanagement data datateam mobiliteit slimme duurzame "
    "samenwerking programma regio oost krachtenbundeling kennis mensen budget evenement verkeerslicht "
    "platform sensoren knelpunt opgave aanpak cluster overheid markt burgers planning uitrol pilot"
).split()
GLUE = "de het een we ik jullie dat is zijn met voor in op aan van en maar ook niet wel meer dan om te".split()
OPENERS = ["Ik denk dat", "Volgens mij moeten we", "We zien dat", "In de regio", "Dan gaan we nu naar",
           "Het belangrijkste is dat", "Samen met de provincie"]


def synthetic_lecture(seed: int = 0) -> tuple[Transcript, list[ChapterSpan], Recording]:
    """A 2-hour lecture: 8 chapters (the last a Q&A), Whisper-like 13-word segments with word times."""
    rng = random.Random(seed)
    total_words = int(HOURS * 60 * WORDS_PER_MINUTE)
    seconds_per_word = 60.0 / WORDS_PER_MINUTE
    words: list[Word] = []
    chapter_of: list[int] = []
    t = 0.0
    while len(words) < total_words:
        chapter = min(7, len(words) * 8 // total_words)
        question = chapter == 7 and rng.random() < 0.2
        body = [rng.choice(VOCABULARY if rng.random() < 0.45 else GLUE) for _ in range(rng.randint(6, 22))]
        tokens = ("Hoe kunnen we".split() if question else rng.choice(OPENERS).split()) + body
        tokens[-1] += "?" if question else "."
        for token in tokens:
            words.append(Word(round(t, 3), round(t + seconds_per_word * 0.9, 3), " " + token))
            chapter_of.append(chapter)
            t += seconds_per_word
        t += 0.4
    segments, chapters = [], []
    for index in range(8):
        own = [w for w, c in zip(words, chapter_of) if c == index]
        first = len(segments)
        for i in range(0, len(own), 13):
            chunk = own[i:i + 13]
            segments.append(Segment(len(segments), chunk[0].start, chunk[-1].end, "".join(w.word for w in chunk), chunk))
        ids = tuple(range(first, len(segments)))
        title = "Vragen uit de zaal" if index == 7 else f"Hoofdstuk {index + 1}"
        chapters.append(ChapterSpan(index, title, own[0].start, 0.0, ids, " ".join(segments[i].text.strip() for i in ids)))
    ends = [c.start for c in chapters[1:]] + [round(t, 3)]
    chapters = [ChapterSpan(c.index, c.title, c.start, e, c.segment_ids, c.text) for c, e in zip(chapters, ends)]
    recording = Recording(slug="bench-2h", title="Synthetisch college", media="bench.mp4", language="nl",
                          date="2024-06-14", speakers=[Speaker("Floris Bakermans", "AT Osborne")])
    return Transcript("nl", round(t, 3), "synthetic", "none", segments), chapters, recording


def transcription_rtf() -> tuple[float, str]:
    """(RTF, where it came from): the pipeline-default run of bench/results.json, else the assumption."""
    path = ROOT / "bench" / "results.json"
    try:
        results = fsutil.read_json(path)
        results = results.get("runs", []) if isinstance(results, dict) else results
        runs = [r for r in results if isinstance(r, dict) and r.get("rtf")]
    except (OSError, ValueError, TypeError):
        runs = []
    if runs:
        # the 2-hour run when there is one, else the longest input's default run
        defaults = [r for r in runs if "pipeline default" in r.get("name", "")] or runs
        best = max(defaults, key=lambda r: r.get("audio_seconds", 0))
        return float(best["rtf"]), f"bench/results.json: {best.get('name', '?')}"
    return ASSUMED_RTF, f"assumed (no bench/results.json); RTF {ASSUMED_RTF}"


def main() -> dict:
    """Time the drafts stage core and its writes on the synthetic lecture; write bench/drafts.json."""
    transcript, chapters, recording = synthetic_lecture()
    started = time.perf_counter()
    sentences, drafts = run(transcript, chapters, recording)
    core = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        page = page_draft(drafts, recording, "bench.mp4")
        sentences.save(Path(tmp) / "sentences.json")
        drafts.save(Path(tmp) / "drafts.json")
        fsutil.write_text(Path(tmp) / "page.md", render_markdown(page))
        fsutil.write_text(Path(tmp) / "page.html", render_html(page))
    total = time.perf_counter() - started
    rtf, source = transcription_rtf()
    transcription = transcript.duration * rtf
    result = {
        "audio_seconds": transcript.duration, "words": len(transcript.words()), "sentences": len(sentences.sentences),
        "chapters": len(chapters), "drafts_core_seconds": round(core, 3), "drafts_total_seconds": round(total, 3),
        "transcription_rtf": rtf, "rtf_source": source, "transcription_seconds": round(transcription, 1),
        "drafts_share_of_transcription": round(total / transcription, 5), "target_share": 0.02,
        "meets_target": total / transcription < 0.02,
    }
    fsutil.write_json(ROOT / "bench" / "drafts.json", result)
    print(f"{'synthetic lecture':<34} {transcript.duration / 3600:.2f} h, {result['words']} words, "
          f"{result['sentences']} sentences, {len(chapters)} chapters")
    print(f"{'drafts stage (core / with writes)':<34} {core:.2f} s / {total:.2f} s")
    print(f"{'transcription at RTF ' + str(rtf):<34} {transcription:.0f} s  ({source})")
    print(f"{'drafts share of transcription':<34} {100 * total / transcription:.2f} %  (target < 2 %: "
          f"{'met' if result['meets_target'] else 'NOT met'})")
    return result


if __name__ == "__main__":
    main()
