"""Transcribe stage: audio.wav (or human captions) -> transcript.json/.srt/.vtt/.txt."""
from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipeline.artifacts.transcript import Coverage, Transcript
from pipeline.core import fsutil
from pipeline.core.errors import ConfigError, MediaError
from pipeline.core.timecode import format_clock
from pipeline.editorial.corrections import glossary_terms
from pipeline.publish.subtitles import Cue, Token, format_srt, format_vtt, layout_cues
from pipeline.runner.run import RunLog
from pipeline.runner.stage import Stage, StageContext, package_versions
from pipeline.transcribe.audio import audio_duration
from pipeline.transcribe.engines import captions as captions_engine
from pipeline.transcribe.engines import faster
from pipeline.transcribe.models import model_identity, resolve_model
from pipeline.transcribe.quality import check_segments

log = logging.getLogger(__name__)
ENGINES = ("faster-whisper", "openai-whisper", "subtitles")


@dataclass(frozen=True)
class TranscribeOptions:
    """How to transcribe. Defaults suit long lectures on a small CPU machine."""

    engine: str = "faster-whisper"  # faster-whisper | openai-whisper | subtitles
    model: str = "base"  # 'base' = bundled offline weights; other names/folders passed on
    language: str = "nl"  # forced from recording.yaml: no guessing on the first 30 s
    beam_size: int = 0  # 0 = automatic: 3 when batched, 5 when sequential (see bench/results.json)
    # 1 = sequential (the default: the fewest errors on Dutch lectures); >1 = faster-whisper's batched
    # pipeline over VAD chunks, about 1.4x faster on Dutch here and 1 point worse (bench/results.json)
    batch_size: int = 1
    vad: bool = True  # skip non-speech (Silero VAD bundled with faster-whisper)
    vad_threshold: float = 0.5  # Silero speech probability the decoder treats as speech
    # sequential: re-decode a window at higher temperatures (sampling, seeded so runs agree) when it
    # looks wrong: 21.6 -> 20.4 % WER on 10.5 min of Dutch, at up to 4x the time on noisy English
    fallback: bool = True
    chunk_seconds: int = 15  # batched: longest stretch decoded in one go (Whisper's own is 30)
    compute_type: str = "int8"  # CTranslate2 precision: int8 on CPU, float16 on GPU
    device: str = "cpu"  # cpu | cuda
    cpu_threads: int = 0  # 0 = all cores
    # The glossary costs speech as a prompt (see engines/faster.glossary_hints): by default it corrects
    # the text afterwards; PIPELINE_GLOSSARY_PROMPT=1 also gives it to Whisper, repair then catching losses.
    glossary_prompt: bool = False
    glossary: tuple[str, ...] = ()  # the terms given to Whisper (filled from the review database)
    repair: bool = True  # re-decode speech the transcript has no words for (transcribe/coverage.py)
    repair_min: float = 0.5  # uncovered speech this long or longer is re-decoded
    min_gap: float = 1.0  # uncovered speech this long or longer that stays uncovered is a reported gap
    window_seconds: float = 600.0  # long audio is transcribed in windows cut at the quietest moment (flat memory)

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"engine {self.engine!r} unknown; choose one of {', '.join(ENGINES)}")
        if self.beam_size == 0:
            # Sequential beam 5 (the default). Batched beam 5 was no better than beam 3 and slower;
            # greedy was 8 points worse on the Flemish clips (bench/results.json).
            object.__setattr__(self, "beam_size", 3 if self.batch_size > 1 else 5)
        if self.beam_size < 1 or self.batch_size < 1:
            raise ConfigError("beam_size and batch_size must be at least 1")
        if self.window_seconds < 60:
            raise ConfigError("window_seconds must be at least 60 (Whisper needs context)")
        if self.engine == "openai-whisper" and self.batch_size > 1:
            raise ConfigError("engine openai-whisper has no batching: set batch_size=1")
        if self.device == "cpu" and self.compute_type == "float16":
            raise ConfigError("compute_type float16 needs device cuda; use int8 or float32 on cpu")

    @classmethod
    def from_env(cls, **overrides) -> "TranscribeOptions":
        """Defaults, overridden by $PIPELINE_ENGINE / _MODEL / _BEAM_SIZE / _BATCH_SIZE / _DEVICE / _COMPUTE_TYPE."""
        env = {k: os.environ.get(f"PIPELINE_{k.upper()}") for k in
               ("engine", "model", "beam_size", "batch_size", "device", "compute_type")}
        values = {k: (int(v) if k in ("beam_size", "batch_size") else v) for k, v in env.items() if v}
        if os.environ.get("PIPELINE_GLOSSARY_PROMPT"):
            values["glossary_prompt"] = os.environ["PIPELINE_GLOSSARY_PROMPT"] not in ("0", "")
        values.update({"cpu_threads": int(n)} if (n := os.environ.get("PIPELINE_CPU_THREADS")) else {})
        values.update(overrides)
        if values.get("engine") == "openai-whisper":
            values.setdefault("batch_size", 1)
        return cls(**values)


def transcribe_audio(audio: Path, options: TranscribeOptions) -> Transcript:
    """Transcribe a 16 kHz mono WAV with the chosen Whisper engine."""

    if audio_duration(audio) <= 0:
        raise MediaError(f"{audio}: audio is empty")
    model_path = resolve_model(options.model)
    if options.engine == "openai-whisper":
        # torch (about 2 GB) is an optional extra: imported only when this engine is chosen
        from pipeline.transcribe.engines import openai_engine as engine
    else:
        engine = faster
    segments, duration, measured = engine.transcribe(audio, model_path, options)
    if not any(s.text.strip() for s in segments):
        raise MediaError(f"{audio}: no speech found in {duration:.1f} s of audio (silent or not speech)")
    packages = ("faster-whisper", "ctranslate2") if options.engine == "faster-whisper" else ("openai-whisper", "torch")
    return Transcript(language=options.language, duration=round(duration, 3), engine=options.engine,
                      model=options.model, segments=check_segments(segments),
                      options=text_options(options),
                      versions=package_versions(packages), coverage=measured)


def transcribe_captions(captions: Path, language: str, duration: float) -> Transcript:
    """Import human captions as the transcript (engine 'subtitles')."""

    segments = check_segments(captions_engine.transcribe(captions, duration))
    return Transcript(language=language, duration=round(max(duration, segments[-1].end), 3), engine="subtitles",
                      model=captions.name, segments=segments, options={"captions": captions.name})


def write_transcript(transcript: Transcript, work_dir: Path) -> list[Path]:
    """transcript.json plus .srt, .vtt and .txt, each written atomically."""
    if transcript.engine == "subtitles":  # human captions keep their own cues
        cues = [Cue(s.start, s.end, s.text.strip()) for s in transcript.segments]
    else:  # publishable cues: 2 lines of 42 characters, 1-7 s, cut at phrase boundaries
        cues = layout_cues([Token(w.word.strip(), w.start, w.end, w.word.rstrip().endswith((".", "?", "!")))
                            for w in transcript.words() if w.word.strip()])
    return [
        transcript.save(work_dir / "transcript.json"),
        fsutil.write_text(work_dir / "transcript.srt", format_srt(cues)),
        fsutil.write_text(work_dir / "transcript.vtt", format_vtt(cues)),
        fsutil.write_text(work_dir / "transcript.txt",
                          "\n".join(s.text.strip() for s in transcript.segments if s.text.strip()) + "\n"),
    ]


def options_for(ctx: StageContext) -> TranscribeOptions:
    """Options for a recording: its language; engine 'subtitles' when it has captions."""
    if ctx.recording.captions:
        return TranscribeOptions(engine="subtitles", language=ctx.recording.language)
    return TranscribeOptions.from_env(language=ctx.recording.language)


def _glossary(ctx: StageContext) -> list[str]:
    """The glossary given to Whisper: pinned to the one a recording was first transcribed with.

    Growing the glossary must not mark 5,000 hours of transcripts stale, yet equal fingerprints
    must mean equal inputs; so a recording keeps the glossary of its transcript until
    `pipeline run --force` re-transcribes it with today's.
    """
    if not ctx.force and (ctx.work_dir / "transcript.json").is_file():
        # run.json holds the last run's parameters: cheap to read, unlike a 10 MB transcript.json
        previous = RunLog(ctx.work_dir / "run.json").stage("transcribe").get("params", {})
        pinned = previous.get("glossary")
        if previous.get("glossary_prompt") and isinstance(pinned, list):
            return [str(t) for t in pinned]
    return glossary_terms(ctx.paths)


def _inputs(ctx: StageContext) -> list[Path]:
    if ctx.recording.captions:
        return [ctx.recording_dir / ctx.recording.captions]
    return [ctx.work_dir / "audio.wav"]


def _build(ctx: StageContext) -> dict:
    options = options_for(ctx)
    if options.engine == "subtitles":
        duration = audio_duration(ctx.work_dir / "audio.wav") if (ctx.work_dir / "audio.wav").is_file() else 0.0
        transcript = transcribe_captions(ctx.recording_dir / ctx.recording.captions, options.language, duration)
    else:
        if options.glossary_prompt:
            options = replace(options, glossary=tuple(_glossary(ctx)))
        transcript = transcribe_audio(ctx.work_dir / "audio.wav", options)
    write_transcript(transcript, ctx.work_dir)
    flagged = sum(1 for s in transcript.segments if s.flags)
    warnings = [f"{flagged} segment(s) flagged for review"] if flagged else []
    warnings += gap_warnings(transcript.coverage)
    cov = transcript.coverage
    return {"segments": len(transcript.segments), "flagged": flagged, "engine": transcript.engine,
            "speech_seconds": cov.speech_seconds, "covered_seconds": cov.covered_seconds,
            "gaps": len(cov.gaps), "repaired": len(cov.repaired), "warnings": warnings}


def gap_warnings(coverage: Coverage) -> list[str]:
    """One line per stretch of speech the transcript has no words for, for status and editors."""
    return [f"speech not transcribed {format_clock(g.start)}–{format_clock(g.end)} ({g.end - g.start:.0f} s, {g.reason})"
            for g in coverage.gaps]


# Options that change how fast, not what is written: a move to a GPU or another thread count
# must not mark every transcript stale.
SPEED_ONLY = ("device", "compute_type", "cpu_threads")


def text_options(options: TranscribeOptions) -> dict:
    """The options that shape the text, as recorded in transcript.json: speed-only settings (device,
    compute type, threads) are left out, so the same audio gives the same bytes on any machine."""
    values = {k: v for k, v in asdict(options).items() if k not in SPEED_ONLY}
    return {**values, "glossary": list(options.glossary)}


def _params(ctx: StageContext) -> dict:
    """What changes the text: engine, model identity, language, decoding options and the glossary."""
    options = asdict(options_for(ctx))
    for name in SPEED_ONLY:
        options.pop(name)
    # JSON has no tuples: compare the glossary as the list run.json stores, or it is never equal
    options["glossary"] = []
    if options["engine"] != "subtitles":
        options["model"] = model_identity(options["model"])
        options["glossary"] = _glossary(ctx) if options["glossary_prompt"] else []
    return options


STAGE = Stage(
    name="transcribe",
    description="speech to text with word timestamps (faster-whisper by default)",
    inputs=_inputs,
    params=_params,
    outputs=lambda ctx: [ctx.work_dir / f"transcript.{ext}" for ext in ("json", "srt", "vtt", "txt")],
    build=_build,
    packages=("faster-whisper", "ctranslate2"),
)
