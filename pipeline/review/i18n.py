"""The review app's interface language: Dutch by default, English available, one catalogue.

Every interface string is an English msgid in the templates (`{{ _("Approve") }}`) and in the
page script's string table; pipeline/review/locale/<lang>/LC_MESSAGES/review.po holds the
translations in the standard gettext PO format, so translators can use the usual PO tools. At
start-up the PO file is compiled in memory into the binary MO format and read by the standard
library's gettext.GNUTranslations: no build step, no compiled files to keep in sync.

The editor's choice is a cookie (per browser, i.e. per editor), set by GET /lang/<code>.
"""
from __future__ import annotations

import ast
import functools
import gettext
import io
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.artifacts.drafts import parse_rejection_reason
from pipeline.editorial.approvals import APPROVAL_REFUSED
from pipeline.editorial.records import Msg

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "review"
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "review_lang"


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a PO file (single-form entries; empty translations are left out)."""
    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None

    def flush() -> None:
        if msgid is not None and "".join(msgstr):
            entries["".join(msgid)] = "".join(msgstr)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [], []
            target = msgid
            line = line[6:]
        elif line.startswith("msgstr "):
            target = msgstr
            line = line[7:]
        elif not line.startswith('"'):
            continue  # comments and blank lines
        if target is not None:
            # PO strings use C escapes, which Python string literals read the same way.
            target.append(ast.literal_eval(line))
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU MO bytes of a catalogue (what msgfmt would write), for gettext.GNUTranslations."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    n = len(keys)
    header = 7 * 4
    ids_table, strs_table = header, header + n * 8
    data_start = strs_table + n * 8
    offsets, blob = [], b""
    for text in ids + strs:
        offsets.append((len(text), data_start + len(blob)))
        blob += text + b"\0"
    table = b"".join(struct.pack("<2I", length, offset) for length, offset in offsets)
    return struct.pack("<7I", 0x950412DE, 0, n, ids_table, strs_table, 0, 0) + table + blob


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of one language; English is the msgids themselves."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not po.is_file():
        return gettext.NullTranslations()
    entries = read_po(po)
    entries.setdefault("", f"Content-Type: text/plain; charset=UTF-8\nLanguage: {lang}\n")
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))


def choose_language(cookie: str | None) -> str:
    """The editor's interface language from the cookie, Dutch when unset or unknown."""
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    """`_(msgid, **values)`: the translation, with %(name)s placeholders filled in."""
    lookup = translations(lang).gettext

    def _(message: str, **values: Any) -> str:
        text = lookup(message)
        return text % values if values else text

    return _


def rejection_text(reason: str, _: Callable[..., str]) -> str:
    """A rejection reason as drafts.json stores it (English) in the interface language; a text that
    matches none of the templates (an older drafts.json) is shown as it is."""
    parsed = parse_rejection_reason(reason)
    if parsed is None:
        return reason
    template, fields = parsed
    return _(template, **fields)


def script_strings(lang: str) -> dict[str, str]:
    """The page script's messages in the interface language (rendered as JSON into the page)."""
    _ = translator(lang)
    return {key: _(text) for key, text in SCRIPT_MESSAGES.items()}


# The page script's messages; msgids like every other string, so one catalogue holds them all.
SCRIPT_MESSAGES = {
    "needName": "Enter your name in the Editor field first: every change records who made it.",
    "noAnswer": "Not saved: the review app did not answer. Your text is still in the form.",
    "notSaved": "not saved",
    "saved": "saved",
    "yourText": "Your text was:",
    "sentenceAt": "Sentence at",
    "speed": "Playback speed",
}


# Messages the routes answer with (JSON 'message' and error pages), translated per request.
CHAPTER_SAVED = ("chapter changed: the pipeline applies it on its next run (drafts are re-made, "
                 "nothing is re-transcribed)")
ROUTE_MESSAGES = (APPROVAL_REFUSED, "%(what)s: %(status)s", "checked", "not checked", "sentence corrected", "quote added", "rule removed",
                  "%(n)s approved", "%(n)s not approved (changed since you loaded the page): read them first",
                  CHAPTER_SAVED, "no %(kind)s %(id)s in this recording; reload the page",
                  "the selection's sentences are not in this recording; reload the page",
                  "a quote must be verbatim: select the words in the transcript",
                  "replacing \u201c%(find)s\u201d with \u201c%(replace)s\u201d in %(n)s sentence(s)",
                  "\u201c%(term)s\u201d added to the glossary", "\u201c%(term)s\u201d removed from the glossary",
                  "undone: %(what)s", "request from another site refused",
                  "missing or wrong CSRF token: reload the page and try again", "internal error; the details are in the app's log",
                  "its source changed since you loaded the page", "changed since you loaded the page",
                  "changed by another editor just now", "nothing here: %(path)s", "no recording %(slug)s",
                  "no interface language %(code)s; use %(choices)s",
                  "no export format %(fmt)s; use md, html, srt or vtt")


def error_text(exc: BaseException, _: Callable[..., str]) -> str:
    """A refusal in the editor's language: editorial errors carry their msgid and values
    (editorial/records.refused); values that are msgids themselves (records.Msg) are translated too."""
    msgid = getattr(exc, "msgid", None)
    if msgid is None:
        return str(exc)
    values = {k: _(v) if isinstance(v, Msg) else v for k, v in getattr(exc, "values", {}).items()}
    return _(msgid, **values)
