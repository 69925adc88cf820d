"""`pipeline add` against what people hand it: names that collide, missing or broken inputs (nothing
is left behind), a 10 MB page (kept out of recording.yaml), dates without a year."""
import sys

import pytest
import yaml
from conftest import SEED_PAGE

from pipeline.artifacts.manifest import load_recording, save_recording
from pipeline.core.errors import (
    ChapterListError,
    ConfigError,
    ManifestError,
    MediaError,
    PipelineError,
)
from pipeline.ingest import add as add_module
from pipeline.ingest.add import add_recording
from pipeline.ingest.page import read_recording_page
from pipeline.runner.run import status_table

SRT = "1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag.\n"


def write(path, content: bytes | str = b"media bytes"):
    """An input file; add copies bytes and does not probe media, so any content will do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def leftovers(data) -> list[str]:
    """Everything under data/recordings, hidden temporary folders included."""
    return sorted(str(p.relative_to(data.root)) for p in data.recordings.rglob("*")) if data.recordings.exists() else []


@pytest.mark.parametrize("media, captions, clash", [
    ("page.txt", None, "would overwrite the page text"),
    ("recording.yaml", None, "would overwrite the manifest"),
    ("Recording.YAML", None, "would overwrite the manifest"),  # the same file on case-insensitive disks
    ("talk.mp4", "page.txt", "captions file 'page.txt' would overwrite the page text"),
    ("talk.srt", "talk.srt", "media and captions are both named 'talk.srt'"),
])
def test_a_file_named_like_the_manifest_page_or_captions_is_refused(data, tmp_path, media, captions, clash):
    media_file = write(tmp_path / "in" / media)
    captions_file = write(tmp_path / "subs" / captions, SRT) if captions else None
    with pytest.raises(ManifestError) as err:
        add_recording(data, "talk", media_file, page=SEED_PAGE, captions=captions_file)
    assert clash in str(err.value) and "\n" not in str(err.value)
    assert leftovers(data) == []


@pytest.mark.parametrize("case, error, match", [
    ("missing captions", ManifestError, "missing.srt: captions file not found"),
    ("broken captions", ManifestError, "no subtitle cues|line"),
    ("missing media", MediaError, "nope.mp4: media file not found"),
    ("missing page", ManifestError, "nope.txt: page file not found"),
    ("broken chapter list", ChapterListError, "line 5: bad time"),
    ("unknown language", ManifestError, "language 'xx' not supported"),
    ("bad --date", ConfigError, "date '17-06-2022' is not a date written YYYY-MM-DD"),
])
def test_a_refused_add_leaves_nothing_behind(data, tmp_path, case, error, match):
    media = write(tmp_path / "talk.mp4")
    args = {"captions": write(tmp_path / "talk.srt", SRT)}
    if case == "missing captions":
        args["captions"] = tmp_path / "missing.srt"
    elif case == "broken captions":
        args["captions"] = write(tmp_path / "bad.srt", "dit zijn geen ondertitels\n")
    elif case == "missing media":
        media = tmp_path / "nope.mp4"
    elif case == "missing page":
        args["page"] = tmp_path / "nope.txt"
    elif case == "broken chapter list":
        args["page"] = write(tmp_path / "page.txt", "Terugkijken: X\n\nInhoudsopgave\n\n00:75:00 - Intro\n")
    elif case == "unknown language":
        args["language"] = "xx"
    else:
        args["date"] = "17-06-2022"
    with pytest.raises(error, match=match) as err:
        add_recording(data, "talk", media, **args)
    assert "\n" not in str(err.value)
    assert leftovers(data) == []


def test_an_add_interrupted_while_building_leaves_nothing(data, tmp_path, monkeypatch):
    def crash(folder, recording):
        assert folder.name.startswith(".tmp-talk-")  # built aside, not in place
        assert data.slugs() == []  # a half-built recording is never listed
        raise KeyboardInterrupt

    monkeypatch.setattr(add_module, "write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        add_recording(data, "talk", write(tmp_path / "talk.mp4"), page=SEED_PAGE)
    assert leftovers(data) == []


def test_a_half_made_folder_from_an_old_add_is_one_clear_error(data, tmp_path):
    write(data.recording_dir("talk") / "talk.mp4")  # what the old add left when the captions were missing
    with pytest.raises(ManifestError, match=r"talk exists but has no recording\.yaml .*move it away"):
        add_recording(data, "talk", write(tmp_path / "talk.mp4"))
    data.recording_dir("empty").mkdir()
    add_recording(data, "empty", write(tmp_path / "talk.mp4"))  # an empty folder is simply used
    assert load_recording(data, "empty").media == "talk.mp4"


def test_slugs_ignore_hidden_temporary_folders(data, tmp_path):
    add_recording(data, "talk", write(tmp_path / "talk.mp4"))
    write(data.recordings / ".tmp-other-1a2b3c4d" / "recording.yaml", "title: T\nmedia: a.mp4\n")
    assert data.slugs() == ["talk"]


def test_a_page_date_without_a_year_is_left_out_with_a_warning_unless_given(data, tmp_path):
    media = write(tmp_path / "talk.mp4")
    warnings = []
    rec = add_recording(data, "one", media, page=SEED_PAGE, on_warning=warnings.append)
    assert rec.date == "" and load_recording(data, "one").date == ""
    assert warnings == [(f"{SEED_PAGE}: line 5: date '17 juni' has no year, so it was left out "
                         "(give it with --date YYYY-MM-DD)")]
    warnings.clear()
    rec = add_recording(data, "two", media, page=SEED_PAGE, date="2022-06-17", on_warning=warnings.append)
    assert rec.date == "2022-06-17" and warnings == []
    raw = yaml.safe_load((data.recording_dir("two") / "recording.yaml").read_text(encoding="utf-8"))
    assert raw["date"] == "2022-06-17"


# -------------------------------------------------------------------------------- a 10 MB page

_OPENED: list[str] | None = None


def _audit(event, args):
    if _OPENED is not None and event == "open" and isinstance(args[0], str):
        _OPENED.append(args[0])


@pytest.fixture
def opened_files():
    """Record every file the code under test opens (audit hooks cannot be removed: installed once)."""
    global _OPENED
    if not getattr(sys, "_ingest_test_audit", False):
        sys.addaudithook(_audit)
        sys._ingest_test_audit = True
    _OPENED = []
    yield _OPENED
    _OPENED = None


def test_a_10_mb_page_stays_out_of_the_manifest_and_out_of_load_status_and_run(data, tmp_path, opened_files):
    seed = SEED_PAGE.read_text(encoding="utf-8")
    paragraph = "Dit is een zeer lange introductie over slimme en duurzame mobiliteit in regio Oost. " * 12
    padding = "\n\n".join([paragraph] * 10_000)
    big = write(tmp_path / "big-page.txt", seed.replace("Introductie\n\n", f"Introductie\n\n{padding}\n\n", 1))
    assert big.stat().st_size > 10_000_000
    add_recording(data, "big", write(tmp_path / "talk.mp4"), page=big, date="2022-06-17")
    folder = data.recording_dir("big")
    page = str(folder / "page.txt")
    assert (folder / "page.txt").stat().st_size == big.stat().st_size
    assert (folder / "recording.yaml").stat().st_size < 20_000

    opened_files.clear()
    rec = load_recording(data, "big")
    assert len(rec.chapters) == 8 and rec.page == "page.txt"
    assert str(folder / "recording.yaml") in opened_files and page not in opened_files
    # `pipeline status` and `pipeline run` load every recording the same way. (A stage that uses the
    # page's texts may list page.txt as an input: the runner hashes it, caches the hash, and moves on.)
    from pipeline.stages import all_stages

    rows = status_table(data, all_stages())
    assert rows[0]["recording"] == "big" and "error" not in rows[0]

    # The page's own texts are read only when asked for.
    info = read_recording_page(data, rec)
    assert info.introduction.startswith("Dit is een zeer lange introductie") and len(info.introduction) > 10_000_000
    assert page in opened_files


def test_read_recording_page_none_without_a_page_and_page_txt_for_old_manifests(data, tmp_path):
    rec = add_recording(data, "talk", write(tmp_path / "talk.mp4"))
    assert rec.page == "" and read_recording_page(data, rec) is None
    write(data.recording_dir("talk") / "page.txt", SEED_PAGE.read_bytes())  # added before `page:` existed
    info = read_recording_page(data, load_recording(data, "talk"))
    assert info.summary.startswith("Het programma Krachtenbundeling")
    rec.page = "gone.txt"
    save_recording(data, rec)
    with pytest.raises(PipelineError, match="gone.txt: page file not found"):
        read_recording_page(data, load_recording(data, "talk"))
