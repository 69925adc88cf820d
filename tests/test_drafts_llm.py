"""Grounded abstractive drafting (pipeline/drafts/llm.py, grounding.py) and where page media links point.

The only mock here is the language model: a small HTTP server (http.server in a thread on 127.0.0.1) that
speaks the chat-completions protocol and answers with canned sentences built from the numbered transcript
sentences it is sent: some supported, some with a wrong number, an invented name, content that is not in
the cited sentence, or a citation of a sentence that does not exist. Everything else is real: the official
`openai` client talks to it over HTTP, and the real chapters and drafts stages run through the real runner.
"""
from __future__ import annotations

import json
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture  # noqa: E402

from pipeline.artifacts.drafts import load_drafts  # noqa: E402
from pipeline.artifacts.manifest import save_recording  # noqa: E402
from pipeline.artifacts.sentences import load_sentences  # noqa: E402
from pipeline.chapters import stage as chapters_stage  # noqa: E402
from pipeline.core.config import DataPaths  # noqa: E402
from pipeline.drafts import stage as drafts_stage  # noqa: E402
from pipeline.drafts.grounding import Generated, parse_generated, verify  # noqa: E402
from pipeline.drafts.llm import LlmSettings, public_url, settings_from_env, windows  # noqa: E402
from pipeline.drafts.nlp import language_tools  # noqa: E402
from pipeline.publish.export import export  # noqa: E402
from pipeline.publish.page import media_location, moment_link, site_media_url  # noqa: E402
from pipeline.runner.run import RunLog, run_recording  # noqa: E402

pytest.importorskip("openai")

NL = language_tools("nl")


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch):
    """Each test starts without a language model or site media URL, whatever the shell has set."""
    for name in ("PIPELINE_LLM_URL", "PIPELINE_LLM_MODEL", "PIPELINE_LLM_KEY", "PIPELINE_LLM_CONTEXT",
                 "PIPELINE_LLM_TIMEOUT", "PIPELINE_MEDIA_URL"):
        monkeypatch.delenv(name, raising=False)

SOURCES = {
    1: "Het programma Krachtenbundeling Smart Mobility is in 2018 opgericht door het Rijk en de provincies.",
    2: "We merken dat gemeenten vaak te weinig mensen hebben voor verkeersmanagement en slimme mobiliteit.",
    3: "In regio Oost werken de provincies Overijssel en Gelderland samen met de gemeenten.",
}


# ---------------------------------------------------------------- the verifier, directly

def _check(text: str, cited: tuple[int, ...], known: frozenset[str] = frozenset()):
    return verify(Generated(text, cited), SOURCES, NL, known)


def test_supported_sentences_pass():
    assert _check("Het programma Krachtenbundeling werd in 2018 door het Rijk en de provincies opgericht.", (1,)).supported
    combined = _check("Gemeenten in Overijssel en Gelderland hebben te weinig mensen voor verkeersmanagement.", (2, 3))
    assert combined.supported and combined.content_share >= 0.7
    # a name the recording knows (a speaker) may be used; a compound made of cited words counts as said
    assert _check("Floris vertelt dat gemeenten te weinig mensen hebben.", (2,), frozenset({"floris"})).supported
    assert _check("Gemeenten hebben te weinig mensen voor mobiliteitsverkeersmanagement.", (2,)).supported


@pytest.mark.parametrize("text, cited, reason", [
    ("Het programma Krachtenbundeling is in 2019 opgericht door het Rijk.", (1,), "number"),      # wrong number
    ("Volgens Pieter Zwartkop hebben gemeenten te weinig mensen.", (2,), "name"),               # invented name
    ("De provincies Overijssel en Gelderland bouwen nieuwe snelwegen en fietstunnels.", (3,), "content words"),
    ("Gemeenten hebben te weinig mensen voor verkeersmanagement.", (2, 9), "do not exist"),       # no sentence 9
    ("Gemeenten hebben te weinig mensen voor verkeersmanagement.", (), "cites no sentence"),
    # true, but not in the sentence it cites
    ("Het programma Krachtenbundeling is in 2018 opgericht.", (3,), "number"),
])
def test_unsupported_sentences_are_rejected_with_a_reason(text, cited, reason):
    verdict = _check(text, cited)
    assert not verdict.supported and any(reason in r for r in verdict.reasons), verdict


def test_answers_are_parsed_into_sentences_with_their_citations():
    answer = ("1. Het programma is in 2018 opgericht [1].\n"
              "- Gemeenten hebben te weinig mensen [2, 3]. Dat is een probleem. [2]\n\n"
              "Samenwerking in Oost [zin 3-4]\nZonder bron.")
    assert parse_generated(answer, NL) == [
        Generated("Het programma is in 2018 opgericht.", (1,)),
        Generated("Gemeenten hebben te weinig mensen.", (2, 3)),
        Generated("Dat is een probleem.", (2,)),
        Generated("Samenwerking in Oost", (3, 4)),
        Generated("Zonder bron.", ()),
    ]


def test_settings_are_off_by_default_and_never_carry_the_key():
    assert not settings_from_env({}).enabled and settings_from_env({}).params() == {}
    on = settings_from_env({"PIPELINE_LLM_URL": "http://user:secret@localhost:11434/v1",
                            "PIPELINE_LLM_MODEL": "llama3.1", "PIPELINE_LLM_KEY": "sk-secret"})
    assert on.enabled and "secret" not in json.dumps(on.params()) and "secret" not in repr(on)
    assert on.params()["llm"]["url"] == "http://localhost:11434/v1" == public_url(on.url)


def test_long_chapters_are_sent_in_windows_within_the_context_budget():
    _, _, _, _, sentence_set = _lecture_sentences()
    parts = windows(sentence_set.sentences, 400)
    assert len(parts) > 1 and [s for w in parts for s in w] == sentence_set.sentences
    assert all(sum(len(s.text) + 8 for s in w) <= 400 or len(w) == 1 for w in parts)


def _lecture_sentences():
    from drafts_fixture import lecture_sentences
    return lecture_sentences("nl")


# ---------------------------------------------------------------- a chat-completions server on 127.0.0.1

NUMBERED = re.compile(r"^\[(\d+)\] (.+)$", re.M)


def canned_answer(prompt: str) -> str:
    """Sentences built from the numbered sentences: supported first, then one of each kind of failure."""
    numbered = {int(n): t for n, t in NUMBERED.findall(prompt)}
    longest = max(numbered, key=lambda n: len(numbered[n]))
    body = numbered[longest].rstrip(".?!")
    shorter = body.split(" ", 1)[1]
    return "\n".join([
        f"{shorter[:1].upper()}{shorter[1:]} [{longest}].",                     # supported (not a verbatim copy)
        f"{body}, zegt Pieter Zwartkop [{longest}].",                           # invented name
        f"{body} sinds 1987 [{longest}].",                                      # wrong number
        f"Walvissen zwemmen elke winter naar Antarctica om krill te eten [{longest}].",  # not said
        f"{body} [{len(numbered) + 40}].",                                      # no such sentence
    ])


class ChatServer:
    """http.server in a thread answering POST /v1/chat/completions; `mode` picks the answer."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "canned"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if server.mode == "error":
                    return self._send(500, {"error": {"message": "model crashed", "type": "server_error"}})
                if server.mode == "garbage":
                    return self._send(200, {"unexpected": True})
                content = canned_answer(body["messages"][-1]["content"])
                self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                                 "model": body["model"], "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

            def _send(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def chat():
    with ChatServer() as server:
        yield server


def _setup(tmp_path):
    transcript, _, recording = build(lecture("nl"))
    paths = DataPaths(tmp_path / "data")
    save_recording(paths, recording)
    transcript.save(paths.work_dir(recording.slug) / "transcript.json")
    return paths, recording.slug


def _run(paths, slug):
    results = run_recording(paths, slug, [chapters_stage.STAGE, drafts_stage.STAGE])
    assert results[-1].status in ("ran", "skipped"), results
    work = paths.work_dir(slug)
    return results[-1].status, load_drafts(work / "drafts.json"), RunLog(work / "run.json").stage("drafts")


def test_stage_keeps_supported_sentences_and_reports_the_rest(tmp_path, chat, monkeypatch):
    paths, slug = _setup(tmp_path)
    _, offline, _ = _run(paths, slug)
    monkeypatch.setenv("PIPELINE_LLM_URL", chat.url)
    monkeypatch.setenv("PIPELINE_LLM_MODEL", "fake-model")
    monkeypatch.setenv("PIPELINE_LLM_KEY", "sk-test-key")
    status, drafts, entry = _run(paths, slug)
    assert status == "ran", "switching the model on re-drafts"
    assert chat.requests and all(r["path"] == "/v1/chat/completions" and r["body"]["model"] == "fake-model"
                                 and r["auth"] == "Bearer sk-test-key" for r in chat.requests)
    assert "[1] " in chat.requests[0]["body"]["messages"][-1]["content"]
    sentences = load_sentences(paths.work_dir(slug) / "sentences.json").by_id()
    generated = [s for c in drafts.chapters for s in c.summary if s.source == "llm"]
    assert generated and all(s.model == "fake-model" and s.cited for s in generated)
    for item in generated:  # what was kept says what its cited sentences say, at their time
        cited = [sentences[i] for i in item.cited]
        assert item.text.rstrip(".").lower() in " ".join(s.text for s in cited).lower()
        assert (item.start, item.end) == (cited[0].start, cited[-1].end)
    reasons = " | ".join(r for x in drafts.rejected for r in x.reasons)
    for reason in ("name(s) not in the cited", "number(s) not in the cited", "content words", "do not exist"):
        assert reason in reasons
    assert not any("Zwartkop" in s.text or "1987" in s.text or "Walvissen" in s.text
                   for c in drafts.chapters for s in c.summary)
    # the extractive draft stands in for what was rejected
    assert any(s.source == "extractive" for c in drafts.chapters for s in c.summary)
    assert all(x.model == "fake-model" and x.reasons for x in drafts.rejected)
    assert any("rejected" in w and "extractive draft stands in" in w for w in entry["summary"]["warnings"])
    # quotes are never generated: the same verbatim transcript quotes as offline
    assert [q for c in drafts.chapters for q in c.quotes] == [q for c in offline.chapters for q in c.quotes]
    assert drafts.provenance["llm"]["model"] == "fake-model"
    # the recording's summary paragraph is written from the chapter summaries, checked the same way
    assert (drafts.summary_source, drafts.summary_model) == ("llm", "fake-model") and drafts.summary != offline.summary
    assert any(x.chapter_index == -1 for x in drafts.rejected)
    page = (paths.work_dir(slug) / "page.md").read_text(encoding="utf-8")
    assert drafts.summary.split(" ")[0] in page and "Zwartkop" not in page
    assert "sk-test-key" not in (paths.work_dir(slug) / "run.json").read_text(encoding="utf-8")
    assert "sk-test-key" not in (paths.work_dir(slug) / "drafts.json").read_text(encoding="utf-8")
    monkeypatch.setenv("PIPELINE_LLM_KEY", "another-key")
    assert _run(paths, slug)[0] == "skipped", "the key is not a parameter"


@pytest.mark.parametrize("mode", ["error", "garbage", "unreachable"])
def test_endpoint_failure_is_one_warning_and_the_extractive_drafts(tmp_path, chat, monkeypatch, mode):
    paths, slug = _setup(tmp_path)
    _, offline, _ = _run(paths, slug)
    chat.mode = mode
    url = chat.url
    if mode == "unreachable":  # a port nothing listens on
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    monkeypatch.setenv("PIPELINE_LLM_URL", url)
    monkeypatch.setenv("PIPELINE_LLM_MODEL", "fake-model")
    monkeypatch.setenv("PIPELINE_LLM_TIMEOUT", "5")
    status, drafts, entry = _run(paths, slug)
    assert status == "ran" and drafts.to_json() == offline.to_json()
    warnings = entry["summary"]["warnings"]
    assert len(warnings) == 1 and "fake-model" in warnings[0] and "kept the extractive drafts" in warnings[0]


def test_llm_settings_dataclass_is_off_without_a_model():
    assert not LlmSettings(url="http://localhost:11434/v1").enabled


# ---------------------------------------------------------------- media links on the page

def test_media_links_are_relative_to_the_page_or_under_the_site_media_url(tmp_path, monkeypatch):
    media = tmp_path / "data" / "recordings" / "talk" / "a b.mp4"
    assert media_location(media, tmp_path / "data" / "work" / "talk", "talk") == "../../recordings/talk/a b.mp4"
    assert media_location(media, tmp_path / "site", "talk") == "../data/recordings/talk/a b.mp4"
    site = media_location(media, tmp_path / "x", "talk", "https://media.example.org/lectures/")
    assert moment_link(site, 65.4) == "https://media.example.org/lectures/talk/a%20b.mp4#t=65"
    assert site_media_url({"PIPELINE_MEDIA_URL": "javascript:alert(1)"}) == ""
    assert site_media_url({"PIPELINE_MEDIA_URL": " https://media.example.org/x "}) == "https://media.example.org/x"


def test_page_and_export_links_resolve_from_where_they_are_written(tmp_path, monkeypatch):
    paths, slug = _setup(tmp_path)
    _run(paths, slug)
    md = (paths.work_dir(slug) / "page.md").read_text(encoding="utf-8")
    assert "](../../recordings/open-college-nl/lecture.mp4#t=30)" in md
    out = tmp_path / "site" / "colleges" / "page.md"
    export(paths, slug, "md", out, allow_empty=True)
    link = re.search(r"\]\(([^)#]+)#t=30\)", out.read_text(encoding="utf-8")).group(1)
    assert (out.parent / link).resolve() == (paths.recording_dir(slug) / "lecture.mp4").resolve()
    monkeypatch.setenv("PIPELINE_MEDIA_URL", "https://media.example.org/lectures/")
    status, _, _ = _run(paths, slug)
    assert status == "ran", "a site media URL re-renders the page"
    html = (paths.work_dir(slug) / "page.html").read_text(encoding="utf-8")
    assert 'href="https://media.example.org/lectures/open-college-nl/lecture.mp4#t=30"' in html
    export(paths, slug, "html", tmp_path / "site" / "page.html", allow_empty=True)
    exported = (tmp_path / "site" / "page.html").read_text(encoding="utf-8")
    assert 'href="https://media.example.org/lectures/open-college-nl/lecture.mp4#t=30"' in exported
