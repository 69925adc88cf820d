"""faster-whisper engine (CTranslate2): the default, several times faster than openai-whisper."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from pipeline.artifacts.transcript import Segment, Word
from pipeline.core import progress
from pipeline.transcribe.audio import audio_duration
from pipeline.transcribe.windows import iter_windows

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def load_model(model_path: str, device: str, compute_type: str, cpu_threads: int):
    """Load (and keep) a WhisperModel; loading takes about a second for base."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_path, device=device, compute_type=compute_type, cpu_threads=cpu_threads)


def transcribe(audio: Path, model_path: str, options) -> tuple[list[Segment], float]:
    """Run faster-whisper on a 16 kHz WAV, window by window; returns (segments, audio duration)."""

    model = load_model(model_path, options.device, options.compute_type, options.cpu_threads)
    total = audio_duration(audio)
    segments: list[Segment] = []
    progress.report("transcribe", 0.0, total)  # starts the clock for the speed shown
    for window in iter_windows(audio, options.window_seconds):
        for seg in _transcribe_window(model, window.samples, options):
            segments.append(_segment(seg, window.offset, len(segments)))
            progress.report("transcribe", min(window.offset + seg.end, total), total)
    progress.report("transcribe", total, total)
    return segments, total


def _transcribe_window(model, samples, options):
    from faster_whisper import BatchedInferencePipeline

    kwargs = dict(
        language=options.language, beam_size=options.beam_size, vad_filter=options.vad,
        condition_on_previous_text=False, word_timestamps=True,
        initial_prompt=options.initial_prompt or None, hotwords=options.hotwords or None,
    )
    if options.batch_size > 1:
        raw, _ = BatchedInferencePipeline(model).transcribe(
            samples, batch_size=options.batch_size, without_timestamps=False, **kwargs)
    else:
        raw, _ = model.transcribe(samples, **kwargs)
    return raw  # a generator: the work happens while the caller iterates


def _segment(seg, offset: float, seg_id: int) -> Segment:
    words = [Word(round(offset + w.start, 3), round(offset + w.end, 3), w.word, round(w.probability, 4))
             for w in seg.words or []]
    return Segment(id=seg_id, start=round(offset + seg.start, 3), end=round(offset + seg.end, 3),
                   text=seg.text, words=words, avg_logprob=round(seg.avg_logprob, 4),
                   no_speech_prob=round(seg.no_speech_prob, 4))
