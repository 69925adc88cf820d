"""The transcript as the review app shows it: corrected sentences, the words Whisper was unsure of,
the quality guard's flags, and the stretches of speech it has no words for (gaps).

Sentences come from sentences.json (or one per transcript segment before the drafts stage ran);
word probabilities and segment flags from transcript.json. Gaps from transcript.json's coverage
become review items of kind 'gap' (id 'gap-<start ms>'): the editor listens and marks each checked
through the same approval and history machinery as every draft item.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.timecode import format_clock
from pipeline.editorial import artifact_cache
from pipeline.editorial.corrections import SENTENCE_KIND, normalize
from pipeline.editorial.records import ItemState

GAP_KIND = "gap"
UNSURE = 0.5  # words below this probability are underlined for the editor
# The transcribe stage's quality flags (pipeline/transcribe/quality.py), as an editor reads them.
FLAG_LABELS = {
    "repetition": "Repeated words (possible Whisper loop)",
    "boilerplate": "Subtitle boilerplate (probably not said)",
    "low_confidence": "Low confidence",
    "in_silence": "Text in silence (possibly invented)",
}


@dataclass
class SentenceView:
    """A transcript sentence as shown: corrected text, and a stale correction if there is one.

    `parts` is set only when some words were heard with low confidence: the text in pieces,
    each (text, probability or None), whose concatenation is exactly `text`."""

    id: str
    chapter_index: int
    start: float
    end: float
    machine_text: str
    text: str
    corrected: bool
    version: int
    stale_edit: ItemState | None = None
    parts: list[tuple[str, float | None]] | None = None
    flags: list[str] = field(default_factory=list)
    speaker: str = ""  # who said it (speakers stage), "" when unknown


def item_state(stored: ItemState | None, machine_text: str) -> str:
    """The state to show: the decision while its source text still matches, else 'stale'."""
    if stored is None:
        return "open"
    if normalize(stored.source_text) != normalize(machine_text):
        return "stale"
    return stored.status


def gap_id(start: float) -> str:
    """The stable id of a gap: its start in milliseconds."""
    return f"gap-{round(start * 1000)}"


def gap_text(start: float, end: float) -> str:
    """'0:41–1:12': what an editor is asked to check (and what the decision is recorded on)."""
    return f"{format_clock(start)}\u2013{format_clock(end)}"


def coverage_gaps(transcript: dict | None) -> list[dict[str, Any]]:
    """The gaps of transcript.json's coverage (start, end, reason), in time order."""
    gaps = ((transcript or {}).get("coverage") or {}).get("gaps") or []
    return sorted((g for g in gaps if "start" in g and "end" in g), key=lambda g: float(g["start"]))


@dataclass(frozen=True)
class _Heard:
    """What the artifacts say of one sentence, whatever the editors did: built once per version of
    sentences.json and transcript.json, as the page is rebuilt after every change."""

    id: str
    chapter_index: int
    start: float
    end: float
    machine_text: str
    speaker: str
    flags: tuple[str, ...]
    words: tuple[tuple[str, float], ...] | None  # (word, probability); None when no word is unsure


def build_sentences(b, transcript: dict | None) -> list[SentenceView]:
    """Sentences from sentences.json, else one per transcript segment (before the drafts stage).

    `b` is reviewed._Builder: it holds the stored decisions and the corrections."""
    data = b.read("sentences.json")
    sources = (data, transcript, None if (data or {}).get("sentences") else b.read("chapters.json"))
    heard = artifact_cache.remember(("sentences", str(b.work)), sources, lambda: _heard(b, data, transcript))
    b.used.update((SENTENCE_KIND, h.id) for h in heard)
    # Most changes (an approval, an edited summary) leave every sentence as it was: the views of the
    # last page are then shown again (nothing changes a SentenceView once built).
    corrections = b.corrections
    decided = {k: v for k, v in b.decisions.items() if k[0] == SENTENCE_KIND}
    inputs = (decided, tuple(corrections.rules), tuple(corrections.glossary), corrections.sentence_edits)
    kept = _SHOWN.get(str(b.work))
    if kept is not None and kept[0] is heard and kept[1] == inputs:
        return list(kept[2])
    shown = [_sentence_view(h, decided.get((SENTENCE_KIND, h.id)), corrections) for h in heard]
    if len(_SHOWN) > 16:
        _SHOWN.clear()
    _SHOWN[str(b.work)] = (heard, inputs, shown)
    return list(shown)


_SHOWN: dict[str, tuple] = {}  # work folder -> (its _Heard list, the decisions and corrections, the views)


def _sentence_view(h: _Heard, stored: ItemState | None, corrections) -> SentenceView:
    state = item_state(stored, h.machine_text)
    if h.id in corrections.sentence_edits:
        text = corrections.sentence_text(h.id, h.machine_text)
    else:
        text = ruled_text(corrections, h.machine_text)
    view = SentenceView(
        id=h.id, chapter_index=h.chapter_index, start=h.start, end=h.end, machine_text=h.machine_text,
        text=text, corrected=state == "edited", version=stored.version if stored else 0,
        stale_edit=stored if state == "stale" else None, flags=list(h.flags), speaker=h.speaker)
    if not view.corrected and h.words:  # a corrected sentence was read by an editor: nothing left to doubt
        parts = _unsure_parts(view.text, h.words, UNSURE)
        view.parts = list(parts) if parts is not None else None
    return view


KEEP_RULED = 50_000  # texts kept per set of rules (a two-hour lecture's page asks for ~1,700)
_RULED: dict[tuple, dict[str, str]] = {}
_last: tuple = (None, {})  # the Corrections last asked about, and its texts: one page asks ~1,700 times


def ruled_text(corrections, text: str) -> str:
    """`text` with only the recording's rules and glossary applied (no sentence's edit), as
    corrections.derived_text(text, {}, []) gives it; kept per set of rules, as most of a long
    lecture's sentences and drafts come out the same after every change."""
    global _last
    seen, found = _last
    if seen is not corrections:
        key = (tuple(corrections.rules), tuple(corrections.glossary))
        found = _RULED.get(key)
        if found is None:
            if len(_RULED) > 16:
                _RULED.clear()
            found = _RULED[key] = {}
        _last = (corrections, found)
    done = found.get(text)
    if done is None:
        if len(found) > KEEP_RULED:  # texts of artifacts long since re-made
            found.clear()
        done = found[text] = corrections.derived_text(text, {}, [])
    return done


def _heard(b, data: dict | None, transcript: dict | None) -> list[_Heard]:
    rows: list[dict] = (data or {}).get("sentences") or []
    segments = {int(s["id"]): s for s in (transcript or {}).get("segments", []) if "id" in s}
    if not rows and transcript:
        seg_chapter = _segment_chapters(b)
        rows = [{"id": f"seg{s['id']}", "chapter_index": seg_chapter.get(s["id"], 0), "start": s["start"],
                 "end": s["end"], "text": s["text"].strip(), "segment_ids": [s["id"]]}
                for s in transcript.get("segments", [])]
    out, flagged = [], set()
    for r in rows:
        start, end = float(r["start"]), float(r["end"])
        own = [segments[i] for i in r.get("segment_ids") or [] if i in segments]
        flags: list[str] = []
        # A flag belongs to a segment: shown once, on its first sentence, not on every sentence it spans.
        for seg in own:
            if seg["id"] not in flagged:
                flagged.add(seg["id"])
                flags += [f for f in seg.get("flags") or [] if f in FLAG_LABELS and f not in flags]
        words = _words_in(own, start, end)
        heard = None
        if any(float(w.get("probability", 1.0)) < UNSURE for w in words):
            heard = tuple((str(w["word"]), float(w.get("probability", 1.0))) for w in words)
        out.append(_Heard(r["id"], int(r.get("chapter_index") or 0), start, end, str(r.get("text") or ""),
                          str(r.get("speaker") or ""), tuple(flags), heard))
    return out


def _words_in(segments: list[dict], start: float, end: float) -> list[dict]:
    return [w for s in segments for w in s.get("words") or []
            if start - 0.05 <= (float(w["start"]) + float(w["end"])) / 2 <= end + 0.05]


_EDGE = re.compile(r"^\W+|\W+$")


def _key(token: str) -> str:
    return _EDGE.sub("", token).lower()


def unsure_parts(text: str, words: list[dict], threshold: float = UNSURE) -> list[tuple[str, float | None]] | None:
    """`text` in pieces with the probability of each word Whisper was unsure of (else None), or None
    when no shown word is unsure. Words are matched to the shown (possibly rule-corrected) text by
    their spelling, so a word a rule replaced is no longer marked."""
    if not any(float(w.get("probability", 1.0)) < threshold for w in words):
        return None
    heard = tuple((str(w["word"]), float(w.get("probability", 1.0))) for w in words)
    parts = _unsure_parts(text, heard, threshold)
    return list(parts) if parts is not None else None


@functools.lru_cache(maxsize=8192)
def _unsure_parts(text: str, heard: tuple[tuple[str, float], ...], threshold: float):
    """unsure_parts on (word, probability) pairs; cached, as the page is rebuilt after every change and a
    two-hour lecture has hundreds of sentences with an unsure word."""
    pieces = re.split(r"(\s+)", text)
    tokens = [i for i, p in enumerate(pieces) if p and not p.isspace()]
    shown = [_key(pieces[i]) for i in tokens]
    unsure: dict[int, float] = {}
    matcher = difflib.SequenceMatcher(a=shown, b=[_key(word) for word, _ in heard], autojunk=False)
    for a, bb, size in matcher.get_matching_blocks():
        for k in range(size):
            p = heard[bb + k][1]
            if p < threshold:
                unsure[tokens[a + k]] = p
    if not unsure:
        return None
    parts: list[tuple[str, float | None]] = []
    for i, piece in enumerate(pieces):
        if not piece:
            continue
        if i in unsure:
            parts.append((piece, unsure[i]))
        elif parts and parts[-1][1] is None:
            parts[-1] = (parts[-1][0] + piece, None)
        else:
            parts.append((piece, None))
    return tuple(parts)


def _segment_chapters(b) -> dict[int, int]:
    data = b.read("chapters.json") or {}
    return {sid: int(c["index"]) for c in data.get("chapters", []) for sid in c.get("segment_ids", [])}
