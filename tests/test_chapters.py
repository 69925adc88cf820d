"""The chapters stage: snapping, every word in exactly one chapter, artifacts, sanity flags, re-runs."""
from __future__ import annotations

import itertools
import json

import pandas as pd
import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.artifacts.chapters import Chapters, load_chapters
from pipeline.artifacts.manifest import ListedChapter, Recording, save_recording
from pipeline.artifacts.transcript import Coverage, Gap, Segment, Transcript, Word
from pipeline.chapters import stage as chapters_stage
from pipeline.chapters.snap import ChapterOptions
from pipeline.chapters.stage import chapter_words, split_transcript
from pipeline.cli import main as cli_main
from pipeline.core.errors import ChapterListError, ConfigError
from pipeline.ingest.chapterlist import parse_chapter_text
from pipeline.runner.run import run_recording

WORD_S, WORD_GAP = 0.3, 0.02


def script(*parts: tuple[float, str]) -> Transcript:
    """A transcript from (pause before, segment text) parts; '|' inside a text is a pause of 1.2 s."""
    segments, t = [], 0.0
    for pause, text in parts:
        t += pause
        words = []
        for chunk_no, chunk in enumerate(text.split("|")):
            t += 1.2 if chunk_no else 0.0
            for token in chunk.split():
                words.append(Word(round(t, 3), round(t + WORD_S, 3), " " + token, 0.9))
                t += WORD_S + WORD_GAP
        text_out = "".join(w.word for w in words).strip()
        segments.append(Segment(len(segments), words[0].start, words[-1].end, " " + text_out, words))
    return Transcript("nl", round(t + 1.0, 3), "test", "synthetic", segments)


def sentence(n: int, last: str = "einde.") -> str:
    return " ".join(f"woord{i}" for i in range(n - 1)) + f" {last}"


def listed(text: str):
    return parse_chapter_text(text, "chapters.txt")


def all_words(chapters: Chapters, transcript: Transcript) -> list[Word]:
    return [w for c in chapters.chapters for w in chapter_words(c, transcript)]


def assert_every_word_once(chapters: Chapters, transcript: Transcript) -> None:
    assert all_words(chapters, transcript) == transcript.words()
    assert chapters.text == transcript.text
    assert sum(c.word_count for c in chapters.chapters) == len(transcript.text.split())
    for segment in transcript.segments:  # the pieces of a segment cover its words once, in order
        pieces = [p for c in chapters.chapters for p in c.pieces if p.segment_id == segment.id]
        covered = [i for p in pieces for i in range(p.word_start, p.word_end)]
        assert covered == list(range(len(segment.words)))
        assert [p.part for p in pieces] == list(range(len(pieces)))
    starts = [c.start for c in chapters.chapters]
    assert starts == sorted(starts)
    assert [c.end for c in chapters.chapters[:-1]] == starts[1:]


def three_chapters() -> Transcript:
    """Three chapters of four sentences; 0.5 s between sentences, 2 s between chapters."""
    parts = []
    for chapter in range(3):
        for s in range(4):
            parts.append((2.0 if chapter and not s else 0.5, sentence(8, f"klaar{chapter}{s}.")))
    return script(*parts)


def test_listed_times_a_few_seconds_off_snap_to_the_pause_between_chapters():
    transcript = three_chapters()
    true = [transcript.segments[i].start for i in (0, 4, 8)]
    result = split_transcript(transcript, listed(f"0:00 Een\n0:{int(true[1]) + 3:02d} Twee\n"
                                                 f"0:{int(true[2]) - 2:02d} Drie\n"))
    assert [c.start for c in result.chapters] == true  # the start of each chapter's first word
    assert [c.segment_ids for c in result.chapters] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    second = result.chapters[1]
    assert second.listed_start == int(true[1]) + 3
    assert second.snap["snapped"] and second.snap["sentence_end"] and second.snap["pause"] == pytest.approx(2.0 + WORD_GAP)
    assert second.snap["reason"] == "pause 2.0 s, after a sentence end"
    assert second.snap["moved"] == pytest.approx(true[1] - second.listed_start)
    assert result.warnings == [] and all(c.flags == [] for c in result.chapters)
    assert_every_word_once(result, transcript)


def test_a_boundary_does_not_take_the_longer_pause_that_the_next_listed_chapter_is_about():
    # Real Whisper timings of the built recording: both listed times 4 s late; the pause before the third
    # chapter is longer than the one before the second and lies within the second's window.
    transcript = script((0.5, sentence(8, "a.")), (0.5, sentence(8, "b.")), (0.5, sentence(8, "c.")),
                        (1.97, sentence(8, "d.")), (0.96, sentence(8, "e.")), (0.96, sentence(5, "f.")),
                        (2.54, sentence(8, "g.")), (0.6, sentence(8, "h.")), (0.6, sentence(8, "i.")))
    true = [transcript.segments[i].start for i in (0, 3, 6)]
    result = split_transcript(transcript, listed(f"0:00 Een\n0:{round(true[1] + 4)} Twee\n0:{round(true[2] + 4)} Drie\n"))
    assert [c.start for c in result.chapters] == true
    assert_every_word_once(result, transcript)


def test_a_segment_that_straddles_the_boundary_is_split_by_its_word_timestamps():
    transcript = script((0.5, sentence(30)), (0.5, sentence(12, "eerste.") + " | Nu het tweede deel. " + sentence(10)),
                        (0.5, sentence(30)))
    boundary = transcript.segments[1].words[12].start  # 'Nu', after the 1.2 s pause inside segment 1
    result = split_transcript(transcript, listed(f"0:00 Een\n0:{round(boundary) - 3:02d} Twee\n"))
    one, two = result.chapters
    assert two.start == boundary
    assert one.segment_ids == [0, 1] and two.segment_ids == [1, 2]
    head, tail = one.pieces[-1], two.pieces[0]
    assert (head.segment_id, head.part, head.word_end) == (1, 0, 12)
    assert (tail.segment_id, tail.part, tail.word_start) == (1, 1, 12)
    assert head.text.endswith("eerste.") and tail.text.startswith("Nu het tweede deel.")
    assert "split" in head.flags and "split" in tail.flags
    assert head.start == transcript.segments[1].start and tail.end == transcript.segments[1].end
    assert_every_word_once(result, transcript)


def test_speech_resuming_far_beyond_the_window_is_flagged_for_the_editor():
    transcript = script((0.0, sentence(30)), (15.0, sentence(30)))  # a 15 s pause from ~9.6 s on
    result = split_transcript(transcript, listed("0:00 Een\n0:12 Twee\n"))
    two = result.chapters[1]
    assert two.start == transcript.segments[1].start and two.start - 12 > 8
    assert two.flags == ["moved_far"]
    assert any("from the listed time 00:00:12" in w for w in result.warnings)
    assert_every_word_once(result, transcript)


def test_no_break_within_the_window_keeps_the_listed_time_and_flags_it():
    words = " ".join(f"w{i}" for i in range(200))  # 200 words, no punctuation, no pauses
    transcript = script((0.0, words))
    result = split_transcript(transcript, listed("0:00 Een\n0:30 Twee\n"))
    two = result.chapters[1]
    assert abs(two.start - 30.0) <= WORD_S + WORD_GAP  # at the word gap nearest the listed time
    assert not two.snap["snapped"] and two.flags == ["mid_sentence", "unsnapped"]
    assert "kept the listed time" in two.snap["reason"]
    assert any("no natural break within ±8 s" in w and "starts in the middle of a sentence" in w
               for w in result.warnings)
    assert_every_word_once(result, transcript)


def test_sanity_flags_short_and_silent_chapters():
    transcript = script(*[(0.4, sentence(6, f"zin{i}.")) for i in range(12)],
                        (40.0, sentence(10)), *[(0.4, sentence(6, f"slot{i}.")) for i in range(6)])
    silence_start = transcript.segments[11].end
    speech_again = transcript.segments[12].start
    text = (f"0:00 Een\n0:10 Kort\n0:14 Drie\n0:{int(silence_start) + 15:02d} Pauze\n"
            f"{int(speech_again) // 60}:{int(speech_again) % 60:02d} Slot\n")
    result = split_transcript(transcript, listed(text))
    by_title = {c.title: c for c in result.chapters}
    assert "short" in by_title["Kort"].flags
    pause = by_title["Pauze"]
    assert pause.word_count == 0 and "no_speech" in pause.flags
    assert pause.start == int(silence_start) + 15 and pause.end == speech_again
    assert by_title["Slot"].start == speech_again and by_title["Slot"].flags == []
    assert any(w.startswith("chapter 2 'Kort'") and "shorter than 10 s" in w for w in result.warnings)
    assert any(w.startswith("chapter 4 'Pauze'") and "(nearly) no speech (0 words)" in w for w in result.warnings)
    assert_every_word_once(result, transcript)


def test_without_a_chapter_list_one_chapter_covers_the_recording():
    transcript = three_chapters()
    result = split_transcript(transcript, None, title="Open college")
    (only,) = result.chapters
    assert (only.title, only.flags, only.end) == ("Open college", ["whole_recording"], transcript.duration)
    assert result.warnings == ["no chapter list: one chapter for the whole recording"]
    assert result.source == "none"
    assert_every_word_once(result, transcript)


def test_implicit_lead_in_is_kept_when_something_is_said_before_the_first_chapter():
    transcript = three_chapters()
    start = int(transcript.segments[4].start) + 2
    result = split_transcript(transcript, listed(f"0:{start:02d} Twee\n"))
    assert [c.title for c in result.chapters] == ["untitled", "Twee"]
    assert result.chapters[0].flags == ["implicit_lead_in"]
    assert result.chapters[1].start == transcript.segments[4].start
    assert_every_word_once(result, transcript)


def test_implicit_lead_in_is_dropped_when_nothing_is_said_before_the_first_chapter():
    transcript = script((5.0, sentence(40)))
    result = split_transcript(transcript, listed("0:03 Begin\n"))
    assert [(c.index, c.title, c.start) for c in result.chapters] == [(0, "Begin", 5.0)]
    assert "dropped the implicit lead-in" in result.warnings[-1]
    assert_every_word_once(result, transcript)


def test_a_listed_time_past_the_end_is_an_error():
    with pytest.raises(ChapterListError, match=r"line 2: 00:10:00 \('Te laat'\) is past the end"):
        split_transcript(three_chapters(), listed("0:00 Een\n10:00 Te laat\n"))


def test_invalid_options_name_the_fields():
    with pytest.raises(ConfigError, match="window"):
        ChapterOptions(window=0)
    with pytest.raises(ConfigError, match="long_pause"):
        ChapterOptions(min_pause=2.0, long_pause=1.0)


# --- the stage and its artifacts ------------------------------------------------------------------

def add_recording(data, slug: str, transcript: Transcript, chapters=(), **fields) -> None:
    save_recording(data, Recording(slug=slug, title="Open college", media="college.mp4",
                                   chapters=list(chapters), **fields))
    transcript.save(data.work_dir(slug) / "transcript.json")


def chapters_of(transcript: Transcript) -> list[ListedChapter]:
    return [ListedChapter(0, "Een"), ListedChapter(int(transcript.segments[4].start) + 3, "Wie is wie?"),
            ListedChapter(int(transcript.segments[8].start) - 2, "Één slot")]


def test_stage_writes_chapters_json_subtitles_text_and_segments_table(data):
    transcript = script(*[(0.5, sentence(8, f"zin{i}.")) for i in range(4)],
                        (0.5, sentence(8) + " | " + sentence(6)), *[(0.5, sentence(8)) for i in range(6)])
    boundary = transcript.segments[4].words[8].start
    add_recording(data, "college", transcript, [ListedChapter(0, "Een"), ListedChapter(int(boundary) + 2, "Wie is wie?")])
    (result,) = run_recording(data, "college", [chapters_stage.STAGE])
    assert result.status == "ran", result.error
    work = data.work_dir("college")
    raw = json.loads((work / "chapters.json").read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1 and raw["options"]["window"] == 8.0 and raw["source"] == "recording.yaml"
    assert {"index", "title", "listed_start", "start", "end", "segment_ids", "text", "word_count", "flags",
            "snap"} <= set(raw["chapters"][0])
    loaded = load_chapters(work / "chapters.json")
    assert loaded.to_json() == raw and Chapters.from_json(raw) == loaded
    assert_every_word_once(loaded, transcript)
    second = loaded.chapters[1]
    assert second.files == {"srt": "chapters/02-wie-is-wie.srt", "vtt": "chapters/02-wie-is-wie.vtt",
                            "txt": "chapters/02-wie-is-wie.txt"}
    cues = list(srt.parse((work / second.files["srt"]).read_text(encoding="utf-8")))
    vtt = webvtt.read(str(work / second.files["vtt"]))
    assert " ".join(c.content.replace("\n", " ") for c in cues) == second.text == " ".join(c.text.replace("\n", " ") for c in vtt)
    assert cues[0].start.total_seconds() == pytest.approx(second.start, abs=0.001)
    assert (work / second.files["txt"]).read_text(encoding="utf-8").split("\n\n", 1)[1].strip() == second.text
    table = pd.read_parquet(work / "segments.parquet")
    assert table.equals(pd.read_csv(work / "segments.csv", keep_default_na=False))
    assert list(table.columns) == ["recording", "chapter_index", "chapter_title", "segment_id", "part",
                                   "start", "end", "speaker", "text", "flags"]
    split = table[table.segment_id == 4]
    assert split.part.tolist() == [0, 1] and split.chapter_index.tolist() == [0, 1]
    assert split["flags"].tolist() == ["split", "split"]
    assert " ".join(table.text) == transcript.text
    assert sorted((work / "chapters").iterdir()) == sorted(work / f for c in loaded.chapters for f in c.files.values())


def test_stage_reruns_only_when_the_transcript_or_chapter_list_changes(data):
    transcript = three_chapters()
    add_recording(data, "college", transcript, chapters_of(transcript))
    stage = [chapters_stage.STAGE]
    assert run_recording(data, "college", stage)[0].status == "ran"
    assert run_recording(data, "college", stage)[0].status == "skipped"
    manifest = data.recording_dir("college") / "recording.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("Open college", "Ander college"), encoding="utf-8")
    assert run_recording(data, "college", stage)[0].status == "skipped"  # the title does not shape chapters
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("Wie is wie?", "Wie doet wat"), encoding="utf-8")
    assert run_recording(data, "college", stage)[0].status == "ran"
    names = [p.name for p in sorted((data.work_dir("college") / "chapters").iterdir())]
    assert len(names) == 9 and names[3:6] == ["02-wie-doet-wat.srt", "02-wie-doet-wat.txt", "02-wie-doet-wat.vtt"]
    transcript.segments[0].words[0] = Word(0.1, 0.3, " Anders", 0.9)
    transcript.save(data.work_dir("college") / "transcript.json")
    assert run_recording(data, "college", stage)[0].status == "ran"


def test_a_bad_chapter_file_fails_with_its_line_and_leaves_no_partial_artifact(data):
    transcript = three_chapters()
    add_recording(data, "college", transcript, chapters_file="hoofdstukken.txt")
    chapter_file = data.recording_dir("college") / "hoofdstukken.txt"
    chapter_file.write_text("Hoofdstukken van het college\n0:00 Een\n0:05 Twee\n0:04 Drie\n", encoding="utf-8")
    (result,) = run_recording(data, "college", [chapters_stage.STAGE])
    assert result.status == "failed"
    assert "hoofdstukken.txt: line 4: 00:00:04 comes before 00:00:05 of line 3" in result.error
    work = data.work_dir("college")
    assert not any((work / n).exists() for n in ("chapters.json", "segments.parquet", "segments.csv", "chapters"))
    chapter_file.write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nEen\n", encoding="utf-8")
    assert run_recording(data, "college", [chapters_stage.STAGE])[0].status == "ran"
    before = (work / "chapters.json").read_bytes()
    chapter_file.write_text("0:00 Een\n9:99 Kapot\n", encoding="utf-8")
    assert run_recording(data, "college", [chapters_stage.STAGE])[0].status == "failed"
    assert (work / "chapters.json").read_bytes() == before  # the last good artifact is intact


def test_status_shows_the_chapter_warnings(data, capsys, monkeypatch):
    transcript = script(*[(0.4, sentence(6, f"zin{i}.")) for i in range(12)])
    add_recording(data, "college", transcript, [ListedChapter(0, "Een"), ListedChapter(10, "Kort"),
                                                ListedChapter(14, "Rest")])
    assert run_recording(data, "college", [chapters_stage.STAGE])[0].status == "ran"
    monkeypatch.setattr("pipeline.stages.all_stages", lambda: [chapters_stage.STAGE])
    assert cli_main(["status"]) == 0
    out = capsys.readouterr().out
    assert "college warning: chapters: chapter 2 'Kort' at 00:00:" in out and "shorter than 10 s" in out


# --- property: any chapter list, any segments: every word exactly once ---------------------------

@st.composite
def transcripts(draw) -> Transcript:
    segments, t = [], draw(st.floats(0, 5))
    for sid in range(draw(st.integers(0, 12))):
        words = []
        for _ in range(draw(st.integers(0, 8))):
            t = max(0.0, t + draw(st.sampled_from([0.0, 0.0, 0.1, 0.4, 1.5, 3.0, -0.05])))  # touching, pauses, overlaps
            length = draw(st.floats(0.0, 1.0))
            token = draw(st.sampled_from(["ja", "nee.", "wat?", "x", "zee-engte", "1.000", "“oké.”"]))
            words.append(Word(round(t, 3), round(t + length, 3), " " + token))
            t += length
        if words:
            text = "".join(w.word for w in words)
            segments.append(Segment(sid, words[0].start, max(w.end for w in words), text, words))
        else:  # a caption-like segment without word timestamps (or an empty one)
            text = draw(st.sampled_from(["", " Een ondertitel zonder woorden."]))
            segments.append(Segment(sid, round(t, 3), round(t + 2, 3), text))
            t += 2
    return Transcript("nl", round(t + draw(st.floats(0, 10)), 3), "test", "synthetic", segments)


@settings(max_examples=300, deadline=None)
@given(transcripts(), st.lists(st.floats(0, 1), max_size=8, unique=True), st.floats(0.5, 20))
def test_any_chapter_list_and_any_segments_keep_every_word_exactly_once(transcript, fractions, window):
    duration = max([transcript.duration] + [w.end for w in transcript.words()])
    starts = sorted({round(f * duration, 3) for f in fractions})
    text = "\n".join(f"{int(s) // 3600}:{int(s) % 3600 // 60:02d}:{int(s) % 60:02d} Hoofdstuk {i}"
                     for i, s in enumerate(sorted({int(s) for s in starts})))
    result = split_transcript(transcript, listed(text) if text else None, ChapterOptions(window=window))
    assert result.chapters and result.chapters[0].index == 0
    assert [c.index for c in result.chapters] == list(range(len(result.chapters)))
    assert_every_word_once(result, transcript)
    assert Chapters.from_json(json.loads(json.dumps(result.to_json()))) == result


# --- quality bar: a recording built from real speech, transcribed by the real Whisper -----------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from fixtures.chapters.built_recording import build_recording

    from pipeline.transcribe.stage import TranscribeOptions, transcribe_audio

    recording = build_recording(tmp_path_factory.mktemp("built"))
    return recording, transcribe_audio(recording.wav, TranscribeOptions(language="nl"))


@pytest.mark.slow
def test_real_speech_boundaries_land_within_a_second_of_the_true_starts(built):
    recording, transcript = built
    chapter_list = listed(recording.chapter_text)
    offsets = [e.start - true for e, true in zip(chapter_list.entries[1:], recording.true_starts[1:])]
    assert all(2.0 <= abs(o) <= 4.5 for o in offsets), offsets  # the list really is a few seconds off
    result = split_transcript(transcript, chapter_list)
    assert [c.title for c in result.chapters] == [e.title for e in chapter_list.entries]
    errors = [abs(c.start - true) for c, true in zip(result.chapters[1:], recording.true_starts[1:])]
    assert max(errors) <= 1.0, errors
    assert all(c.snap["snapped"] and c.snap["sentence_end"] for c in result.chapters[1:])
    assert_every_word_once(result, transcript)
    assert result.warnings == []


@pytest.mark.slow
def test_real_speech_any_listed_offsets_of_2_to_4_seconds(built):
    recording, transcript = built
    true, titles = recording.true_starts, [e.title for e in listed(recording.chapter_text).entries]
    worst = 0.0
    for offsets in itertools.product([-4, -3, -2, 2, 3, 4], repeat=len(true) - 1):
        times = [0] + [round(t + o) for t, o in zip(true[1:], offsets)]
        text = "".join(f"{s // 60}:{s % 60:02d} {title}\n" for s, title in zip(times, titles))
        result = split_transcript(transcript, listed(text))
        worst = max([worst] + [abs(c.start - t) for c, t in zip(result.chapters[1:], true[1:])])
        assert [len(all_words(result, transcript))] == [len(transcript.words())]
    assert worst <= 1.0


@pytest.mark.slow
def test_demo_sample_through_the_runner_lands_within_a_second_of_its_true_starts(data):
    from conftest import SAMPLE

    from pipeline.extract import stage as extract
    from pipeline.ingest.add import add_recording as add
    from pipeline.transcribe import stage as transcribe

    add(data, "demo", SAMPLE / "open-college-demo.ogg", page=SAMPLE / "page.txt")
    results = run_recording(data, "demo", [extract.STAGE, transcribe.STAGE, chapters_stage.STAGE])
    assert [r.status for r in results] == ["ran", "ran", "ran"], [r.error for r in results]
    result = load_chapters(data.work_dir("demo") / "chapters.json")
    true = [float(line.split("\t")[0]) for line in (SAMPLE / "true_chapter_starts.tsv").read_text().splitlines()]
    assert len(result.chapters) == len(true)
    assert all(abs(c.start - t) <= 1.0 for c, t in zip(result.chapters, true)), [c.start for c in result.chapters]
    assert_every_word_once(result, Transcript.load(data.work_dir("demo") / "transcript.json"))


def test_untranscribed_speech_is_a_flag_and_a_warning_on_its_chapter(data, capsys, monkeypatch):
    transcript = script(*[(0.4, sentence(6, f"zin{i}.")) for i in range(12)])
    transcript.coverage = Coverage(speech_seconds=30.0, covered_seconds=27.0, measured=True,
                                   gaps=[Gap(16.0, 19.0, "no words after repair")])
    add_recording(data, "college", transcript, [ListedChapter(0, "Een"), ListedChapter(14, "Twee")])
    assert run_recording(data, "college", [chapters_stage.STAGE])[0].status == "ran"
    chapters = load_chapters(data.work_dir("college") / "chapters.json")
    first, second = chapters.chapters
    assert first.gaps == [] and "untranscribed_speech" not in first.flags
    assert second.gaps == [Gap(16.0, 19.0, "no words after repair")] and "untranscribed_speech" in second.flags
    monkeypatch.setattr("pipeline.stages.all_stages", lambda: [chapters_stage.STAGE])
    assert cli_main(["status"]) == 0
    assert "speech not transcribed: 0:16–0:19" in capsys.readouterr().out


def test_a_sentence_break_where_the_voice_changes_is_preferred(data):
    # two equal breaks (sentence end + 1.2 s pause) near the listed 0:08: the nearer one, unless the
    # other is where the second speaker takes over (speakers.json), which the stage then prefers
    from pipeline.artifacts.speakers import SpeakerEntry, Speakers, Turn

    transcript = script((0, sentence(20)), (1.2, sentence(10)), (1.2, sentence(12)))
    a, b = transcript.segments[1].start, transcript.segments[2].start
    chapter_list = listed("00:00 - Anna\n00:08 - Bram")
    assert split_transcript(transcript, chapter_list).chapters[1].start == a
    turns = [Turn(0.0, transcript.segments[1].end + 0.1, "SPEAKER_00"), Turn(b - 0.1, transcript.duration, "SPEAKER_01")]
    speakers = Speakers("nl", transcript.duration, "test", {}, turns,
                        [SpeakerEntry("SPEAKER_00", "Anna", 10.0, "page_order", "presenter", "Anna"),
                         SpeakerEntry("SPEAKER_01", None, 4.0, None, "presenter", "Spreker 1")])
    second = split_transcript(transcript, chapter_list, speakers=speakers).chapters[1]
    assert second.start == b and "speaker change" in second.snap["reason"]
    add_recording(data, "college", transcript, [ListedChapter(0, "Anna"), ListedChapter(8, "Bram")])
    speakers.save(data.work_dir("college") / "speakers.json")
    (result,) = run_recording(data, "college", [chapters_stage.STAGE])
    assert result.status == "ran", result.error
    assert load_chapters(data.work_dir("college") / "chapters.json").chapters[1].start == b
