"""'subtitles' engine: import human captions (SRT/WebVTT) as the transcript, no Whisper run."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.artifacts.transcript import Segment, Word
from pipeline.core.textio import decode_text
from pipeline.ingest.captions import check_within, parse_captions


def transcribe(captions: Path, duration: float = 0.0) -> list[Segment]:
    """Each cue becomes a segment; its words get times spread over the cue by character length.

    Cues are checked strictly (ingest.captions) and against the media's duration when known."""
    cues = parse_captions(decode_text(captions.read_bytes(), str(captions)), str(captions))
    check_within(cues, duration, str(captions))
    segments = []
    for cue in cues:
        tokens = re.findall(r"\S+", cue.text)
        total = sum(len(t) + 1 for t in tokens)
        span, t, words = cue.end - cue.start, cue.start, []
        for token in tokens:
            step = span * (len(token) + 1) / total
            words.append(Word(round(t, 3), round(t + step, 3), " " + token, 1.0))
            t += step
        segments.append(Segment(id=len(segments), start=cue.start, end=cue.end, text=" " + cue.text,
                                words=words, avg_logprob=0.0, no_speech_prob=0.0))
    return segments
