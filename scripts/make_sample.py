"""Build the bundled demo sample (pipeline/sample/) from real clips in ../shared/testdata.

Run once by a maintainer (`.venv/bin/python scripts/make_sample.py`); the output is committed.
Chapter 1 is read Flemish sentences (CC0), chapters 2-4 are spoken Dutch voice commands
(Apache-2.0), separated by short pauses, so the demo has real speech and real chapter breaks.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipeline.core.timecode import format_hms
from pipeline.extract.ffmpeg import pydub_audio_segment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "testdata"
OUT = ROOT / "pipeline" / "sample"
FLEMISH = SHARED / "nl_flemish_dutch_vl_tts_samples"
COMMANDS = SHARED / "nl_speech_to_phrase_commands"
CHAPTERS = [
    ("Welkom en inleiding", [FLEMISH / f for f in ("vl12745.wav", "vl14994.wav", "vl09647.wav",
                                                    "vl00203.wav", "vl04108.wav")]),
    ("Lampen en deuren in huis", [COMMANDS / "wav" / f"nl_cmd_{n:02d}.wav" for n in (3, 7, 8, 12, 14, 21, 22, 23, 24, 25)]),
    ("Timers zetten en stoppen", [COMMANDS / "wav" / f"nl_cmd_{n:02d}.wav" for n in (26, 27, 29, 13, 10, 4, 2, 1)]),
    ("Vragen over weer en tijd", [COMMANDS / "wav" / f"nl_cmd_{n:02d}.wav" for n in (6, 16, 18, 17, 20, 19)]),
]
PAGE = """Terugkijken: Open college Demo: spraak in huis en op straat

Introductie

Op vrijdag 14 juni 2024 gaven Anna de Vries van Voorbeeldlab en Bram Jansen van de Provincie Voorbeeld een kort open college over spraaktechnologie. Je kunt het open college hieronder terugkijken.

Inhoudsopgave

Klik op de link om naar het betreffende fragment te gaan.

{chapters}

Kijk het open college terug (zie ook inhoudsopgave)

Samenvatting

Een korte demonstratie-opname: eerst enkele voorgelezen zinnen, daarna gesproken opdrachten voor lampen, deuren, timers en het weer.

Sprekers

Anna de Vries
Anna de Vries
Voorbeeldlab
Onderzoeker spraaktechnologie
Bram Jansen
Bram Jansen
Provincie Voorbeeld
Adviseur digitalisering
"""


def build() -> None:
    AudioSegment = pydub_audio_segment()
    audio = AudioSegment.silent(duration=800, frame_rate=16000)
    lines, truth, reference = [], [], []
    texts = {FLEMISH / r[0]: r[1] for r in csv.reader((FLEMISH / "transcripts.tsv").open(encoding="utf-8"), delimiter="\t")}
    texts.update({COMMANDS / r[0]: r[1] for r in csv.reader((COMMANDS / "transcripts.tsv").open(encoding="utf-8"), delimiter="\t")})
    for n, (title, clips) in enumerate(CHAPTERS):
        if n:
            audio += AudioSegment.silent(duration=2500, frame_rate=16000)
        start = len(audio) / 1000
        lines.append(f"{format_hms(0 if n == 0 else start)} - {title}")
        truth.append(f"{start:.2f}\t{title}")
        for clip in clips:
            reference.append(texts[clip])
            audio += AudioSegment.from_wav(clip).set_frame_rate(16000).set_channels(1)
            audio += AudioSegment.silent(duration=700, frame_rate=16000)
    OUT.mkdir(parents=True, exist_ok=True)
    audio.export(OUT / "open-college-demo.ogg", format="ogg", codec="libopus", bitrate="24k")
    (OUT / "page.txt").write_text(PAGE.format(chapters="\n".join(lines)), encoding="utf-8")
    (OUT / "reference.txt").write_text("\n".join(reference) + "\n", encoding="utf-8")
    (OUT / "true_chapter_starts.tsv").write_text("\n".join(truth) + "\n", encoding="utf-8")
    for folder, name in ((FLEMISH, "LICENSE-flemish-CC0.txt"), (COMMANDS, "LICENSE-speech-to-phrase-Apache-2.0.md")):
        shutil.copyfile(next(folder.glob("LICENSE*")), OUT / name)
    print(f"{len(audio) / 1000:.1f} s -> {OUT}")


if __name__ == "__main__":
    build()
