"""Names for the voices found: from the page's speaker list, self-introductions and chapter titles.

Evidence, per (voice, listed speaker), strongest first:
- a self-introduction in the transcript ("mijn naam is …", "ik heet …", "ik ben …", "my name is …",
  "I'm …", "I am …") whose name matches a listed speaker (full name, or first name within a
  spelling distance Whisper makes: "Ana" for "Anna"), said inside the voice's turns: 3 points each;
- a listed chapter (recording.yaml `chapters` or its chapters_file) whose title names one listed
  speaker ("Uitleg programma (Floris)"), where the voice has most of the chapter's speech: 2 x its share;
Voices are matched to listed speakers greedily by points; then an unlisted "mijn naam is X" (or a
chapter title ending in "(X)" with an X not listed) names its voice X, with a warning; then the
page's order, weakly: the remaining presenters, by their first long turn, take the remaining listed
names in order (the one who speaks first <-> the first listed). A voice with little speech (< 15 %)
and no long turn that nobody named is the audience ("Publiek" / "Audience"). "mijn naam is X" / "my
name is X" with an X that is not listed still names the voice, with a warning: the page's list is
wrong or incomplete. Every problem with the list is a warning in the stage summary, never an error.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from pipeline.artifacts.speakers import AUDIENCE, UNNAMED, SpeakerEntry, Speakers, Turn
from pipeline.core.timecode import format_clock

_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]+"
_PARTICLE = r"(?:van|de|der|den|het|ter|ten|te|in|'t|von|du|da|le|la|el)"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{0,2}})"
# (pattern, whether an unlisted name is trusted): "ik ben blij" is no introduction, "mijn naam is" is.
INTRODUCTIONS = [
    (re.compile(rf"\b(?:[Mm]ijn naam is|[Ii]k heet|[Mm]y name is)\s+{_NAME}"), True),
    (re.compile(rf"\b(?:[Ii]k ben|I'?m|I am)\s+{_NAME}"), False),
]
# A chapter title ending in a name in brackets: "Uitleg programma (Floris)".
TITLE_NAME = re.compile(rf"\({_NAME}\)\s*$")
# Bracketed words in chapter titles that are not people.
NOT_NAMES = {"vervolg", "pauze", "demo", "intro", "inleiding", "vragen", "vraag", "questions", "deel", "part",
             "slot", "afsluiting", "discussie", "discussion", "samenvatting", "summary", "video", "live", "herhaling"}


@dataclass(frozen=True)
class Introduction:
    """A self-introduction: when, the name as said, and the listed speaker it matches (-1: none)."""

    start: float
    end: float
    said: str
    listed: int
    trusted: bool


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def match_listed(said: str, listed: list[str]) -> int:
    """The index of the listed speaker `said` names (full name, or a first name a letter or two off),
    or -1."""
    words = _fold(said).split()
    best, best_score = -1, 0.0
    for i, name in enumerate(listed):
        parts = _fold(name).split()
        if not parts or not words:
            continue
        if " ".join(parts) in " ".join(words) or " ".join(words) == " ".join(parts):
            return i
        first = difflib.SequenceMatcher(None, words[0], parts[0]).ratio()
        last = max((difflib.SequenceMatcher(None, w, parts[-1]).ratio() for w in words[1:]), default=0.0)
        score = first + (0.5 * last if len(parts) > 1 and last >= 0.8 else 0.0)
        if first >= 0.8 and score > best_score:
            best, best_score = i, score
    return best


def find_introductions(segments, listed: list[str]) -> list[Introduction]:
    """Self-introductions in transcript segments (objects with start, end, text, words)."""
    found = []
    for segment in segments:
        words = [w for w in segment.words if w.word.strip()]
        text = "".join(w.word for w in words) if words else segment.text
        offsets, pos = [], 0
        for w in words:
            offsets.append(pos)
            pos += len(w.word)
        for pattern, trusted in INTRODUCTIONS:
            for m in pattern.finditer(text):
                said = m.group("name").strip(" .,;:!?")
                index = match_listed(said, listed)
                if index < 0 and not trusted:
                    continue
                if words:
                    a = max(0, _word_at(offsets, m.start()))
                    b = _word_at(offsets, m.end() - 1)
                    start, end = words[a].start, words[b].end
                else:
                    start, end = segment.start, segment.end
                found.append(Introduction(start, end, said, index, trusted))
    return found


def _word_at(offsets: list[int], pos: int) -> int:
    lo = 0
    for i, off in enumerate(offsets):
        if off <= pos:
            lo = i
    return lo


def title_name(title: str) -> str:
    """The person a chapter title names in brackets at its end ("Uitleg programma (Floris)"), or ""."""
    match = TITLE_NAME.search(title)
    if not match or _fold(match.group("name").split()[0]) in NOT_NAMES:
        return ""
    return match.group("name")


def _chapter_spans(chapters: list[tuple[float, str]], duration: float) -> list[tuple[float, float, str]]:
    ordered = sorted(chapters)
    return [(s, ordered[i + 1][0] if i + 1 < len(ordered) else duration, t) for i, (s, t) in enumerate(ordered)]


def _seconds_in(turns: list[Turn], a: float, b: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for t in turns:
        o = min(b, t.end) - max(a, t.start)
        if o > 0:
            out[t.speaker] = out.get(t.speaker, 0.0) + o
    return out


def name_speakers(turns: list[Turn], segments, listed: list[str], chapters: list[tuple[float, str]],
                  language: str, duration: float) -> tuple[list[SpeakerEntry], list[str]]:
    """Speaker entries (id, name, seconds, name_source, role, label) and warnings about the list."""
    seconds = _seconds_in(turns, 0.0, float("inf"))
    total = sum(seconds.values()) or 1.0
    ids = sorted(seconds, key=lambda k: (-seconds[k], k))
    longest = {k: max((t.end - t.start for t in turns if t.speaker == k), default=0.0) for k in ids}
    lookup = Speakers(language, duration, "", {}, turns, [])
    points: dict[tuple[str, int], dict[str, float]] = {}
    warnings: list[str] = []
    unlisted: dict[str, tuple[str, float, str]] = {}  # voice -> (name, where, how) for names not listed

    def add(voice: str, index: int, kind: str, value: float) -> None:
        bucket = points.setdefault((voice, index), {})
        bucket[kind] = bucket.get(kind, 0.0) + value

    for intro in find_introductions(segments, listed):
        voice = lookup.speaker_id_of(intro.start, intro.end)
        if not voice:
            continue
        if intro.listed >= 0:
            add(voice, intro.listed, "introduction", 3.0)
        elif voice not in unlisted:
            unlisted[voice] = (intro.said, intro.start, "introduction")
    for start, end, title in _chapter_spans(chapters, duration):
        named = [i for i, name in enumerate(listed)
                 if re.search(rf"\b({re.escape(name)}|{re.escape(name.split()[0])})\b", title, re.I)]
        spoken = _seconds_in(turns, start, end)
        if not spoken:
            continue
        voice = max(sorted(spoken), key=lambda k: spoken[k])
        share = spoken[voice] / sum(spoken.values())
        if share < 0.5:
            continue
        if len(named) == 1:
            add(voice, named[0], "chapter_title", 2.0 * share)
        elif not named and (said := title_name(title)) and voice not in unlisted:
            unlisted[voice] = (said, start, "chapter_title")
    evidenced = {v for (v, _), kinds in points.items() if kinds}
    main = [k for k in ids if seconds[k] / total >= 0.05][: max(1, len(listed))]
    presenters = [k for k in ids if k in evidenced or k in main]
    names: dict[str, tuple[str, str]] = {}
    taken: set[int] = set()
    # 1. the evidence (introductions, chapter titles), strongest pair first
    for (voice, index), kinds in sorted(points.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        if voice not in names and index not in taken and voice in presenters:
            names[voice] = (listed[index], max(sorted(kinds), key=lambda k: kinds[k]))
            taken.add(index)
    # 2. "mijn naam is X" or a chapter "... (X)" with an X the page does not list: the list is wrong or incomplete
    for voice, (said, at, source) in unlisted.items():
        if voice not in names and said not in {n for n, _ in names.values()}:
            names[voice] = (said, source)
            where = f"recording.yaml's speakers ({', '.join(listed)})" if listed else "recording.yaml (it lists no speakers)"
            how = "introduces themselves as" if source == "introduction" else "is named in a chapter title as"
            warnings.append(f"the speaker at {format_clock(at)} {how} {said!r}, who is not in "
                            f"{where}: check the page's speaker list")
    # 3. the page's order, weakly: the remaining presenters by first long turn <-> the remaining listed
    first_turn = {k: min((t.start for t in turns if t.speaker == k and t.end - t.start >= 2.0),
                         default=min(t.start for t in turns if t.speaker == k)) for k in presenters}
    remaining = [i for i in range(len(listed)) if i not in taken]
    for voice in sorted((k for k in presenters if k not in names), key=lambda k: first_turn[k]):
        if remaining:
            index = remaining.pop(0)
            source = "only_speaker" if len(listed) == 1 and len(presenters) == 1 else "page_order"
            names[voice] = (listed[index], source)
            taken.add(index)

    entries, unnamed_n = [], 0
    audience = AUDIENCE.get(language, AUDIENCE["en"])
    for voice in ids:
        share = seconds[voice] / total
        if voice in names:
            name, source = names[voice]
            entries.append(SpeakerEntry(voice, name, round(seconds[voice], 2), source, "presenter", name))
        elif voice not in presenters and share < 0.15 and longest[voice] < 45.0:
            entries.append(SpeakerEntry(voice, audience, round(seconds[voice], 2), "audience", "audience", audience))
        else:
            unnamed_n += 1
            label = f"{UNNAMED.get(language, UNNAMED['en'])} {unnamed_n}"
            entries.append(SpeakerEntry(voice, None, round(seconds[voice], 2), None, "presenter", label))
    warnings += _list_warnings(entries, listed, taken, total)
    return entries, warnings


def _list_warnings(entries: list[SpeakerEntry], listed: list[str], taken: set[int], total: float) -> list[str]:
    warnings = []
    unnamed = [e for e in entries if e.name is None]
    if not listed:
        warnings.append(f"recording.yaml lists no speakers: {len(unnamed)} voice(s) stay unnamed unless they "
                        "introduce themselves; add the page's speakers (Sprekers) to recording.yaml")
    else:
        missing = [name for i, name in enumerate(listed) if i not in taken]
        if missing:
            warnings.append(f"listed in recording.yaml but not found as a separate voice: {', '.join(missing)} "
                            "(check the page's speaker list; voices that sound alike may have been merged)")
        for e in unnamed:
            warnings.append(f"{e.label} ({e.id}, {e.seconds / 60:.1f} min, {100 * e.seconds / total:.0f} % of the "
                            f"speech) is not one of recording.yaml's speakers ({', '.join(listed)}): "
                            "check the page's speaker list")
    return warnings
