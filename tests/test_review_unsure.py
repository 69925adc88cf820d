"""Issue 12 item 6: what the machine was unsure of is shown in place. Words heard with probability
under 0.5 are underlined (class + title), and the quality guard's segment flags are visible on the
sentence they concern."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from review_fixture import SLUG, app_client, build_sample

from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.editorial.store import ReviewStore
from pipeline.editorial.transcript_view import FLAG_LABELS, unsure_parts
from pipeline.review import i18n

FIRST = "Welkom bij dit open college over de krattenbundeling."


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    path = paths.work_dir(SLUG) / "transcript.json"
    data = fsutil.read_json(path)
    words = data["segments"][0]["words"]
    words[-1]["probability"] = 0.31   # 'krattenbundeling.'
    words[1]["probability"] = 0.49    # 'bij'
    words[0]["probability"] = 0.5     # 'Welkom': not under the threshold
    data["segments"][3]["flags"] = ["repetition"]
    data["segments"][5]["flags"] = ["low_confidence", "in_silence"]
    fsutil.write_json(path, data)
    return paths


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths)


def sentence(client, sid: str) -> dict:
    return next(s for s in client.get(f"/r/{SLUG}/state.json").json()["sentences"] if s["id"] == sid)


def test_unsure_words_are_underlined_with_a_title(client):
    page = client.get(f"/r/{SLUG}").text
    span = re.search(r'<span class="sent[^"]*" id="sent-s000000000".*?</span>(?=\s*<span class="sent)', page, re.DOTALL).group(0)
    assert '<span class="unsure" title="Whisper was unsure of this word (31%)">krattenbundeling.</span>' in span
    assert '<span class="unsure" title="Whisper was unsure of this word (49%)">bij</span>' in span
    assert 'title="Whisper was unsure of this word (50%)"' not in span
    assert re.sub(r"<[^>]+>", "", span.split(">", 1)[1]) == FIRST, "the sentence's text is unchanged"
    assert sentence(client, "s000000000")["unsure"] == ["bij", "krattenbundeling."]
    assert page.count('class="unsure"') == 2
    client.cookies.set("review_lang", "nl")
    assert 'title="Whisper was onzeker over dit woord (31%)"' in client.get(f"/r/{SLUG}").text


def test_a_corrected_or_rule_fixed_word_is_no_longer_marked(client, paths):
    store = ReviewStore(paths.review_db)
    store.add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Anne")
    assert sentence(client, "s000000000")["unsure"] == ["bij"]
    store.correct_sentence(SLUG, "s000000000", source_text=FIRST, text=FIRST.replace("bij", "van"),
                           editor="Anne", expected_version=0)
    assert sentence(client, "s000000000")["unsure"] == [], "an editor read and corrected it"


def test_segment_flags_are_visible_on_their_sentence(client):
    page = client.get(f"/r/{SLUG}").text
    assert re.search(r'class="sent flagged" id="sent-s000015000"[^>]*data-flag="Repeated words \(possible Whisper loop\)"',
                     page)
    both = "Low confidence; Text in silence (possibly invented)"
    assert re.search(rf'id="sent-s000025500"[^>]*data-flag="{re.escape(both)}"', page)
    assert page.count(" flagged\"") == 2 and sentence(client, "s000015000")["flags"] == ["repetition"]
    client.cookies.set("review_lang", "nl")
    assert 'data-flag="Herhaalde woorden (mogelijk een Whisper-lus)"' in client.get(f"/r/{SLUG}").text


def test_unsure_parts_keep_the_exact_text():
    words = [{"word": " Een", "probability": 0.9}, {"word": " kijker", "probability": 0.2},
             {"word": " typte.", "probability": 0.95}]
    parts = unsure_parts("Een  kijker typte.", words)
    assert "".join(t for t, _ in parts) == "Een  kijker typte." and parts[1] == ("kijker", 0.2)
    assert unsure_parts("Een kijker typte.", [{"word": " Een", "probability": 0.9}]) is None


def test_flag_labels_are_in_the_catalogue():
    catalogue = i18n.read_po(i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "review.po")
    assert all(label in catalogue for label in FLAG_LABELS.values())
