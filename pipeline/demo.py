"""`make demo`: add the bundled sample recording and run the whole pipeline on it."""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from pipeline.cli import main as cli_main
from pipeline.core.config import data_paths

SLUG = "demo-open-college"
OUTPUTS = [
    ("transcript.txt", "the words (also transcript.srt, .vtt, .json with word timestamps)"),
    ("chapters.json", "chapters with boundaries snapped to what was said (chapters/ has SRT/VTT/TXT each)"),
    ("segments.parquet", "one row per segment with its chapter, for pandas (segments.csv alongside)"),
    ("drafts.json", "summary sentences, keyphrases, quotes and questions per chapter, with timestamps"),
    ("page.md", "the draft page in the seed's structure (page.html alongside)"),
]


def sample_dir() -> Path:
    """The sample shipped inside the package (real Dutch speech, 2 minutes, 4 chapters)."""
    return Path(str(resources.files("pipeline") / "sample"))


def main() -> int:
    paths = data_paths()
    sample = sample_dir()
    if not (paths.recording_dir(SLUG) / "recording.yaml").exists():
        code = cli_main(["add", SLUG, "--media", str(sample / "open-college-demo.ogg"),
                         "--page", str(sample / "page.txt")])
        if code:
            return code
    code = cli_main(["run", SLUG])
    if code:
        return code
    work = paths.work_dir(SLUG)
    print("\nThe demo produced:")
    for name, what in OUTPUTS:
        if (work / name).exists():
            print(f"  {work / name}  {what}")
    if (work / "page.md").exists():
        print("\n--- page.md (first lines) ---")
        print("\n".join((work / "page.md").read_text(encoding="utf-8").splitlines()[:22]))
    print("\nNext: 'make review' to check the drafts in the browser, 'make search Q=timer' to search.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
