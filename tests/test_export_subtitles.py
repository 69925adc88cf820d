"""Issue 12 item 7: subtitles an editor can publish, read back with third-party parsers (srt, webvtt-py).

At most 42 characters a line and 2 lines a cue, cues of 1-7 s, cut at phrase boundaries
(punctuation, then the widest pause); human captions keep their own cues."""
from __future__ import annotations

import io
from itertools import pairwise

import pytest
import srt
import webvtt
from review_fixture import build_sample

from pipeline.artifacts.transcript import Segment, Transcript, Word
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.editorial.store import ReviewStore
from pipeline.publish.export import export_text
from pipeline.publish.subtitles import (
    Token,
    format_srt,
    format_vtt,
    layout_cues,
    timed_tokens,
    wrap_lines,
)

SLUG = "open-college"
SPEECH = [  # (sentence, seconds per word, pause after): long and short sentences, fast and slow speech
    (("Goedemiddag allemaal en welkom bij dit open college over de krachtenbundeling van overheden "
      "in Oost-Nederland, waarin we vertellen hoe provincies, gemeenten en waterschappen samenwerken "
      "aan slimme mobiliteit."), 0.32, 0.6),
    ("Ja.", 0.3, 0.2),
    ("Dat klopt.", 0.3, 2.5),
    (("We beginnen met de vraag waarom dat nodig is want er gebeurde al veel maar het was te versnipperd "
      "en te vrijblijvend"), 0.45, 0.9),
    (("Daarna laat Alex zien wat de provincie Overijssel heeft gedaan met verkeerslichten die met auto's "
      "praten; dat heet iVRI."), 0.38, 1.0),
]


def speech_tokens(pause_word: int | None = None) -> list[Token]:
    tokens, t = [], 3.0
    for text, per_word, pause in SPEECH:
        words = text.split()
        for i, w in enumerate(words):
            tokens.append(Token(w, round(t, 3), round(t + per_word * 0.85, 3), i == len(words) - 1))
            t += per_word + (0.7 if (pause_word is not None and len(tokens) == pause_word) else 0.0)
        t += pause
    return tokens


def check_publishable(cues) -> None:
    for cue in cues:
        lines = cue.content.split("\n") if hasattr(cue, "content") else cue.lines
        seconds = (cue.end - cue.start).total_seconds() if hasattr(cue, "content") else (
            cue.end_in_seconds - cue.start_in_seconds)
        assert 1 <= len(lines) <= 2, lines
        assert all(len(line) <= 42 for line in lines), lines
        assert 1.0 - 1e-3 <= seconds <= 7.0 + 1e-3, (seconds, lines)


def test_layout_keeps_every_word_within_the_limits_and_readable_by_srt_and_webvtt():
    tokens = speech_tokens()
    cues = layout_cues(tokens)
    parsed = list(srt.parse(format_srt(cues)))
    check_publishable(parsed)
    assert " ".join(c.content.replace("\n", " ") for c in parsed) == " ".join(t.text for t in tokens)
    assert all(a.end <= b.start for a, b in pairwise(parsed)), "cues never overlap"
    captions = webvtt.from_buffer(io.StringIO(format_vtt(cues)))
    assert len(captions) == len(cues)
    check_publishable(captions)


def test_cuts_fall_at_phrase_boundaries():
    cues = layout_cues(speech_tokens())
    texts = [c.text.replace("\n", " ") for c in cues]
    # Where punctuation is within reach the cut is there: after 'provincies,' and 'mobiliteit.'
    assert texts[1].endswith("hoe provincies,") and texts[2].endswith("Dat klopt."), texts
    assert "Ja." not in texts, "a short reply joins its neighbours rather than flash by"
    assert texts[4] == "het was te versnipperd en te vrijblijvend", "a sentence end before the long pause"
    # An unpunctuated sentence is cut at its widest pause between words
    start = sum(len(text.split()) for text, _, _ in SPEECH[:3])
    widened = [c.text.replace("\n", " ") for c in layout_cues(speech_tokens(pause_word=start + 8))]
    assert any(t.endswith("We beginnen met de vraag waarom dat nodig") for t in widened), widened


def test_lines_are_balanced_and_break_after_punctuation():
    assert wrap_lines("Er gebeurden al veel goede dingen, maar te versnipperd.") == [
        "Er gebeurden al veel goede dingen,", "maar te versnipperd."]
    assert wrap_lines("kort") == ["kort"]
    assert wrap_lines("woord " * 20) is None, "more than two lines does not fit"


def test_timed_tokens_follow_the_words_and_fill_in_corrected_ones():
    words = [("Welkom", 0.0, 0.5), ("bij", 0.6, 0.8), ("de", 1.0, 1.2), ("krattenbundeling.", 1.3, 2.4)]
    tokens = timed_tokens("Welkom bij de Krachten bundeling.", 0.0, 2.5, words)
    assert [t.text for t in tokens] == ["Welkom", "bij", "de", "Krachten", "bundeling."]
    assert (tokens[0].start, tokens[2].end) == (0.0, 1.2) and tokens[-1].end == pytest.approx(2.5)
    assert tokens[-1].last and all(a.start <= b.start for a, b in pairwise(tokens))


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    return paths


def test_export_of_the_sample_is_publishable(paths):
    for cue in srt.parse(export_text(paths, SLUG, "srt")):
        assert all(len(line) <= 42 for line in cue.content.split("\n")) and cue.content.count("\n") <= 1
    assert len(webvtt.from_buffer(io.StringIO(export_text(paths, SLUG, "vtt")))) >= 7


def test_human_captions_keep_their_own_cues(paths):
    cues = [(1.0, 1.6, "Welkom bij dit open college over de krattenbundeling."),
            (1.6, 9.4, "Ik ben Floris Bakermans van AT Osborne, en ik vertel vandaag over het programma."),
            (9.5, 12.0, "Dank u.")]
    segments = [Segment(i, s, e, " " + t, [Word(s, e, " " + w) for w in t.split()]) for i, (s, e, t) in enumerate(cues)]
    Transcript("nl", 36.0, "subtitles", "captions", segments).save(paths.work_dir(SLUG) / "transcript.json")
    (paths.work_dir(SLUG) / "sentences.json").unlink()  # sentences are one per cue before the drafts re-run
    ReviewStore(paths.review_db).add_rule(SLUG, "krattenbundeling", "Krachtenbundeling", "Anne")
    parsed = list(srt.parse(export_text(paths, SLUG, "srt")))
    assert [(c.start.total_seconds(), c.end.total_seconds()) for c in parsed] == [(s, e) for s, e, _ in cues]
    assert parsed[0].content.replace("\n", " ") == "Welkom bij dit open college over de Krachtenbundeling."
    assert all(len(line) <= 42 for c in parsed for line in c.content.split("\n"))


def test_exported_subtitles_name_who_speaks(tmp_path):
    """Issue 13: WebVTT cues carry <v Name> voice tags, SRT names the speaker where a turn starts, and no
    cue spans two speakers."""
    paths = DataPaths(tmp_path / "data")
    build_sample(paths, SLUG)
    path = paths.work_dir(SLUG) / "sentences.json"
    data = fsutil.read_json(path)
    for k, sentence in enumerate(data["sentences"]):
        sentence["speaker"] = "Anna de Vries" if k < len(data["sentences"]) // 2 else "Publiek"
    fsutil.write_json(path, data)
    vtt = export_text(paths, SLUG, "vtt")
    cues = list(webvtt.from_buffer(io.StringIO(vtt)))
    voices = [c.raw_text.split(">")[0].removeprefix("<v ") for c in cues]
    assert set(voices) == {"Anna de Vries", "Publiek"}
    assert voices == sorted(voices, key=lambda v: v != "Anna de Vries")  # one turn each, in order
    subs = list(srt.parse(export_text(paths, SLUG, "srt")))
    named = [s.content for s in subs if s.content.startswith(("Anna de Vries:", "Publiek:"))]
    assert len(named) == 2 and subs[0].content.startswith("Anna de Vries:")
    for sub in subs:
        assert all(len(line) <= 42 for line in sub.content.split("\n"))
