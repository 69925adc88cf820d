"""A small hand-made processed recording (artifacts of every stage) for the review app's tests.

It lets the app be exercised without running Whisper: a generated tone as media, a Dutch
transcript with a misheard name ('krattenbundeling') and a hostile string, sentences, chapters
and drafts in the pipeline's artifact formats.
"""
from __future__ import annotations

import contextlib
import math
import re
import socket
import struct
import threading
import time
import wave
from pathlib import Path

from pipeline.artifacts.drafts import (
    ChapterDraft,
    Drafts,
    Question,
    Quote,
    RejectedDraft,
    rejection_reason,
    SummaryItem,
)
from pipeline.artifacts.manifest import (
    ListedChapter,
    Recording,
    Speaker,
    save_recording,
)
from pipeline.artifacts.sentences import Sentence, SentenceSet, sentence_id
from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.core import fsutil
from pipeline.core.config import DataPaths

# Screenshots of each state (gitignored), for a person to look at.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XSS = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"
LINES = [  # (start, end, chapter, text)
    (0.0, 4.0, 0, "Welkom bij dit open college over de krattenbundeling."),
    (4.5, 9.0, 0, "Ik ben Floris Bakermans van AT Osborne."),
    (9.5, 14.0, 0, f"Een kijker typte in de chat {XSS} en dat tonen we gewoon als tekst."),
    (15.0, 20.0, 1, "Er gebeurden al veel goede dingen, maar te versnipperd, vrijblijvend en kleinschalig."),
    (20.5, 25.0, 1, "In de Krachtenbundeling zorgen we voor meer samenhang en slagkracht."),
    (25.5, 29.0, 1, "Hoe kan je maatschappelijk human capital mobiliseren?"),
    (29.5, 34.0, 1, "Uit ervaring blijkt dat er veel kennis zit bij burgers en marktpartijen."),
]
DURATION = 36.0


def write_tone(path: Path, seconds: float = DURATION, rate: int = 8000) -> Path:
    """A quiet 220 Hz mono WAV, so the player has real media to seek in."""
    frames = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 220 * n / rate)))
                      for n in range(int(seconds * rate)))
    with fsutil.atomic_path(path) as tmp:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(frames)
    return path


def _words(start: float, end: float, text: str) -> list[Word]:
    tokens = text.split()
    step = (end - start) / len(tokens)
    return [Word(round(start + i * step, 3), round(start + (i + 1) * step, 3), " " + t) for i, t in enumerate(tokens)]


def build_sample(paths: DataPaths, slug: str = "open-college") -> Recording:
    """Write a recording with transcript, chapters, sentences and drafts into `paths`."""
    folder = paths.recording_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    write_tone(folder / "lecture.wav")
    rec = Recording(slug=slug, title="Open college Krachtenbundeling", media="lecture.wav", language="nl",
                    speakers=[Speaker("Floris Bakermans", "AT Osborne", "Programmasecretaris Smart Mobility"),
                              Speaker("Alex Smienk", "Provincie Overijssel", "Adviseur verkeersmanagement")],
                    chapters=[ListedChapter(0, "intro"), ListedChapter(15, "Uitleg programma Krachtenbundeling")])
    save_recording(paths, rec)
    work = paths.work_dir(slug)
    segments = [Segment(i, s, e, " " + t, _words(s, e, t)) for i, (s, e, _, t) in enumerate(LINES)]
    Transcript("nl", DURATION, "hand-made", "none", segments).save(work / "transcript.json")
    taken: set[str] = set()
    sentences = [Sentence(sentence_id(s, taken), ch, s, e, t, [i]) for i, (s, e, ch, t) in enumerate(LINES)]
    SentenceSet("nl", sentences).save(work / "sentences.json")
    fsutil.write_json(work / "chapters.json", {"schema_version": 1, "chapters": [
        {"index": 0, "title": "intro", "listed_start": 0.0, "start": 0.0, "end": 15.0, "segment_ids": [0, 1, 2]},
        {"index": 1, "title": "Uitleg programma Krachtenbundeling", "listed_start": 15.0, "start": 15.0,
         "end": DURATION, "segment_ids": [3, 4, 5, 6]}]})
    sample_drafts(rec, sentences).save(work / "drafts.json")
    return rec


def _summary(s: Sentence) -> SummaryItem:
    return SummaryItem(f"sum-{s.id}", s.text, s.start, s.end, s.segment_ids, s.id)


def _quote(s: Sentence, speaker: str) -> Quote:
    return Quote(f"quote-{s.id}", s.text, s.start, s.end, s.segment_ids, speaker, 0.8, ["opinion"], s.id)


def sample_drafts(rec: Recording, sentences: list[Sentence]) -> Drafts:
    """drafts.json for the sample: summaries, one quote per chapter, a question with its answer."""
    s = sentences
    chapters = [
        ChapterDraft(0, "intro", 0.0, 15.0, [_summary(s[0]), _summary(s[2])], ["open college", "krattenbundeling"],
                     [_quote(s[1], "Floris")]),
        ChapterDraft(1, "Uitleg programma Krachtenbundeling", 15.0, DURATION, [_summary(s[3]), _summary(s[4])],
                     ["samenhang", "slagkracht"], [_quote(s[3], "Floris")]),
    ]
    question = Question(f"qa-{s[5].id}", 1, s[5].text, s[5].start, s[5].end, s[5].segment_ids, s[6].text,
                        s[6].start, s[6].end, s[6].segment_ids, "Floris", s[5].id)
    return Drafts("nl", rec.title, "Floris Bakermans en Alex Smienk gaven een open college over de krattenbundeling.",
                  "Het programma bundelt de krachten van overheden.", chapters, [question],
                  {"method": "hand-made"})


def with_generated_drafts(paths: DataPaths, slug: str) -> None:
    """Mark the sample's drafts as a language-model run would leave them: one generated summary sentence,
    the page's own introduction, and two generated sentences the grounding check refused."""
    path = paths.work_dir(slug) / "drafts.json"
    drafts = Drafts.load(path)
    first = drafts.chapters[1].summary[0]
    first.source, first.model = "llm", "qwen2.5-7b"
    drafts.introduction_source = "page"
    drafts.rejected = [
        RejectedDraft(1, "Het programma kost 40 miljoen euro per jaar.", ["s000015000"],
                      [rejection_reason("numbers", items="40"),
                       rejection_reason("content_share", share="40%", items="programma, kost")], "qwen2.5-7b"),
        RejectedDraft(-1, f"Samenvatting {XSS}", [], ["name not in the transcript: Jansen"], "qwen2.5-7b"),
    ]
    drafts.save(path)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def serving(paths: DataPaths):
    """The review app on a free local port, in a thread (for the browser tests)."""
    import uvicorn

    from pipeline.review.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(paths), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JS expression (page.wait_for_function evaluates strings, which our CSP forbids)."""
    deadline = time.time() + timeout
    while not page.evaluate(expression):
        assert time.time() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


# --- the review app over the sample, as the API tests use it ----------------------------------------

LOCAL = "http://127.0.0.1:8765"
SLUG = "open-college"
JSON = {"Accept": "application/json"}


def sample_paths(tmp_path: Path) -> DataPaths:
    """A data folder holding the sample recording, processed."""
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    return paths


def app_client(paths: DataPaths, language: str | None = "en"):
    """A test client of the review app; English interface unless `language` is None (Dutch, the default),
    so assertions read like the code."""
    from fastapi.testclient import TestClient

    from pipeline.review.app import create_app

    cookies = {"review_lang": language} if language else None
    return TestClient(create_app(paths), raise_server_exceptions=False, base_url=LOCAL, cookies=cookies)


def csrf(client) -> str:
    """The page's CSRF token, which every change must carry."""
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(f"/r/{SLUG}").text).group(1)


@contextlib.contextmanager
def launched_chromium():
    """Debian's Chromium driven by Playwright; the test is skipped, saying how to install it, when it is missing."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not found: install Chromium ('sudo apt-get install chromium') for the browser tests")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# --- browser checks shared by the Playwright tests ---------------------------------------------------

def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now."""
    import pytest

    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.skip("axe-playwright-python not installed")
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def no_horizontal_scroll(page) -> None:
    """The document is no wider than the viewport (nothing to scroll sideways)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"document is {width} px wide in a {viewport} px viewport"
