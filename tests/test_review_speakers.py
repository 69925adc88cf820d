"""Issue 13 item 3: editors rename, merge and split speakers in the review app (a speaker lane on the
timeline); the edits are anchored by time, so an editor's name lands on the same voice after
re-processing renumbers the clusters."""
from __future__ import annotations

import pytest
from markupsafe import escape
from review_fixture import JSON, SLUG, XSS, app_client, csrf, sample_paths

from pipeline.artifacts.speakers import SpeakerEntry, Speakers, Turn, load_speakers
from pipeline.core.config import DataPaths
from pipeline.editorial.speaker_edits import (
    SpeakerEdit,
    anchors_of,
    apply_speaker_edits,
    speaker_edits,
    speaker_edits_digest,
    store_key,
)
from pipeline.editorial.store import ReviewStore
from pipeline.review import i18n
from pipeline.review.speakers_routes import MESSAGES


def machine(turns, entries, duration: float = 36.0) -> Speakers:
    """A speakers.json as the speakers stage writes it."""
    return Speakers("nl", duration, "hand-made", {}, [Turn(*t) for t in turns], [SpeakerEntry(*e) for e in entries])


# The sample recording (review_fixture): Floris 0-14 s and 29.5-34 s, an unnamed voice 15-25 s,
# an audience question 25.5-29 s.
SAMPLE = machine([(0.0, 14.0, "SPEAKER_00"), (15.0, 25.0, "SPEAKER_01"), (25.5, 29.0, "SPEAKER_02"),
                  (29.5, 34.0, "SPEAKER_00")],
                 [("SPEAKER_00", "Floris Bakermans", 18.5, "introduction", "presenter", "Floris Bakermans"),
                  ("SPEAKER_01", None, 10.0, None, "presenter", "Spreker 1"),
                  ("SPEAKER_02", "Publiek", 3.5, "audience", "audience", "Publiek")])


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    paths = sample_paths(tmp_path)
    SAMPLE.save(paths.work_dir(SLUG) / "speakers.json")
    return paths


@pytest.fixture()
def client(paths):
    return app_client(paths)


def post(client, action: str, **form):
    return client.post(f"/r/{SLUG}/speakers/{action}", headers=JSON,
                       data={"csrf": csrf(client), "editor": "Anne", **form})


def shown(client) -> dict:
    return client.get(f"/r/{SLUG}/speakers.json").json()


def who(state: dict, moment: float) -> str:
    """The label of the speaker the lane shows at `moment`."""
    labels = {s["id"]: s["label"] for s in state["speakers"]}
    return next(labels[k] for s, e, k in state["turns"] if s <= moment < e)


def test_rename_merge_and_split_are_stored_and_shown_at_once(client, paths):
    page = client.get(f"/r/{SLUG}").text
    assert 'id="speaker-lane"' in page and 'role="img"' in page and "Spreker 1" in page
    answer = post(client, "rename", speaker="SPEAKER_01", name="  Alex   Smienk ")
    assert answer.status_code == 200, answer.text
    assert answer.json()["item"]["data"]["at"] == [20.0]  # anchored at the middle of the voice's turn
    assert post(client, "split", start="20.5", end="0:25", target="", name="Gast").status_code == 200
    assert post(client, "merge", source="SPEAKER_02", target="SPEAKER_00").status_code == 200
    state = shown(client)
    assert state["pending"] is True
    assert [who(state, t) for t in (1, 16, 22, 27, 30)] == ["Floris Bakermans", "Alex Smienk", "Gast",
                                                            "Floris Bakermans", "Floris Bakermans"]
    sources = {s["label"]: s["name_source"] for s in state["speakers"]}
    assert sources == {"Floris Bakermans": "introduction", "Alex Smienk": "editor", "Gast": "editor"}
    assert [e["id"] for e in state["edits"]] == ["edit-0003", "edit-0002", "edit-0001"]
    page = client.get(f"/r/{SLUG}").text
    assert "Alex Smienk" in page and "Gast" in page and "applies them on its next run" in page
    # a layer on speakers.json, not a draft item: never listed as "kept from earlier versions"
    assert "Kept from earlier versions" not in page
    assert set(ReviewStore(paths.review_db).items(store_key(SLUG))) == {
        ("speaker_edit", f"edit-000{n}") for n in (1, 2, 3)}
    assert ReviewStore(paths.review_db).items(SLUG) == {}
    # what the pipeline reads: the three edits in order, and a digest for the stage's params
    assert [e.op for e in speaker_edits(paths, SLUG)] == ["rename", "split", "merge"]
    assert speaker_edits_digest(paths, SLUG)
    # the machine's speakers.json is untouched until the speakers stage re-runs
    assert load_speakers(paths.work_dir(SLUG) / "speakers.json") == SAMPLE


def test_refusals_are_422_with_a_message(client):
    cases = [("rename", {"speaker": "SPEAKER_09", "name": "X"}),
             ("rename", {"speaker": "SPEAKER_01", "name": "   "}),
             ("rename", {"speaker": "SPEAKER_01", "name": "x" * 101}),
             ("rename", {"speaker": "SPEAKER_00", "name": "Floris Bakermans"}),  # nothing changed
             ("rename", {"speaker": "SPEAKER_01", "name": "x" * 2000}),
             ("merge", {"source": "SPEAKER_01", "target": "SPEAKER_01"}),
             ("merge", {"source": "SPEAKER_01", "target": "../../etc"}),
             ("split", {"start": "20", "end": "18"}),
             ("split", {"start": "30", "end": "99"}),  # past the end of the recording
             ("split", {"start": "-1", "end": "3"}),
             ("split", {"start": "abc", "end": "3"}),
             ("split", {"start": "nan", "end": "3"}),
             ("split", {"start": "0:70", "end": "3"}),
             ("split", {"start": "14.2", "end": "14.8"}),  # nobody speaks there
             ("split", {"start": "16", "end": "18", "target": "SPEAKER_01"}),  # already that speaker's
             ("split", {"start": "16", "end": "18", "target": "SPEAKER_77"})]
    for action, form in cases:
        answer = post(client, action, **form)
        assert answer.status_code == 422, (action, form, answer.text)
        assert answer.json()["error"], (action, form)
    assert post(client, "rename", speaker="SPEAKER_01", name="X", editor="").status_code == 422
    assert client.post(f"/r/{SLUG}/speakers/rename", headers=JSON,
                       data={"csrf": "wrong", "editor": "Anne", "speaker": "SPEAKER_01", "name": "X"}).status_code == 403
    assert client.post("/r/nope/speakers/rename", headers=JSON, data={
        "csrf": csrf(client), "editor": "Anne", "speaker": "SPEAKER_01", "name": "X"}).status_code == 404
    assert post(client, "undo/edit-0001").status_code == 422  # nothing to undo
    assert post(client, "undo/1;drop").status_code in (404, 422)
    assert shown(client)["edits"] == []


def test_refusals_follow_the_interface_language(paths):
    dutch = app_client(paths, None)
    answer = dutch.post(f"/r/{SLUG}/speakers/merge", headers=JSON, data={
        "csrf": csrf(dutch), "editor": "Anne", "source": "SPEAKER_01", "target": "SPEAKER_01"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "kies twee verschillende sprekers om samen te voegen"


def test_a_hostile_name_is_stored_as_text_and_escaped(client, paths):
    assert post(client, "rename", speaker="SPEAKER_01", name=XSS).status_code == 200
    page = client.get(f"/r/{SLUG}").text
    assert XSS not in page and f">{escape(XSS)}</button>" in page  # the legend shows it as text
    assert who(shown(client), 16) == XSS  # JSON keeps the exact text


def test_undo_restores_the_machine_speaker(client, paths):
    assert post(client, "rename", speaker="SPEAKER_01", name="Alex Smienk").status_code == 200
    assert speaker_edits_digest(paths, SLUG)
    answer = post(client, "undo/edit-0001")
    assert answer.status_code == 200, answer.text
    assert speaker_edits(paths, SLUG) == [] and speaker_edits_digest(paths, SLUG) == ""
    state = shown(client)
    assert who(state, 16) == "Spreker 1" and state["pending"] is False
    assert state["edits"][0]["status"] == "open"  # kept in the list, shown as undone
    assert post(client, "undo/edit-0001").status_code == 422  # already undone
    assert "(undone)" in client.get(f"/r/{SLUG}").text


def test_every_message_of_the_lane_is_in_the_dutch_catalogue():
    catalogue = i18n.read_po(i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "review.po")
    assert [m for m in MESSAGES if m not in catalogue] == []


# --- edits anchored by time: re-processing that renumbers the voices --------------------------------

FIRST = machine([(0.0, 10.0, "SPEAKER_00"), (10.0, 20.0, "SPEAKER_01"), (20.0, 30.0, "SPEAKER_00"),
                 (30.0, 35.0, "SPEAKER_02")],
                [("SPEAKER_00", "Anna de Vries", 20.0, "introduction", "presenter", "Anna de Vries"),
                 ("SPEAKER_01", None, 10.0, None, "presenter", "Spreker 1"),
                 ("SPEAKER_02", "Publiek", 5.0, "audience", "audience", "Publiek")])
# The same recording re-processed: other ids, slightly other boundaries, the audience voice found twice.
AGAIN = machine([(0.0, 10.4, "SPEAKER_01"), (10.4, 19.8, "SPEAKER_00"), (19.8, 30.0, "SPEAKER_01"),
                 (30.0, 32.0, "SPEAKER_02"), (32.0, 35.0, "SPEAKER_03")],
                [("SPEAKER_00", None, 9.4, None, "presenter", "Spreker 1"),
                 ("SPEAKER_01", "Anna de Vries", 20.6, "introduction", "presenter", "Anna de Vries"),
                 ("SPEAKER_02", "Publiek", 2.0, "audience", "audience", "Publiek"),
                 ("SPEAKER_03", "Publiek", 3.0, "audience", "audience", "Publiek")])


def test_a_rename_follows_the_voice_when_the_clusters_are_renumbered():
    edits = [SpeakerEdit("rename", at=anchors_of(FIRST, "SPEAKER_01"), name="Bram Jansen", speaker="SPEAKER_01",
                         item_id="edit-0001")]
    first, again = apply_speaker_edits(FIRST, edits), apply_speaker_edits(AGAIN, edits)
    assert first.speaker_of(12, 14) == again.speaker_of(12, 14) == "Bram Jansen"
    assert again.speaker_of(2, 4) == again.speaker_of(22, 24) == "Anna de Vries"
    named = {e.id: (e.name, e.name_source) for e in again.speakers}
    assert named["SPEAKER_00"] == ("Bram Jansen", "editor") and named["SPEAKER_01"][1] == "introduction"


def test_merge_and_split_replay_on_the_new_turns_and_applying_twice_changes_nothing():
    edits = [SpeakerEdit("merge", at=(33.5,), into=anchors_of(FIRST, "SPEAKER_00"), speaker="SPEAKER_02",
                         target="SPEAKER_00"),
             SpeakerEdit("split", start=31.0, end=35.0, name="Gast"),
             SpeakerEdit("rename", at=(5.0, 25.0), name="Anna")]
    again = apply_speaker_edits(AGAIN, edits)
    # 32-35 s (the audience voice found twice) merged into Anna's voice, then 31-35 s split off as Gast
    assert [again.speaker_of(t, t + 0.5) for t in (5, 15, 30.2, 31.2, 32.5, 34)] == [
        "Anna", "", "Publiek", "Gast", "Gast", "Gast"]
    assert {e.label for e in again.speakers} == {"Anna", "Spreker 1", "Publiek", "Gast"}
    assert sum(e.seconds for e in again.speakers) == pytest.approx(35.0)
    assert again.turns == sorted(again.turns, key=lambda t: (t.start, t.end))
    assert apply_speaker_edits(again, edits).to_json() == again.to_json()  # machine turns kept in info
    assert apply_speaker_edits(again, []).to_json() == AGAIN.to_json()      # every edit undone
    assert Speakers.from_json(again.to_json()).speaker_of(33, 34) == "Gast"  # survives the JSON round trip


def test_an_edit_whose_voice_is_gone_is_reported_not_misapplied():
    silent_there = machine([(0.0, 9.0, "SPEAKER_00"), (21.0, 30.0, "SPEAKER_01")],
                           [("SPEAKER_00", "Anna de Vries", 9.0, "introduction", "presenter", "Anna de Vries"),
                            ("SPEAKER_01", None, 9.0, None, "presenter", "Spreker 1")])
    edits = [SpeakerEdit("rename", at=(15.0,), name="Bram Jansen", speaker="SPEAKER_01", item_id="edit-0001")]
    result = apply_speaker_edits(silent_there, edits)
    assert [e.name for e in result.speakers] == ["Anna de Vries", None]  # not given to SPEAKER_01 by its id
    assert any("edit-0001" in w and "not applied" in w for w in result.warnings)


def test_a_split_on_overlapping_stereo_turns_counts_each_second_once():
    stereo = machine([(0.0, 10.0, "SPEAKER_00"), (4.0, 8.0, "SPEAKER_01"), (10.0, 12.0, "SPEAKER_01")],
                     [("SPEAKER_00", "Anna", 10.0, "introduction", "presenter", "Anna"),
                      ("SPEAKER_01", "Bram", 6.0, "introduction", "presenter", "Bram")], duration=12.0)
    result = apply_speaker_edits(stereo, [SpeakerEdit("split", start=5.0, end=7.0, name="Gast")])
    gast = [t for t in result.turns if t.speaker != "SPEAKER_00" and t.speaker != "SPEAKER_01"]
    assert [(t.start, t.end) for t in gast] == [(5.0, 7.0)]
    assert {e.name: e.seconds for e in result.speakers} == {"Anna": 8.0, "Bram": 4.0, "Gast": 2.0}


def test_the_lane_keeps_the_name_on_the_voice_after_reprocessing_renumbers_it(client, paths):
    assert post(client, "rename", speaker="SPEAKER_01", name="Alex Smienk").status_code == 200
    speakers_json = paths.work_dir(SLUG) / "speakers.json"
    machine([(0.0, 14.2, "SPEAKER_01"), (14.8, 25.0, "SPEAKER_00"), (25.5, 34.0, "SPEAKER_01")],
            [("SPEAKER_00", None, 10.2, None, "presenter", "Spreker 1"),
             ("SPEAKER_01", "Floris Bakermans", 22.7, "introduction", "presenter", "Floris Bakermans")],
            ).save(speakers_json)  # re-processed: other ids, the audience voice not found
    state = shown(client)
    assert [who(state, t) for t in (1, 16, 30)] == ["Floris Bakermans", "Alex Smienk", "Floris Bakermans"]
    # re-processed again, and nobody speaks near the moment the rename was anchored at any more
    machine([(0.0, 14.0, "SPEAKER_00"), (15.0, 18.0, "SPEAKER_01")],
            [("SPEAKER_00", "Floris Bakermans", 14.0, "introduction", "presenter", "Floris Bakermans"),
             ("SPEAKER_01", None, 3.0, None, "presenter", "Spreker 1")]).save(speakers_json)
    assert who(shown(client), 16) == "Spreker 1"  # not given to SPEAKER_01 by its old id
    assert "no longer matches a voice: not applied" in client.get(f"/r/{SLUG}").text


def test_overlapped_speech_is_drawn_in_the_lower_half_of_the_lane(client, paths):
    import re

    machine([(0.0, 14.0, "SPEAKER_00"), (12.0, 13.5, "SPEAKER_01"), (15.0, 25.0, "SPEAKER_01")],
            [("SPEAKER_00", "Floris Bakermans", 14.0, "introduction", "presenter", "Floris Bakermans"),
             ("SPEAKER_01", None, 11.5, None, "presenter", "Spreker 1")]).save(paths.work_dir(SLUG) / "speakers.json")
    page = client.get(f"/r/{SLUG}").text
    lane = page[page.index('class="speaker-lane"'):]
    lane = lane[:lane.index("</svg>")]
    rects = re.findall(r'<rect class="seek" data-start="([\d.]+)" x="[\d.]+" y="(\d+)" width="[\d.]+" height="(\d+)"', lane)
    assert rects == [("0.0", "1", "12"), ("12.0", "7", "6"), ("15.0", "1", "12")]
    assert "0:12–0:13 Spreker 1" in lane  # the overlapping voice is still named in its tooltip
