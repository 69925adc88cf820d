"""Render a replay page (page.md, page.html) in the seed's structure, in the recording's language.

Shared by the drafts stage (the machine draft) and the review app's export (approved, corrected
items): both build a PageDraft and call render_markdown / render_html. Rendering is pure: the same
PageDraft gives byte-identical output.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from pipeline.artifacts.manifest import Speaker
from pipeline.core.timecode import format_hms

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


MEDIA_URL_ENV = "PIPELINE_MEDIA_URL"


def site_media_url(environ: Mapping[str, str] | None = None) -> str:
    """The site's media URL from PIPELINE_MEDIA_URL ('' when unset): where published pages find the media,
    as <media_url>/<slug>/<media file>. Only http(s) URLs are used."""
    url = (os.environ if environ is None else environ).get(MEDIA_URL_ENV, "").strip()
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else ""


def media_location(media_file: str | Path, page_dir: str | Path, slug: str, media_url: str = "") -> str:
    """Where a page written in `page_dir` finds the recording's media: <media_url>/<slug>/<file name> when the
    site has a media URL, otherwise the path from the page's own folder to the media file ('/' separated)."""
    name = Path(media_file).name
    if media_url:
        return f"{media_url.rstrip('/')}/{slug}/{name}"
    return Path(os.path.relpath(os.path.abspath(media_file), os.path.abspath(page_dir))).as_posix()


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


# ---------------------------------------------------------------- the introduction

WEEKDAYS = {"nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split(),
            "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()}
MONTHS = {"nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
          "en": "January February March April May June July August September October November December".split()}
INTRO = {
    "nl": {"on": "Op {date} ", "one": "gaf {speakers} het college \u2018{title}\u2019.",
           "many": "gaven {speakers} het college \u2018{title}\u2019.", "none": "werd het college \u2018{title}\u2019 gegeven.",
           "topics": "Aan bod komen onder meer {topics}.", "watch": "Je kunt het college hieronder terugkijken.",
           "and": "en", "of": "van"},
    "en": {"on": "On {date}, ", "one": "{speakers} gave the lecture \u2018{title}\u2019.",
           "many": "{speakers} gave the lecture \u2018{title}\u2019.", "none": "the lecture \u2018{title}\u2019 was given.",
           "topics": "Topics include {topics}.", "watch": "You can watch the lecture again below.",
           "and": "and", "of": "of"},
}


def format_date(date: str, language: str) -> str:
    """'2022-06-17' -> 'vrijdag 17 juni 2022' / 'Friday 17 June 2022'; other forms are kept as written."""
    lang = language if language in WEEKDAYS else "en"
    try:
        day = dt.date.fromisoformat(date.strip())
    except ValueError:
        return date.strip()
    return f"{WEEKDAYS[lang][day.weekday()]} {day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def join_words(items: list[str], language: str) -> str:
    """'a', 'a en b', 'a, b en c' (or 'and')."""
    word = INTRO.get(language, INTRO["en"])["and"]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}" if items else ""


def draft_introduction(title: str, date: str, speakers: list[Speaker], topics: list[str], language: str) -> str:
    """An introduction drafted from the metadata: when, who (with organisation), what, and topics."""
    words = INTRO.get(language, INTRO["en"])
    people = join_words([f"{s.name} ({s.organisation})" if s.organisation else s.name for s in speakers], language)
    bare = TITLE_PREFIX.sub("", title.strip())
    key = "none" if not speakers else "one" if len(speakers) == 1 else "many"
    sentence = (words["on"].format(date=format_date(date, language)) if date.strip() else "") + \
        words[key].format(speakers=people, title=bare)
    parts = [sentence[:1].upper() + sentence[1:]]
    if topics:
        parts.append(words["topics"].format(topics=join_words(topics, language)))
    parts.append(words["watch"])
    return " ".join(parts)


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
        out += [f"<h2>{_e(lab['contents'])}</h2>", f'<p class="hint">{_e(lab["contents_hint"])}</p>',
                '<ul class="chapters">']
        for ch in page.chapters:
            label = f'<span class="time">{_e(format_hms(ch.start))}</span>{_e(ch.title)}'
            link = _safe_link(ch.link)
            out.append(f'<li><a href="{html.escape(link, quote=True)}">{label}</a></li>' if link else f"<li>{label}</li>")
        out.append("</ul>")
    if page.summary.strip() or page.quotes:
        out += [f"<h2>{_e(lab['summary'])}</h2>"] + [f"<p>{_e(p)}</p>" for p in _paragraphs(page.summary)]
        out += [f"<blockquote><p>{_e(quote_line(q, page.language))}</p></blockquote>" for q in page.quotes]
    if page.questions:
        out += [f"<h2>{_e(lab['questions'])}</h2>"]
        for qa in page.questions:
            out.append(f'<div class="qa"><p><strong>{_e(lab["question"])}:</strong> {_e(qa.question)}</p>')
            if qa.answer.strip():
                who = f" {_e(qa.answer_speaker)}" if qa.answer_speaker else ""
                out.append(f"<p><strong>{_e(lab['answer'])}{who}:</strong> {_e(qa.answer)}</p>")
            out.append("</div>")
    if page.speakers:
        out += [f"<h2>{_e(lab['speakers'])}</h2>", '<ul class="speakers">']
        for sp in page.speakers:
            parts = [f"<strong>{_e(sp.name)}</strong>"] + [_e(x) for x in (sp.organisation, sp.role) if x]
            out.append("<li>" + "<br>".join(parts) + "</li>")
        out.append("</ul>")
    return out


# Inline styles: the page is one self-contained file (no fonts, scripts, images or stylesheets fetched).
STYLE = """
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --accent: #0b5cad; --rule: #d9dee7; --soft: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink);
       font: 17px/1.6 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
article { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1.5rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--rule); }
p { margin: 0 0 1rem; }
a { color: var(--accent); text-decoration: none; }
a:hover, a:focus { text-decoration: underline; }
.hint { color: var(--muted); font-size: .95rem; }
ul.chapters { list-style: none; padding: 0; margin: 0 0 1rem; }
ul.chapters li { padding: .35rem 0; border-bottom: 1px dotted var(--rule); }
ul.chapters .time { font-variant-numeric: tabular-nums; color: var(--muted); margin-right: .6rem; }
blockquote { margin: 1.25rem 0; padding: .75rem 1.25rem; background: var(--soft);
             border-left: 4px solid var(--accent); font-style: italic; }
blockquote p { margin: 0; }
.qa { margin: 0 0 1.25rem; padding: .75rem 1rem; border: 1px solid var(--rule); border-radius: 6px; }
.qa p:last-child { margin-bottom: 0; }
ul.speakers { list-style: none; padding: 0; display: grid; gap: 1rem;
              grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
ul.speakers li { padding: .75rem 1rem; background: var(--soft); border-radius: 6px; }
@media print { a { color: inherit; } article { padding: 0; } }
"""


def render_html(page: PageDraft) -> str:
    """The page as a standalone, styled HTML5 document (inline CSS, no external assets, the seed's
    sections, headings in the page's language); every text and link is escaped."""
    title = _e(page_title(page))
    lang = html.escape(page.language or "en", quote=True)
    head = [
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<article>", f"<h1>{title}</h1>",
    ]
    return "\n".join(head + _html_sections(page) + ["</article>", "</body>", "</html>"]) + "\n"
