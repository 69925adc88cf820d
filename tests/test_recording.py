"""recording.yaml: `pipeline add` creates it; manifests round-trip; bad manifests fail clearly."""
import pytest
import yaml
from conftest import SEED_PAGE, make_tone

from pipeline.artifacts.manifest import (
    Recording,
    captions_path,
    load_recording,
    page_path,
    save_recording,
)
from pipeline.core.config import DataPaths, check_slug, data_paths
from pipeline.core.errors import ConfigError, ManifestError, MediaError
from pipeline.core.timecode import format_hms, parse_hms
from pipeline.ingest.add import add_recording


def test_add_with_seed_page_writes_manifest(data, tmp_path):
    media = make_tone(tmp_path / "lecture.mp3")
    rec = add_recording(data, "krachtenbundeling", media, page=SEED_PAGE, date="2022-06-17")
    folder = data.recording_dir("krachtenbundeling")
    assert (folder / "lecture.mp3").is_file() and (folder / "page.txt").is_file()
    assert (folder / "page.txt").read_bytes() == SEED_PAGE.read_bytes()
    loaded = load_recording(data, "krachtenbundeling")
    assert loaded == rec
    assert len(loaded.chapters) == 8 and loaded.chapters[2].start == 605
    assert loaded.speakers[0].organisation == "AT Osborne"
    assert loaded.page == "page.txt" and page_path(data, loaded) == (folder / "page.txt").resolve()
    raw = yaml.safe_load((folder / "recording.yaml").read_text(encoding="utf-8"))
    assert raw["chapters"][7] == {"start": "01:46:13", "title": "Wrap up"}
    assert raw["media"] == "lecture.mp3" and raw["language"] == "nl" and raw["date"] == "2022-06-17"
    # the page's texts stay in page.txt
    assert "introduction" not in raw and "summary" not in raw and raw["page"] == "page.txt"


def test_add_refuses_existing_slug_and_missing_media(data, tmp_path):
    media = make_tone(tmp_path / "a.wav")
    add_recording(data, "one", media)
    with pytest.raises(ManifestError, match="already exists"):
        add_recording(data, "one", media)
    with pytest.raises(MediaError, match="not found"):
        add_recording(data, "two", tmp_path / "nope.mp4")


@pytest.mark.parametrize("slug", ["../etc", "A b", "", "x/y", ".hidden", "talk\n", "talk\n\n", "\ntalk", "a" * 81])
def test_unsafe_slugs_are_refused(slug):
    with pytest.raises(ConfigError):
        check_slug(slug)


def test_slug_with_a_trailing_newline_makes_no_folder(data, tmp_path):
    media = tmp_path / "talk.mp4"
    media.write_bytes(b"media")
    with pytest.raises(ConfigError, match=r"invalid recording slug 'talk\\n'"):
        add_recording(data, "talk\n", media)
    assert not data.recordings.exists()


def test_old_manifest_with_page_texts_still_loads_and_drops_them_on_save(data):
    folder = data.recording_dir("old")
    folder.mkdir(parents=True)
    (folder / "recording.yaml").write_text(
        "title: Oud college\nmedia: a.mp4\ndate: 2022-06-17\nintroduction: Op vrijdag ...\n"
        "summary: Het programma ...\nsome_future_key: 3\n", encoding="utf-8")
    rec = load_recording(data, "old")
    assert (rec.title, rec.date, rec.page) == ("Oud college", "2022-06-17", "")  # unquoted YAML date -> ISO text
    save_recording(data, rec)
    raw = yaml.safe_load((folder / "recording.yaml").read_text(encoding="utf-8"))
    assert set(raw) == {"slug", "title", "media", "language", "date"}


@pytest.mark.parametrize("field, value", [
    ("captions", "../../etc/passwd"), ("captions", "/etc/passwd"), ("captions", "../other/talk.srt"),
    ("page", "../../secret.txt"), ("page", "/etc/hostname"),
])
def test_captions_or_page_outside_the_folder_is_refused_on_load(data, field, value):
    save_recording(data, Recording(slug="talk", title="T", media="talk.mp4", **{field: value}))
    with pytest.raises(ManifestError) as err:
        load_recording(data, "talk")
    message = str(err.value)
    assert f"{field} {value!r}" in message and "outside" in message and "\n" not in message


def test_captions_path_is_inside_the_folder_or_none(data):
    save_recording(data, Recording(slug="talk", title="T", media="talk.mp4", captions="talk.srt"))
    rec = load_recording(data, "talk")
    assert captions_path(data, rec) == (data.recording_dir("talk") / "talk.srt").resolve()
    assert captions_path(data, Recording(slug="talk", title="T", media="talk.mp4")) is None


@pytest.mark.parametrize("date", ["17 juni", "2022-06-31", "17-06-2022", "2022-06-17 10:00", "20220617"])
def test_a_manifest_date_that_is_not_iso_is_refused_on_load(data, date):
    folder = data.recording_dir("talk")
    folder.mkdir(parents=True)
    (folder / "recording.yaml").write_text(yaml.safe_dump({"title": "T", "media": "a.mp4", "date": date}),
                                           encoding="utf-8")
    with pytest.raises(ManifestError, match=r"date .* is not YYYY-MM-DD.*--date YYYY-MM-DD"):
        load_recording(data, "talk")
    (folder / "recording.yaml").write_text("title: T\nmedia: a.mp4\ndate: 2022-06-31\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid YAML"):  # unquoted: YAML itself reads it as a date
        load_recording(data, "talk")


def test_broken_manifest_is_one_clear_error(data, tmp_path):
    folder = data.recording_dir("broken")
    folder.mkdir(parents=True)
    (folder / "recording.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_recording(data, "broken")
    (folder / "recording.yaml").write_text("title: x\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="lacks media"):
        load_recording(data, "broken")
    (folder / "recording.yaml").write_text("title: x\nmedia: [a, b]\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="media must be a single value"):
        load_recording(data, "broken")


def test_data_folder_comes_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINE_DATA", str(tmp_path))
    assert data_paths() == DataPaths(tmp_path.resolve())


def test_hms_round_trip():
    assert parse_hms("01:46:13") == 6373 and parse_hms("2:00") == 120 and parse_hms("0:00:05.5") == 5.5
    assert format_hms(6373.9) == "01:46:13"
    with pytest.raises(ValueError):
        parse_hms("00:61:00")
