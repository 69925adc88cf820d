"""Render a replay page (page.md, page.html) in the seed's structure, in the recording's language.

Shared by the drafts stage (the machine draft) and the review app's export (approved, corrected
items): both build a PageDraft and call render_markdown / render_html. Rendering is pure: the same
PageDraft gives byte-identical output.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from pipeline.recording import Speaker, format_hms

# Section headings and fixed phrases per language; the seed page is Dutch.
LABELS = {
    "nl": {
        "title_prefix": "Terugkijken: ", "introduction": "Introductie", "contents": "Inhoudsopgave",
        "contents_hint": "Klik op de link om naar het betreffende fragment te gaan.",
        "summary": "Samenvatting", "questions": "Openstaande Q&A", "speakers": "Sprekers",
        "question": "Vraag", "answer": "Antwoord", "says": "vertelt",
    },
    "en": {
        "title_prefix": "Watch again: ", "introduction": "Introduction", "contents": "Contents",
        "contents_hint": "Click a link to go to that part of the recording.",
        "summary": "Summary", "questions": "Open Q&A", "speakers": "Speakers",
        "question": "Question", "answer": "Answer", "says": "says",
    },
}
TITLE_PREFIX = re.compile(r"^(terugkijken|terugblik|watch again|replay)\s*:\s*", re.I)
SAFE_SCHEMES = {"", "http", "https"}


@dataclass(frozen=True)
class PageChapter:
    """A line of the chapter table: start (seconds), title and the link to that moment ('' = none)."""

    start: float
    title: str
    link: str = ""


@dataclass(frozen=True)
class PageQuote:
    """A quote shown in the summary section, with its speaker ('' when unknown)."""

    text: str
    speaker: str = ""


@dataclass(frozen=True)
class PageQuestion:
    """An audience question and its answer ('' when unanswered) with who answered ('' when unknown)."""

    question: str
    answer: str = ""
    answer_speaker: str = ""


@dataclass(frozen=True)
class PageDraft:
    """Everything a replay page shows. `language` picks the headings ('nl' or 'en'; others use 'en')."""

    language: str
    title: str
    introduction: str = ""
    chapters: list[PageChapter] = field(default_factory=list)
    summary: str = ""
    quotes: list[PageQuote] = field(default_factory=list)
    questions: list[PageQuestion] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)


def labels(language: str) -> dict[str, str]:
    """The headings and phrases for a language (English for languages without their own)."""
    return LABELS.get(language, LABELS["en"])


def moment_link(media_url: str, seconds: float) -> str:
    """A link to a moment in the recording: a W3C media fragment (#t=seconds) on the media URL."""
    return f"{quote(media_url, safe='/:._-~')}#t={int(seconds)}"


def page_title(page: PageDraft) -> str:
    """The page title with the language's prefix ('Terugkijken: ...'), never doubled."""
    bare = TITLE_PREFIX.sub("", page.title.strip())
    return labels(page.language)["title_prefix"] + bare


def quote_line(item: PageQuote, language: str) -> str:
    """'"Text," vertelt Floris.' as on the seed page; just '"Text"' without a speaker."""
    text = " ".join(item.text.split())
    if not item.speaker:
        return f"\u201c{text}\u201d"
    if text.endswith("."):
        text = text[:-1] + ","
    elif not text.endswith((",", "?", "!")):
        text += ","
    return f"\u201c{text}\u201d {labels(language)['says']} {item.speaker}."


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _safe_link(link: str) -> str:
    """The link if it is relative or http(s); '' otherwise (no javascript: or data: URLs on a page)."""
    try:
        scheme = urlsplit(link.strip()).scheme.lower()
    except ValueError:
        return ""
    return link.strip() if link.strip() and scheme in SAFE_SCHEMES else ""


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: str) -> str:
    """Escape text so a Markdown renderer shows it literally (no HTML, links, emphasis or lists)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_link_target(link: str) -> str:
    return link.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def render_markdown(page: PageDraft) -> str:
    """The page as Markdown, sections in the seed's order; empty sections are left out."""
    lab = labels(page.language)
    out = [f"# {md_escape(page_title(page))}", ""]
    if page.introduction.strip():
        out += [f"## {lab['introduction']}", ""] + [x for p in _paragraphs(page.introduction) for x in (md_escape(p), "")]
    if page.chapters:
        out += [f"## {lab['contents']}", "", md_escape(lab["contents_hint"]), ""]
        for ch in page.chapters:
            label = f"{format_hms(ch.start)} - {md_escape(' '.join(ch.title.split()))}"
            link = _safe_link(ch.link)
            out.append(f"- [{label}]({_md_link_target(link)})" if link else f"- {label}")
        out.append("")
    if page.summary.strip() or page.quotes:
        out += [f"## {lab['summary']}", ""] + [x for p in _paragraphs(page.summary) for x in (md_escape(p), "")]
        out += [x for q in page.quotes for x in ("> " + md_escape(quote_line(q, page.language)), "")]
    if page.questions:
        out += [f"## {md_escape(lab['questions'])}", ""]
        for qa in page.questions:
            out += [f"**{lab['question']}:** {md_escape(' '.join(qa.question.split()))}", ""]
            if qa.answer.strip():
                who = f" {md_escape(qa.answer_speaker)}" if qa.answer_speaker else ""
                out += [f"**{lab['answer']}{who}:** {md_escape(' '.join(qa.answer.split()))}", ""]
    if page.speakers:
        out += [f"## {lab['speakers']}", ""]
        for sp in page.speakers:
            lines = [f"**{md_escape(sp.name)}**"] + [md_escape(x) for x in (sp.organisation, sp.role) if x]
            out += ["  \n".join(lines), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- HTML

def _e(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=True)


def _html_sections(page: PageDraft) -> list[str]:
    lab = labels(page.language)
    out: list[str] = []
    if page.introduction.strip():
        out += [f"<h2>{_e(lab['introduction'])}</h2>"] + [f"<p>{_e(p)}</p>" for p in _paragraphs(page.introduction)]
    if page.chapters:
        out += [f"<h2>{_e(lab['contents'])}</h2>", f"<p>{_e(lab['contents_hint'])}</p>", '<ul class="chapters">']
        for ch in page.chapters:
            label = _e(f"{format_hms(ch.start)} - {ch.title}")
            link = _safe_link(ch.link)
            out.append(f'<li><a href="{html.escape(link, quote=True)}">{label}</a></li>' if link else f"<li>{label}</li>")
        out.append("</ul>")
    if page.summary.strip() or page.quotes:
        out += [f"<h2>{_e(lab['summary'])}</h2>"] + [f"<p>{_e(p)}</p>" for p in _paragraphs(page.summary)]
        out += [f"<blockquote><p>{_e(quote_line(q, page.language))}</p></blockquote>" for q in page.quotes]
    if page.questions:
        out += [f"<h2>{_e(lab['questions'])}</h2>"]
        for qa in page.questions:
            out.append(f"<p><strong>{_e(lab['question'])}:</strong> {_e(qa.question)}</p>")
            if qa.answer.strip():
                who = f" {_e(qa.answer_speaker)}" if qa.answer_speaker else ""
                out.append(f"<p><strong>{_e(lab['answer'])}{who}:</strong> {_e(qa.answer)}</p>")
    if page.speakers:
        out += [f"<h2>{_e(lab['speakers'])}</h2>", '<ul class="speakers">']
        for sp in page.speakers:
            parts = [f"<strong>{_e(sp.name)}</strong>"] + [_e(x) for x in (sp.organisation, sp.role) if x]
            out.append("<li>" + "<br>".join(parts) + "</li>")
        out.append("</ul>")
    return out


def render_html(page: PageDraft) -> str:
    """The page as a standalone HTML5 document; every text and link is escaped."""
    title = _e(page_title(page))
    lang = html.escape(page.language or "en", quote=True)
    head = [
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        f"<title>{title}</title>", "</head>", "<body>", "<article>", f"<h1>{title}</h1>",
    ]
    return "\n".join(head + _html_sections(page) + ["</article>", "</body>", "</html>"]) + "\n"
