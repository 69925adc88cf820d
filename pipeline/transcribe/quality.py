"""Guards against Whisper's known failure modes. Segments are flagged, never dropped."""
from __future__ import annotations

import re
import unicodedata

from pipeline.artifacts.transcript import Segment

BOILERPLATE = [
    r"ondertitel(s|ing)? (ingediend|gemaakt) door",
    r"amara\.org",
    r"bedankt voor het kijken",
    r"bedankt voor (uw|jullie) aandacht\.?$",
    r"thanks? (you )?for watching",
    r"subtitles by",
    r"please subscribe",
    r"like and subscribe",
    r"ondertiteling( door)? tv gelderland",
    r"abonneer (je|op)",
]
BOILERPLATE_RE = re.compile("|".join(BOILERPLATE), re.I)
LOW_LOGPROB = -1.0
SILENCE_NO_SPEECH = 0.6


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w\s]", " ", text)


def is_repetition(text: str, min_repeats: int = 4) -> bool:
    """True when an n-gram (n=1..6) repeats back to back min_repeats times, as in Whisper's loops."""
    words = _norm(text).split()
    for n in range(1, 7):
        for i in range(0, max(0, len(words) - n * min_repeats + 1)):
            gram = words[i:i + n]
            if all(words[i + k * n:i + (k + 1) * n] == gram for k in range(1, min_repeats)):
                return True
    return False


def segment_flags(segment: Segment) -> list[str]:
    """The failure modes one segment shows."""
    flags = []
    if is_repetition(segment.text):
        flags.append("repetition")
    if BOILERPLATE_RE.search(segment.text):
        flags.append("boilerplate")
    if segment.no_speech_prob >= SILENCE_NO_SPEECH and segment.avg_logprob < -0.5:
        flags.append("in_silence")
    elif segment.avg_logprob < LOW_LOGPROB:
        flags.append("low_confidence")
    return flags


def check_segments(segments: list[Segment]) -> list[Segment]:
    """Flag failure modes, repair time order (monotonic, end >= start) and renumber ids 0..n-1."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    last_end = 0.0
    for n, seg in enumerate(ordered):
        seg.id = n
        seg.start = max(seg.start, 0.0)
        seg.end = max(seg.end, seg.start)
        for w in seg.words:
            w_start = min(max(w.start, seg.start), seg.end)
            object.__setattr__(w, "start", w_start)
            object.__setattr__(w, "end", min(max(w.end, w_start), seg.end))
        seg.flags = sorted(set(seg.flags) | set(segment_flags(seg)))
        last_end = max(last_end, seg.end)
    return ordered
