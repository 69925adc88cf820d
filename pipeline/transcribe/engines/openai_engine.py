"""openai-whisper engine, run offline on the bundled weights converted to its checkpoint format."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from pipeline.artifacts.transcript import Coverage, Segment, Word
from pipeline.core import progress
from pipeline.core.config import model_cache_dir
from pipeline.core.errors import ModelError
from pipeline.transcribe import coverage
from pipeline.transcribe.audio import audio_duration
from pipeline.transcribe.engines.ct2_convert import convert, load_openai_model
from pipeline.transcribe.windows import iter_windows

log = logging.getLogger(__name__)


def checkpoint_for(ct2_dir: Path) -> Path:
    """The converted checkpoint for a CTranslate2 model folder, converting it once."""

    target = model_cache_dir() / f"openai-whisper-{ct2_dir.name}.pt"
    if not target.is_file() or target.stat().st_mtime < (ct2_dir / "model.bin").stat().st_mtime:
        convert(ct2_dir, target)
    return target


@functools.lru_cache(maxsize=1)
def load_model(model_path: str, device: str):
    """Load a converted checkpoint (local folder) or a named openai-whisper model."""
    try:
        import whisper
    except ImportError as exc:
        raise ModelError("engine openai-whisper needs the 'openai' extra: pip install -e '.[openai]'") from exc

    path = Path(model_path)
    if path.is_dir():
        return load_openai_model(checkpoint_for(path), device)
    return whisper.load_model(model_path, device=device)


def transcribe(audio: Path, model_path: str, options) -> tuple[list[Segment], float, Coverage]:
    """Run openai-whisper with the same options and windows as the default engine; same Segment output.

    Coverage is measured as for the default engine; this comparison engine does not repair."""

    model = load_model(model_path, options.device)
    total = audio_duration(audio)
    segments: list[Segment] = []
    regions: list[coverage.Span] = []
    progress.report("transcribe", 0.0, total)  # starts the clock for the speed shown
    for window in iter_windows(audio, options.window_seconds):
        result = model.transcribe(
            window.samples, language=options.language,
            beam_size=options.beam_size if options.beam_size > 1 else None,
            best_of=None if options.beam_size > 1 else 1, condition_on_previous_text=False,
            word_timestamps=True, initial_prompt=", ".join(options.glossary) + "." if options.glossary else None,
            fp16=options.device != "cpu", verbose=None,
        )
        for seg in result["segments"]:
            segments.append(_segment(seg, window.offset, len(segments)))
            progress.report("transcribe", min(window.offset + float(seg["end"]), total), total)
        regions += coverage.speech_regions(window.samples, window.offset)
    words = [w for s in segments for w in s.words]
    return segments, total, coverage.measure(words, regions, options.min_gap,
                                             reason="not repaired (engine openai-whisper)")


def _segment(seg: dict, offset: float, seg_id: int) -> Segment:
    words = [Word(round(offset + float(w["start"]), 3), round(offset + float(w["end"]), 3), w["word"],
                  round(float(w.get("probability", 1.0)), 4)) for w in seg.get("words", [])]
    return Segment(id=seg_id, start=round(offset + float(seg["start"]), 3), end=round(offset + float(seg["end"]), 3),
                   text=seg["text"], words=words, avg_logprob=round(float(seg["avg_logprob"]), 4),
                   no_speech_prob=round(float(seg["no_speech_prob"]), 4))
