"""recording.yaml: `pipeline add` creates it; manifests round-trip; bad manifests fail clearly."""
import pytest
import yaml
from conftest import SEED_PAGE, make_tone

from pipeline.artifacts.manifest import load_recording
from pipeline.core.config import DataPaths, check_slug, data_paths
from pipeline.core.errors import ConfigError, ManifestError, MediaError
from pipeline.core.timecode import format_hms, parse_hms
from pipeline.ingest.add import add_recording


def test_add_with_seed_page_writes_manifest(data, tmp_path):
    media = make_tone(tmp_path / "lecture.mp3")
    rec = add_recording(data, "krachtenbundeling", media, page=SEED_PAGE)
    folder = data.recording_dir("krachtenbundeling")
    assert (folder / "lecture.mp3").is_file() and (folder / "page.txt").is_file()
    loaded = load_recording(data, "krachtenbundeling")
    assert loaded == rec
    assert len(loaded.chapters) == 8 and loaded.chapters[2].start == 605
    assert loaded.speakers[0].organisation == "AT Osborne"
    raw = yaml.safe_load((folder / "recording.yaml").read_text(encoding="utf-8"))
    assert raw["chapters"][7] == {"start": "01:46:13", "title": "Wrap up"}
    assert raw["media"] == "lecture.mp3" and raw["language"] == "nl"


def test_add_refuses_existing_slug_and_missing_media(data, tmp_path):
    media = make_tone(tmp_path / "a.wav")
    add_recording(data, "one", media)
    with pytest.raises(ManifestError, match="already exists"):
        add_recording(data, "one", media)
    with pytest.raises(MediaError, match="not found"):
        add_recording(data, "two", tmp_path / "nope.mp4")


@pytest.mark.parametrize("slug", ["../etc", "A b", "", "x/y", ".hidden"])
def test_unsafe_slugs_are_refused(slug):
    with pytest.raises(ConfigError):
        check_slug(slug)


def test_broken_manifest_is_one_clear_error(data, tmp_path):
    folder = data.recording_dir("broken")
    folder.mkdir(parents=True)
    (folder / "recording.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_recording(data, "broken")
    (folder / "recording.yaml").write_text("title: x\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="lacks media"):
        load_recording(data, "broken")


def test_data_folder_comes_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINE_DATA", str(tmp_path))
    assert data_paths() == DataPaths(tmp_path.resolve())


def test_hms_round_trip():
    assert parse_hms("01:46:13") == 6373 and parse_hms("2:00") == 120 and parse_hms("0:00:05.5") == 5.5
    assert format_hms(6373.9) == "01:46:13"
    with pytest.raises(ValueError):
        parse_hms("00:61:00")
