"""Subtitle cues: SRT and WebVTT writers (one iterator, two formats), and the layout of publishable
subtitles (line length, lines per cue, cue duration, cuts at phrase boundaries)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Iterable

from pipeline.core.timecode import format_timestamp


@dataclass(frozen=True)
class Cue:
    """A timed piece of text (seconds)."""

    start: float
    end: float
    text: str
    speaker: str = ""  # WebVTT writes it as a <v Name> voice tag


class SubtitleWriter:
    """Base writer; SRT and VTT differ only in header, numbering and the decimal mark."""

    header = ""
    decimal = ","
    numbered = True

    def format(self, cues: Iterable[Cue]) -> str:
        blocks = [self.header] if self.header else []
        for n, cue in enumerate(_clean(cues), start=1):
            times = f"{format_timestamp(cue.start, self.decimal)} --> {format_timestamp(cue.end, self.decimal)}"
            number = f"{n}\n" if self.numbered else ""
            blocks.append(f"{number}{times}\n{self.voice(cue)}{cue.text}\n")
        return "\n".join(blocks)


    def voice(self, cue: Cue) -> str:
        return ""


class SrtWriter(SubtitleWriter):
    header = ""
    decimal = ","
    numbered = True


class VttWriter(SubtitleWriter):
    header = "WEBVTT\n"
    decimal = "."
    numbered = False

    def voice(self, cue: Cue) -> str:
        name = re.sub(r"[<>&\n]", "", cue.speaker).strip()
        return f"<v {name}>" if name else ""


def _clean(cues: Iterable[Cue]) -> Iterable[Cue]:
    """Skip empty cues, keep end > start, and stop '-->' or blank lines breaking the format."""
    for cue in cues:
        text = re.sub(r"\n\s*\n", "\n", cue.text.strip()).replace("-->", "->")
        if text:
            yield Cue(cue.start, max(cue.end, cue.start + 0.001), text, cue.speaker)


def format_srt(cues: Iterable[Cue]) -> str:
    return SrtWriter().format(cues)


def format_vtt(cues: Iterable[Cue]) -> str:
    return VttWriter().format(cues)




# ---- subtitles an editor can publish: the usual broadcast limits (e.g. the EBU/Netflix guides)
MAX_LINE = 42     # characters a line
MAX_LINES = 2     # lines a cue
MIN_CUE = 1.0     # seconds: shorter cannot be read
MAX_CUE = 7.0     # seconds: longer outstays the speech it shows
MAX_PAUSE = 1.5   # a pause this long inside a cue would show words during silence: cut there
_EDGE_WORD = re.compile(r"^\W+|\W+$")
PUNCTUATION = {".": 3, "?": 3, "!": 3, "…": 3, ";": 2, ":": 2, ",": 1, "–": 1, "—": 1}


@dataclass(frozen=True)
class Token:
    """A word as shown (corrected), with its time; `last` marks the end of a sentence."""

    text: str
    start: float
    end: float
    last: bool = False
    speaker: str = ""  # a cue never spans two speakers


def wrap_lines(text: str, width: int = MAX_LINE, max_lines: int = MAX_LINES) -> list[str] | None:
    """`text` in at most `max_lines` lines of at most `width` characters, broken between words where
    it reads best (after punctuation, else balanced); None when it does not fit. A single word
    longer than a line stays whole: there is nowhere to break it."""
    words = text.split()
    if len(" ".join(words)) <= width or len(words) == 1:
        return [" ".join(words)]
    if max_lines < 2:
        return None
    best: tuple[float, list[str]] | None = None
    for k in range(1, len(words)):
        first = " ".join(words[:k])
        if len(first) > width:
            break
        rest = wrap_lines(" ".join(words[k:]), width, max_lines - 1)
        if rest is None:
            continue
        # Balanced lines read fastest; a break after punctuation keeps a phrase on one line.
        score = abs(len(first) - len(rest[0])) - 20 * PUNCTUATION.get(first[-1], 0)
        if best is None or score < best[0]:
            best = (score, [first, *rest])
    return best[1] if best else None


def _fits(run: list[Token]) -> bool:
    if run[-1].speaker != run[0].speaker:
        return False
    if run[-1].end - run[0].start > MAX_CUE:
        return False
    if any(b.start - a.end > MAX_PAUSE for a, b in pairwise(run)):
        return False
    return wrap_lines(" ".join(t.text for t in run)) is not None


def _break_score(run: list[Token], following: Token | None, share: float) -> float:
    """How good a cue end after run[-1] is: a sentence end, then punctuation, then the pause before
    the next word; longer cues are slightly preferred, unreadably short ones avoided."""
    last = run[-1]
    strength = 4 if last.last else PUNCTUATION.get(last.text[-1:], 0)
    pause = min(following.start - last.end, 2.0) if following else 2.0
    short = run[-1].end - run[0].start < MIN_CUE and (following is None or following.start - run[0].start < MIN_CUE)
    # Without punctuation or a pause to go by, a cue should not end on a little word ('de', 'van',
    # 'and') that belongs with the next one.
    dangling = strength == 0 and len(_EDGE_WORD.sub("", last.text)) <= 3
    return 10 * strength + 6 * max(pause, 0.0) + 3 * share - (25 if short else 0) - (2 if dangling else 0)


def layout_cues(tokens: list[Token]) -> list[Cue]:
    """Cut timed words into publishable cues: at most two lines of 42 characters, 1–7 seconds, cut
    at phrase boundaries (sentence ends, then punctuation, then the widest pause between words)."""
    runs: list[list[Token]] = []
    i, n = 0, len(tokens)
    while i < n:
        j = i + 1  # tokens[i:j] fits; grow it as far as it goes
        while j < n and _fits(tokens[i:j + 1]):
            j += 1
        cut = n if j == n else max(range(i + 1, j + 1), key=lambda k: (
            _break_score(tokens[i:k], tokens[k] if k < n else None, (k - i) / (j - i)), k))
        runs.append(tokens[i:cut])
        i = cut
    runs = _merge_short(runs)
    return _timed(runs)


def _merge_short(runs: list[list[Token]]) -> list[list[Token]]:
    """A cue under a second with no silence to grow into joins its neighbour when together they fit."""
    out: list[list[Token]] = []
    for k, run in enumerate(runs):
        room = (runs[k + 1][0].start if k + 1 < len(runs) else run[0].start + MIN_CUE) - run[0].start
        if room >= MIN_CUE:
            out.append(run)
        elif out and _fits(out[-1] + run):
            out[-1] = out[-1] + run
        elif k + 1 < len(runs) and _fits(run + runs[k + 1]):
            runs[k + 1] = run + runs[k + 1]
        else:
            out.append(run)
    return out


def _timed(runs: list[list[Token]]) -> list[Cue]:
    """Cue times from the words: at least MIN_CUE (into the silence around it), at most MAX_CUE, and
    never overlapping the next cue."""
    cues: list[Cue] = []
    for k, run in enumerate(runs):
        start, end = run[0].start, min(run[-1].end, run[0].start + MAX_CUE)
        following = runs[k + 1][0].start if k + 1 < len(runs) else float("inf")
        end = min(max(end, start + MIN_CUE), following)
        if end - start < MIN_CUE and cues:  # no room after it: borrow the silence before it
            start = max(cues[-1].end, end - MIN_CUE)
        lines = wrap_lines(" ".join(t.text for t in run)) or [" ".join(t.text for t in run)]
        cues.append(Cue(round(start, 3), round(max(end, start + 0.001), 3), "\n".join(lines), run[0].speaker))
    return cues


def caption_cue(start: float, end: float, text: str, speaker: str = "") -> Cue:
    """A human caption's own cue, kept with its words and times: only an over-long line is broken
    (into more lines when two do not hold it), never re-cut."""
    lines = wrap_lines(text) or wrap_lines(text, max_lines=len(text) // 20 + 2) or [text]
    return Cue(start, end, "\n".join(lines), speaker)


def words_as_tokens(words: Iterable[tuple[str, float, float]], speaker: str = "") -> list[Token]:
    """Whisper's words (text, start, end) as layout tokens; a word ending in . ? ! or … ends a sentence."""
    tokens = []
    for text, start, end in words:
        text = text.strip()
        if text:
            tokens.append(Token(text, start, max(end, start), text[-1:] in ".?!…", speaker))
    return tokens


def timed_tokens(text: str, start: float, end: float, words: list[tuple[str, float, float]]) -> list[Token]:
    """The words of a shown (possibly corrected) sentence with times: from the machine words they
    match (by spelling, in order), and in between in proportion to their length."""
    shown = text.split()
    if not shown:
        return []
    def key(word: str) -> str:
        return _EDGE_WORD.sub("", word).lower()

    times: list[tuple[float, float] | None] = [None] * len(shown)
    matcher = SequenceMatcher(a=[key(w) for w in shown], b=[key(w[0]) for w in words], autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for m in range(size):
            times[a + m] = (words[b + m][1], words[b + m][2])
    k = 0
    while k < len(shown):
        if times[k] is not None:
            k += 1
            continue
        j = k
        while j < len(shown) and times[j] is None:
            j += 1
        lo = times[k - 1][1] if k > 0 else start
        hi = times[j][0] if j < len(shown) else end
        hi = max(hi, lo)
        total = sum(len(w) + 1 for w in shown[k:j])
        t = lo
        for m in range(k, j):
            step = (hi - lo) * (len(shown[m]) + 1) / total
            times[m] = (t, t + step)
            t += step
        k = j
    return [Token(w, round(s, 3), round(max(e, s), 3), i == len(shown) - 1)
            for i, (w, (s, e)) in enumerate(zip(shown, times))]
