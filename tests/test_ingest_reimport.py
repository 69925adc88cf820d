"""`pipeline add SLUG --page page.txt` on an existing recording re-imports a corrected page: title,
date, speakers, chapters and page.txt change; media, captions, data/work and review.sqlite do not."""
import os
import subprocess
import sys

import pytest
import yaml
from conftest import SEED_PAGE

from pipeline.artifacts.manifest import load_recording, save_recording
from pipeline.core.errors import ConfigError, ManifestError
from pipeline.ingest.add import add_recording, reimport_page

SRT = "1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag.\n"
SEED = SEED_PAGE.read_text(encoding="utf-8")
# The page as first handed in: one chapter and one speaker missing, a typo in the title.
FIRST_DRAFT = (SEED.replace("00:59:00 - Wie is wie in het programma Krachtenbundeling?\n", "")
               .replace("Open college Krachtenbundeling bij", "Open colege Krachtenbundeling bij")
               .replace("Alex Smienk\nAlex Smienk\n", "").replace("Provincie Overijssel\nAdviseur", "Adviseur"))


def write(path, content: bytes | str = b"media bytes"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def snapshot(*paths) -> dict:
    """Bytes and modification time of each file: 'untouched' means both are equal afterwards."""
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


@pytest.fixture
def added(data, tmp_path):
    """A recording added from the first draft of the page, with editors' work and pipeline outputs."""
    add_recording(data, "open-college", write(tmp_path / "lecture.mp4"), page=write(tmp_path / "draft.txt", FIRST_DRAFT),
                  captions=write(tmp_path / "lecture.srt", SRT), on_warning=lambda w: None)
    folder = data.recording_dir("open-college")
    kept = [folder / "lecture.mp4", folder / "lecture.srt", write(data.review_db, b"SQLite format 3\x00 editors"),
            write(data.work_dir("open-college") / "run.json", '{"drafts": {"status": "done"}}'),
            write(data.work_dir("open-college") / "drafts.json", "{}")]
    return kept


def test_reimport_updates_metadata_and_page_and_leaves_everything_else(data, tmp_path, added):
    before = load_recording(data, "open-college")
    assert len(before.chapters) == 7 and len(before.speakers) == 1 and before.title.startswith("Open colege")
    untouched = snapshot(*added)
    warnings = []
    update = reimport_page(data, "open-college", SEED_PAGE, date="2022-06-17", on_warning=warnings.append)
    assert update.describe() == ("8 chapters (was 7), 2 speakers (was 1), title 'Open college Krachtenbundeling "
                                 "bij slimme en duurzame mobiliteit' (was 'Open colege Krachtenbundeling bij slimme "
                                 "en duurzame mobiliteit'), date 2022-06-17 (was none), page.txt replaced")
    assert warnings == []  # the date was given, so the page's year-less '17 juni' needs no warning
    after = load_recording(data, "open-college")
    assert after == update.after and update.before == before
    assert (len(after.chapters), len(after.speakers), after.date) == (8, 2, "2022-06-17")
    assert (after.media, after.captions, after.language, after.page) == ("lecture.mp4", "lecture.srt", "nl", "page.txt")
    assert (data.recording_dir("open-college") / "page.txt").read_bytes() == SEED_PAGE.read_bytes()
    assert snapshot(*added) == untouched
    assert sorted(p.name for p in data.recordings.iterdir()) == ["open-college"]  # nothing left aside

    again = reimport_page(data, "open-college", SEED_PAGE, on_warning=warnings.append)
    assert again.describe() == "8 chapters, 2 speakers, page.txt unchanged"
    assert again.after.date == "2022-06-17"  # kept: the page's '17 juni' has no year
    assert warnings == [(f"{SEED_PAGE}: line 5: date '17 juni' has no year, so recording.yaml keeps 2022-06-17 "
                         "(give it with --date YYYY-MM-DD)")]


def test_reimport_refusals_are_one_clear_line(data, tmp_path, added):
    with pytest.raises(ManifestError, match="no recording 'other' yet: give --media FILE to add it"):
        reimport_page(data, "other", SEED_PAGE)
    assert not data.recording_dir("other").exists()
    with pytest.raises(ManifestError, match="already exists: give --page FILE"):
        reimport_page(data, "open-college", None)
    with pytest.raises(ManifestError, match="already exists"):
        add_recording(data, "open-college", tmp_path / "lecture.mp4", page=SEED_PAGE)
    with pytest.raises(ConfigError, match="date '17 juni' is not a date written YYYY-MM-DD"):
        reimport_page(data, "open-college", SEED_PAGE, date="17 juni")
    with pytest.raises(ManifestError, match="page file not found"):
        reimport_page(data, "open-college", tmp_path / "nope.txt")
    assert len(load_recording(data, "open-college").chapters) == 7  # nothing changed


def test_reimport_fixes_a_manifest_that_stored_a_date_as_text(data, added):
    folder = data.recording_dir("open-college")
    raw = yaml.safe_load((folder / "recording.yaml").read_text(encoding="utf-8"))
    raw["date"] = "17 juni"  # what older versions of `pipeline add` stored
    (folder / "recording.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ManifestError, match="date '17 juni' is not YYYY-MM-DD"):
        load_recording(data, "open-college")
    update = reimport_page(data, "open-college", folder / "page.txt", date="2022-06-17")  # the page in place
    assert update.before.date == "" and load_recording(data, "open-college").date == "2022-06-17"


def test_reimport_keeps_a_chapter_file_and_says_so(data, added):
    rec = load_recording(data, "open-college")
    rec.chapters, rec.chapters_file = [], "chapters.vtt"
    save_recording(data, rec)
    warnings = []
    update = reimport_page(data, "open-college", SEED_PAGE, on_warning=warnings.append)
    assert update.after.chapters == [] and update.after.chapters_file == "chapters.vtt"
    assert any("takes its chapters from chapters.vtt" in w for w in warnings)


# ------------------------------------------------------------------------------------------ CLI

def cli(data, *args):
    env = {**os.environ, "CI": "1"}
    env.pop("PIPELINE_DATA", None)
    return subprocess.run([sys.executable, "-m", "pipeline", "--data", str(data.root), "add", *args],
                          capture_output=True, text=True, env=env, check=False)


def test_cli_add_then_reimport_a_corrected_page(data, tmp_path):
    media = write(tmp_path / "lecture.mp4")
    draft = write(tmp_path / "page.txt", FIRST_DRAFT)
    added = cli(data, "open-college", "--media", str(media), "--page", str(draft))
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added open-college: 7 chapters, 1 speakers, language nl")
    assert added.stderr == (f"warning: {draft}: line 5: date '17 juni' has no year, so it was left out "
                            "(give it with --date YYYY-MM-DD)\n")
    kept = [write(data.review_db, b"SQLite format 3\x00 editors"), write(data.work_dir("open-college") / "run.json", "{}"),
            data.recording_dir("open-college") / "lecture.mp4"]
    untouched = snapshot(*kept)

    updated = cli(data, "open-college", "--page", str(SEED_PAGE), "--date", "2022-06-17")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.startswith("updated open-college: 8 chapters (was 7), 2 speakers (was 1), title ")
    assert "date 2022-06-17 (was none), page.txt replaced" in updated.stdout and updated.stderr == ""
    assert snapshot(*kept) == untouched
    raw = yaml.safe_load((data.recording_dir("open-college") / "recording.yaml").read_text(encoding="utf-8"))
    assert len(raw["chapters"]) == 8 and raw["date"] == "2022-06-17" and raw["media"] == "lecture.mp4"


@pytest.mark.parametrize("args, message", [
    (["new-one", "--page", str(SEED_PAGE)], "error: no recording 'new-one' yet: give --media FILE to add it"),
    (["open-college"], "error: recording 'open-college' already exists: give --page FILE to re-import its page"),
    (["open-college", "--media", "{media}"], "error: recording 'open-college' already exists in "),
    (["open-college", "--page", str(SEED_PAGE), "--captions", "{media}"], "error: --captions needs --media"),
    (["open-college", "--page", str(SEED_PAGE), "--date", "17-06-2022"], "error: date '17-06-2022' is not a date"),
    (["talk", "--media", "{page_named_media}"], "error: media file 'page.txt' would overwrite the page text"),
    (["talk", "--media", "{media}", "--captions", "{missing}"], "error: "),
])
def test_cli_add_errors_are_one_line(data, tmp_path, args, message):
    media = write(tmp_path / "lecture.mp4")
    assert cli(data, "open-college", "--media", str(media)).returncode == 0
    names = {"media": str(media), "page_named_media": str(write(tmp_path / "in" / "page.txt")),
             "missing": str(tmp_path / "missing.srt")}
    out = cli(data, *[a.format(**names) for a in args])
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith(message), out.stderr
    assert sorted(p.name for p in data.recordings.iterdir()) == ["open-college"]
