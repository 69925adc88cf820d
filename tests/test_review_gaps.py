"""Issue 10 item 3: the editor is told what is still missing. Gaps (speech the transcript has no
words for) on the timeline and in the transcript with play, a warning badge in the recording list,
damaged media on the recording page, marking a gap checked (approval + history + undo), and an
export that refuses chapters with unchecked gaps."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_fixture import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    JSON,
    SLUG,
    app_client,
    build_sample,
    csrf,
    serving,
    wait_until,
)

from pipeline.cli import main
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.publish.export import UncheckedGapsError, export, unchecked_gaps

# One gap in each chapter of the sample (chapters 0-15 s and 15-36 s), between sentences.
GAPS = [{"start": 14.05, "end": 14.95, "reason": "no words after repair"},
        {"start": 34.2, "end": 35.6, "reason": "not repaired"}]


def add_gaps(paths: DataPaths, gaps=GAPS, damage: str = "") -> None:
    path = paths.work_dir(SLUG) / "transcript.json"
    data = fsutil.read_json(path)
    data["coverage"] = {"speech_seconds": 30.0, "covered_seconds": 27.7, "min_gap": 1.0, "gaps": gaps,
                        "repaired": [], "measured": True}
    fsutil.write_json(path, data)
    if damage:
        fsutil.write_json(paths.work_dir(SLUG) / "media.json", {
            "schema_version": 1, "source": "lecture.wav", "source_sha256": "0", "source_bytes": 1, "duration": 36.0,
            "format": "wav", "audio_streams": [], "video_streams": 0, "stated_duration": 119.2, "damage": damage})


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    add_gaps(paths, damage="decoded 36.0 s of 119.2 s (ogg: CRC mismatch!)")
    return paths


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths)




def gaps(client) -> dict[str, dict]:
    return {g["id"]: g for g in client.get(f"/r/{SLUG}/state.json").json()["gaps"]}


def check(client, gap: str, action: str = "approve", version: int = 0):
    text = gaps(client)[gap]["text"]
    return client.post(f"/r/{SLUG}/items/gap/{gap}", headers=JSON,
                       data={"csrf": csrf(client), "editor": "Anne", "action": action, "version": str(version),
                             "seen": text})


def test_gaps_are_items_in_their_chapters_with_stable_ids(client):
    found = gaps(client)
    assert list(found) == ["gap-14050", "gap-34200"]
    assert found["gap-14050"]["text"] == "0:14\u20130:14" and found["gap-14050"]["chapters"] == [0]
    assert found["gap-34200"]["chapters"] == [1] and found["gap-34200"]["state"] == "open"
    assert client.get(f"/r/{SLUG}/state.json").json()["damage"].startswith("decoded 36.0 s of 119.2 s")


def test_gap_is_shown_at_its_place_in_the_transcript_and_on_the_timeline(client):
    page = client.get(f"/r/{SLUG}").text
    transcript = page[page.index('id="transcript"'):]
    here = transcript.index('id="item-gap-gap-14050"')
    assert transcript.index('id="sent-s000009500"') < here < transcript.index('id="sent-s000015000"')
    mark = transcript[here:transcript.index("</form>", here)]
    assert "Speech not transcribed, 0:14\u20130:14" in mark and 'class="seek gap-play" data-start="14.05"' in mark
    assert "Mark as checked" in mark and "Not checked" in mark
    assert page.count('class="tl-gap seek unchecked"') == 2 and 'data-start="34.2" x="950.0"' in page
    assert "Damaged media" in page and "ogg: CRC mismatch!" in page
    assert "2 stretch(es) of speech not transcribed: listen to each" in page


def test_dutch_wording(client):
    client.cookies.set("review_lang", "nl")
    page = client.get(f"/r/{SLUG}").text
    assert "Spraak niet getranscribeerd, 0:34\u20130:35" in page and "Markeer als gecontroleerd" in page
    assert "Beschadigd mediabestand" in page
    assert "2 stuk(ken) spraak niet getranscribeerd, te controleren" in client.get("/").text


def test_recording_list_warns_until_every_gap_is_checked(client):
    listing = client.get("/").text
    assert "2 stretch(es) of speech not transcribed to check" in listing and "badge badge-warn" in listing
    assert "Damaged media" in listing
    assert check(client, "gap-14050").json()["item"]["status"] == "approved"
    assert "1 stretch(es) of speech not transcribed to check" in client.get("/").text
    check(client, "gap-34200")
    listing = client.get("/").text
    assert "to check" not in listing and "2 stretch(es) of speech not transcribed, checked" in listing


def test_transcribe_stage_pill_is_not_green_while_gaps_are_unchecked(client, paths):
    fsutil.write_json(paths.work_dir(SLUG) / "run.json", {"stages": {
        name: {"status": "done"} for name in ("extract", "transcribe", "chapters", "drafts", "index")}})
    listing = client.get("/").text
    assert 'class="stage stage-done stage-warn" title="transcribe' in listing
    assert 'class="stage stage-done stage-warn" title="extract' in listing, "damaged media"
    assert 'class="stage stage-done" title="chapters' in listing


def test_checking_a_gap_goes_through_approvals_history_and_undo(client, paths):
    done = check(client, "gap-14050")
    assert done.status_code == 200 and gaps(client)["gap-14050"]["checked"]
    history = client.get(f"/r/{SLUG}").text
    assert "Speech not transcribed" in history[history.index('id="history"'):]
    refused = client.post(f"/r/{SLUG}/items/gap/gap-34200", headers=JSON, data={
        "csrf": csrf(client), "editor": "Anne", "action": "approve", "version": "0", "seen": "0:30\u20130:31"})
    assert refused.status_code == 409, "a check names the gap the editor saw"
    entry = client.app.state.store.history(SLUG)[0]
    undone = client.post(f"/r/{SLUG}/undo/{entry.id}", headers=JSON,
                         data={"csrf": csrf(client), "editor": "Anne"})
    assert undone.status_code == 200 and not gaps(client)["gap-14050"]["checked"]
    assert client.post(f"/r/{SLUG}/items/gap/gap-99", headers=JSON, data={
        "csrf": csrf(client), "editor": "Anne", "action": "approve", "version": "0", "seen": "x"}).status_code == 404


def test_a_check_goes_stale_when_the_gap_changes(client, paths):
    check(client, "gap-34200")
    add_gaps(paths, [GAPS[0], {**GAPS[1], "end": 38.0}])  # re-transcribed: the gap now runs longer
    assert gaps(client)["gap-34200"]["state"] == "stale" and not gaps(client)["gap-34200"]["checked"]
    add_gaps(paths, [])  # repaired: nothing left to check, and no orphan card for the old check
    page = client.get(f"/r/{SLUG}").text
    assert "gap-34200" not in page and "Kept from earlier versions" not in page


def test_export_refuses_chapters_with_unchecked_gaps(client, paths, capsys):
    target = paths.root / "page.md"
    with pytest.raises(UncheckedGapsError) as refused:
        export(paths, SLUG, "md", target, allow_empty=True)
    assert len(refused.value.lines) == 2 and not target.exists()
    assert refused.value.lines[0].startswith("open-college: chapter 1 \u201cintro\u201d: speech not transcribed 0:14")
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "srt", "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("speech not transcribed") == 2 and "chapter 2" in err and "--allow-gaps" in err
    assert export(paths, SLUG, "srt", paths.root / "t.srt", allow_gaps=True).is_file()
    check(client, "gap-14050")
    assert [line.split(":")[1].strip() for line in unchecked_gaps(paths, SLUG)] == ["chapter 2 \u201cUitleg programma Krachtenbundeling\u201d"]
    check(client, "gap-34200")
    assert unchecked_gaps(paths, SLUG) == []
    assert main(["--data", str(paths.root), "export", SLUG, "--format", "md", "--out", str(target),
                 "--allow-empty"]) == 0


def test_gap_checked_in_the_browser(tmp_path):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not found: install Chromium for the browser tests")
    from playwright.sync_api import sync_playwright

    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    add_gaps(paths, damage="decoded 36.0 s of 119.2 s (ogg: CRC mismatch!)")
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(paths) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/r/{SLUG}")
        page.fill("#editor-name", "Kees")
        wait_until(page, "document.getElementById('player').readyState >= 1")
        mark = page.locator("#item-gap-gap-34200")
        assert mark.locator(".gap-play").inner_text().endswith("Spraak niet getranscribeerd, 0:34\u20130:35")
        mark.locator(".gap-play").click()  # play: the player jumps to the gap
        wait_until(page, "Math.abs(document.getElementById('player').currentTime - 34.2) < 0.3")
        page.locator("svg.timeline .tl-gap").first.click(force=True)  # the timeline's mark seeks too
        wait_until(page, "Math.abs(document.getElementById('player').currentTime - 14.05) < 0.3")
        page.screenshot(path=str(ARTIFACTS / "review_gaps.png"))
        mark.locator("button[value=approve]").click()
        page.locator("#item-gap-gap-34200.state-approved").wait_for()
        assert page.locator("#item-gap-gap-34200 .badge").inner_text().startswith("Gecontroleerd")
        wait_until(page, "!!document.activeElement.closest('#item-gap-gap-34200')")  # focus stays on the gap
        assert page.locator("svg.timeline .tl-gap.checked").count() == 1
        assert "Beschadigd mediabestand" in page.locator("#damage").inner_text()
        page.screenshot(path=str(ARTIFACTS / "review_gap_checked.png"))
        from axe_playwright_python.sync_playwright import Axe

        violations = [v["id"] for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
        assert violations == [], violations
        assert errors == []
        browser.close()
