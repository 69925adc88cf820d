"""faster-whisper engine (CTranslate2): the default, several times faster than openai-whisper."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from pipeline import progress
from pipeline.artifacts import Segment, Word

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def load_model(model_path: str, device: str, compute_type: str, cpu_threads: int):
    """Load (and keep) a WhisperModel; loading takes about a second for base."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_path, device=device, compute_type=compute_type, cpu_threads=cpu_threads)


def transcribe(audio: Path, model_path: str, options) -> tuple[list[Segment], float]:
    """Run faster-whisper on a 16 kHz WAV; returns (segments, audio duration)."""
    from faster_whisper import BatchedInferencePipeline

    model = load_model(model_path, options.device, options.compute_type, options.cpu_threads)
    kwargs = dict(
        language=options.language, beam_size=options.beam_size, vad_filter=options.vad,
        condition_on_previous_text=False, word_timestamps=True,
        initial_prompt=options.initial_prompt or None, hotwords=options.hotwords or None,
    )
    if options.batch_size > 1:
        pipeline = BatchedInferencePipeline(model)
        raw, info = pipeline.transcribe(str(audio), batch_size=options.batch_size,
                                        without_timestamps=False, **kwargs)
    else:
        raw, info = model.transcribe(str(audio), **kwargs)
    segments = []
    for seg in raw:  # the generator does the work: report progress as segments arrive
        words = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4)) for w in seg.words or []]
        segments.append(Segment(id=len(segments), start=round(seg.start, 3), end=round(seg.end, 3),
                                text=seg.text, words=words, avg_logprob=round(seg.avg_logprob, 4),
                                no_speech_prob=round(seg.no_speech_prob, 4)))
        progress.report("transcribe", min(seg.end, info.duration), info.duration)
    progress.report("transcribe", info.duration, info.duration)
    return segments, info.duration
