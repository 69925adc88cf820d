"""The review app's export links refuse what `pipeline export` refuses (issue 12): a chapter with
untranscribed speech nobody checked, or a page section with nothing approved, is a message in the
editor's language, never a near-empty download."""
from __future__ import annotations

import pytest
from review_fixture import JSON, SLUG, app_client, csrf, sample_paths

from pipeline.artifacts.transcript import Gap, Transcript
from pipeline.core.config import DataPaths


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


def approve(client, token, kind, item_id, seen):
    answer = client.post(f"/r/{SLUG}/items/{kind}/{item_id}", headers=JSON,
                         data={"csrf": token, "editor": "Anne", "action": "approve", "version": "0", "seen": seen})
    assert answer.status_code == 200, answer.text


def test_page_export_with_empty_sections_is_refused_in_dutch(paths):
    client = app_client(paths, None)
    refused = client.get(f"/r/{SLUG}/export.md")
    assert refused.status_code == 409 and "attachment" not in refused.headers.get("content-disposition", "")
    assert refused.headers["content-type"].startswith("text/html")
    text = refused.text
    assert "Niet geëxporteerd" in text and '<html lang="nl">' in text
    for section in ("Introductie", "Samenvatting", "Citaten", "Vragen", "Sprekers"):
        assert f"{section}: niets goedgekeurd" in text, section
    assert "Citaten: niets goedgekeurd (0 van 2 onderdelen)." in text
    assert f'href="/r/{SLUG}/export.md?allow=1"' in text, "the editor may still export on purpose"
    # subtitles have no sections: they download
    srt = client.get(f"/r/{SLUG}/export.srt")
    assert srt.status_code == 200 and "attachment" in srt.headers["content-disposition"]


def test_page_export_downloads_once_every_section_has_an_approval(paths):
    client = app_client(paths, "en")
    token = csrf(client)
    items = {(i["kind"], i["id"]): i for i in client.get(f"/r/{SLUG}/state.json").json()["items"]}
    for kind, item_id in (("introduction", "introduction"), ("summary_sentence", "sum-s000000000"),
                          ("quote", "quote-s000004500"), ("question", "qa-s000025500"), ("speaker", "speaker-1")):
        approve(client, token, kind, item_id, items[kind, item_id]["text"])
    page = client.get(f"/r/{SLUG}/export.html")
    assert page.status_code == 200, page.text
    assert "attachment" in page.headers["content-disposition"] and "Ik ben Floris Bakermans" in page.text
    assert client.get(f"/r/{SLUG}/export.md?allow=1").status_code == 200


def test_any_export_with_an_unchecked_gap_is_refused_in_english(paths):
    path = paths.work_dir(SLUG) / "transcript.json"
    transcript = Transcript.load(path)
    transcript.coverage.gaps.append(Gap(14.2, 14.9, "not repaired"))
    transcript.save(path)
    client = app_client(paths, "en")
    for fmt in ("srt", "vtt", "md"):
        refused = client.get(f"/r/{SLUG}/export.{fmt}")
        assert refused.status_code == 409, fmt
        assert "Chapter 1 <q" in refused.text and "speech not transcribed 0:14" in refused.text, refused.text
    assert client.get(f"/r/{SLUG}/export.srt?allow=1").status_code == 200
