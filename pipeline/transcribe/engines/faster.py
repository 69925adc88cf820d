"""faster-whisper engine (CTranslate2): the default.

The default is sequential decoding, beam 5, over Silero VAD speech: on 10.5 min of joined real
Dutch speech (bench/results.json) it made the fewest errors of every path tried. Batched decoding
(BatchedInferencePipeline, `batch_size` > 1) decodes each VAD chunk once, with no fallback, and a
chunk whose decoding ends early loses the rest of its speech without a sign: 100 reference words
lost with Whisper's 30 s chunks, 252 without timestamp tokens, 21 with 15 s chunks; with 15 s
chunks and repair it kept its words but stayed about a point of WER behind sequential (less context
per chunk), so it is the opt-in fast path. Either way coverage is measured against Silero VAD and
every stretch of speech still without words is re-decoded on its own, sequentially and without any
prompt (transcribe/coverage.py). Segments are cut from the words (transcribe/segmenting.py), so
repaired words land in ordinary segments and every segment fits a subtitle.
"""
from __future__ import annotations

import functools
import logging
import math
from pathlib import Path

import numpy as np

from pipeline.artifacts.transcript import Coverage, Segment, Word
from pipeline.core import progress
from pipeline.transcribe import coverage
from pipeline.transcribe.audio import audio_duration
from pipeline.transcribe.segmenting import cut_segments, text_of
from pipeline.transcribe.windows import iter_windows

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def load_model(model_path: str, device: str, compute_type: str, cpu_threads: int):
    """Load (and keep) a WhisperModel; loading takes about a second for base."""
    from faster_whisper import (
        WhisperModel,  # heavy (CTranslate2, onnxruntime): only when transcribing
    )

    return WhisperModel(model_path, device=device, compute_type=compute_type, cpu_threads=cpu_threads)


def transcribe(audio: Path, model_path: str, options) -> tuple[list[Segment], float, Coverage]:
    """Run faster-whisper on a 16 kHz WAV, window by window: (segments, duration, coverage)."""
    model = load_model(model_path, options.device, options.compute_type, options.cpu_threads)
    total = audio_duration(audio)
    words: list[Word] = []
    regions: list[coverage.Span] = []
    repaired: list[coverage.Span] = []
    stats: list[tuple[float, float, float]] = []  # (chunk end, avg_logprob, no_speech_prob)
    progress.report("transcribe", 0.0, total)  # starts the clock for the speed shown
    for window in iter_windows(audio, options.window_seconds):
        found, chunk_stats = decode_window(model, window.samples, window.offset, options)
        speech = coverage.speech_regions(window.samples, window.offset)
        if options.repair:
            holes = [h for h in coverage.uncovered(found, speech) if h[1] - h[0] >= options.repair_min]
            if holes:
                found, fixed = coverage.repair(window.samples, window.offset, found, holes,
                                               functools.partial(decode_alone, model, options))
                repaired += fixed
                log.info("re-decoded %d stretch(es) of speech without words, %d got words back", len(holes), len(fixed))
        words += found
        regions += speech
        stats += chunk_stats
        progress.report("transcribe", min(window.offset + len(window.samples) / 16000, total), total)
    progress.report("transcribe", total, total)
    reason = "no words after repair" if options.repair else "not repaired (repair switched off)"
    return _segments(words, stats), total, coverage.measure(words, regions, options.min_gap, repaired, reason)


def decode_window(model, samples: np.ndarray, offset: float, options) -> tuple[list[Word], list]:
    """All words of one window (timed from the recording's start) and per-chunk confidence."""
    prompt, hotwords = glossary_hints(options.glossary)
    kwargs = dict(language=options.language, beam_size=options.beam_size, vad_filter=options.vad,
                  condition_on_previous_text=False, word_timestamps=True,
                  initial_prompt=prompt, hotwords=hotwords)
    if options.batch_size > 1:
        from faster_whisper import BatchedInferencePipeline

        raw, _ = BatchedInferencePipeline(model).transcribe(
            samples, batch_size=options.batch_size, without_timestamps=False, chunk_length=options.chunk_seconds,
            vad_parameters={"threshold": options.vad_threshold, "min_silence_duration_ms": 160}, **kwargs)
    else:
        _seed()
        raw, _ = model.transcribe(samples, vad_parameters={"threshold": options.vad_threshold},
                                  temperature=FALLBACK if options.fallback else 0.0, **kwargs)
    words, stats = [], []
    for seg in raw:  # a generator: the decoding happens while iterating
        words += [Word(round(offset + float(w.start), 3), round(offset + float(w.end), 3), w.word,
                       round(float(w.probability), 4))
                  for w in seg.words or []]
        stats.append((offset + seg.end, seg.avg_logprob, seg.no_speech_prob))
    return words, stats


FALLBACK = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # faster-whisper's own schedule


def _seed() -> None:
    """The fallback samples: a fixed seed per decode makes the same audio give the same words on
    every run and every worker (unseeded, two runs of 3 min of English differed by 40 points)."""
    import ctranslate2  # faster-whisper's own dependency

    ctranslate2.set_random_seed(1961)

# Whisper's prompt and hotwords share 448 positions with the text; 50 terms as prompt plus
# hotwords overflowed them and failed the whole transcription. Terms past this are left out.
MAX_PROMPT_CHARS = 400


def glossary_hints(glossary: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The glossary as Whisper's initial prompt (opt-in: TranscribeOptions.glossary_prompt).

    Every form measured cost speech on its own (10 terms: 68 words lost as prompt + hotwords, 85 as
    hotwords, 100 as prompt, against 21 without; bench/results.json), so by default the glossary is
    applied to the text afterwards (editorial corrections) and never given to the decoder; when it
    is, the repair re-decodes what it lost without it. Hotwords are never used."""
    if not glossary:
        return None, None
    prompt = ""
    for term in glossary:
        if len(prompt) + len(term) + 2 > MAX_PROMPT_CHARS:
            log.warning("glossary prompt capped at %d characters; %d term(s) left out", MAX_PROMPT_CHARS,
                        len(glossary) - glossary.index(term))
            break
        prompt += (", " if prompt else "") + term
    return prompt + ".", None


def decode_alone(model, options, samples: np.ndarray) -> list[Word]:
    """Decode a short stretch on its own: sequential, beam 5, no VAD, no prompt (the prompt may be
    what lost it), words timed from the stretch's start."""
    _seed()
    segments, _ = model.transcribe(samples, language=options.language, beam_size=5, vad_filter=False,
                                   condition_on_previous_text=False, word_timestamps=True)
    return [Word(float(w.start), float(w.end), w.word, round(float(w.probability), 4))
            for s in segments for w in s.words or []]


def _segments(words: list[Word], stats: list[tuple[float, float, float]]) -> list[Segment]:
    ends = [s[0] for s in stats]
    segments = []
    for group in cut_segments(words):
        # The decoder's confidence is per chunk; a segment takes its chunk's no-speech probability
        # and, as its log probability, the mean of its own words' (what low-confidence flags read).
        k = min(int(np.searchsorted(ends, group[0].start)), len(stats) - 1) if stats else -1
        no_speech = stats[k][2] if k >= 0 else 0.0
        logprob = sum(math.log(max(w.probability, 1e-6)) for w in group) / len(group)
        segments.append(Segment(id=len(segments), start=group[0].start, end=max(w.end for w in group),
                                text=" " + text_of(group), words=group, avg_logprob=round(logprob, 4),
                                no_speech_prob=round(no_speech, 4)))
    return segments
