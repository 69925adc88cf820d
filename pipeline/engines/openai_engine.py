"""openai-whisper engine, run offline on the bundled weights converted to its checkpoint format."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from pipeline import progress
from pipeline.artifacts import Segment, Word
from pipeline.config import model_cache_dir
from pipeline.errors import ModelError

log = logging.getLogger(__name__)


def checkpoint_for(ct2_dir: Path) -> Path:
    """The converted checkpoint for a CTranslate2 model folder, converting it once."""
    from pipeline.engines.ct2_convert import convert

    target = model_cache_dir() / f"openai-whisper-{ct2_dir.name}.pt"
    if not target.is_file() or target.stat().st_mtime < (ct2_dir / "model.bin").stat().st_mtime:
        convert(ct2_dir, target)
    return target


@functools.lru_cache(maxsize=1)
def load_model(model_path: str, device: str):
    """Load a converted checkpoint (local folder) or a named openai-whisper model."""
    try:
        import whisper  # noqa: F401
    except ImportError as exc:
        raise ModelError("engine openai-whisper needs the 'openai' extra: pip install -e '.[openai]'") from exc
    from pipeline.engines.ct2_convert import load_openai_model

    path = Path(model_path)
    if path.is_dir():
        return load_openai_model(checkpoint_for(path), device)
    import whisper

    return whisper.load_model(model_path, device=device)


def read_wav(path: Path):
    """A 16 kHz mono 16-bit WAV (as the extract stage writes it) as float32 samples in [-1, 1]."""
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as wav:
        if wav.getframerate() != 16000 or wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ModelError(f"{path}: expected 16 kHz mono 16-bit WAV from the extract stage")
        data = wav.readframes(wav.getnframes())
    return np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768.0


def transcribe(audio: Path, model_path: str, options) -> tuple[list[Segment], float]:
    """Run openai-whisper with the same options as the default engine; same Segment output."""
    import whisper

    model = load_model(model_path, options.device)
    samples = read_wav(audio)  # whisper.load_audio would need ffmpeg on PATH
    duration = len(samples) / whisper.audio.SAMPLE_RATE
    result = model.transcribe(
        samples, language=options.language, beam_size=options.beam_size if options.beam_size > 1 else None,
        best_of=None if options.beam_size > 1 else 1, condition_on_previous_text=False,
        word_timestamps=True, initial_prompt=options.initial_prompt or None,
        fp16=options.device != "cpu", verbose=None,
    )
    segments = []
    for seg in result["segments"]:
        words = [Word(round(float(w["start"]), 3), round(float(w["end"]), 3), w["word"], round(float(w.get("probability", 1.0)), 4))
                 for w in seg.get("words", [])]
        segments.append(Segment(id=len(segments), start=round(float(seg["start"]), 3), end=round(float(seg["end"]), 3),
                                text=seg["text"], words=words, avg_logprob=round(float(seg["avg_logprob"]), 4),
                                no_speech_prob=round(float(seg["no_speech_prob"]), 4)))
        progress.report("transcribe", min(seg["end"], duration), duration)
    return segments, duration
