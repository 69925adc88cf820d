"""Human captions are read strictly: every defect is one error naming its line; valid files agree
with two third-party parsers (srt, webvtt-py)."""
from __future__ import annotations

import io

import pytest
import srt
import webvtt

from pipeline.core.errors import ManifestError
from pipeline.ingest.captions import check_within, parse_captions

GOOD_SRT = """1
00:00:01,000 --> 00:00:03,500
Goedemiddag allemaal.

2
00:00:04,000 --> 00:00:07,250
Welkom bij dit <i>open college</i>
over verkeer.

3
00:01:00,000 --> 00:01:02,000
Tot slot.
"""

GOOD_VTT = """WEBVTT

NOTE made by hand

intro
00:00:01.000 --> 00:00:03.500 align:start
Goedemiddag allemaal.

00:04.000 --> 00:07.250
Welkom bij dit <v Anna>open college</v>
"""


def test_valid_srt_matches_the_srt_library():
    ours = parse_captions(GOOD_SRT, "talk.srt")
    theirs = list(srt.parse(GOOD_SRT))
    assert [(c.start, c.end) for c in ours] == [(s.start.total_seconds(), s.end.total_seconds()) for s in theirs]
    assert [c.line for c in ours] == [2, 6, 11]
    assert ours[1].text == "Welkom bij dit open college over verkeer."


def _vtt_seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_valid_vtt_matches_webvtt_py():
    ours = parse_captions(GOOD_VTT, "talk.vtt")
    theirs = webvtt.from_buffer(io.StringIO(GOOD_VTT))
    assert [(c.start, c.end) for c in ours] == [(_vtt_seconds(t.start), _vtt_seconds(t.end)) for t in theirs]
    assert [c.text for c in ours] == ["Goedemiddag allemaal.", "Welkom bij dit open college"]


BAD = {
    "seconds out of range": ("1\n00:00:99,000 --> 00:01:40,000\nTekst\n", 2, "00-59"),
    "minutes out of range": ("1\n00:61:00,000 --> 00:62:00,000\nTekst\n", 2, "00-59"),
    "malformed arrow": (GOOD_SRT + "\n4\n00:01:03,000 -> 00:01:04,000\nVerloren zin\n", 15, "malformed cue timing"),
    "em-dash arrow": ("1\n00:00:01,000 —> 00:00:02,000\nTekst\n", 2, "malformed cue timing"),
    "end before start": ("1\n00:00:05,000 --> 00:00:04,000\nTekst\n", 2, "ends before it starts"),
    "unparseable block": (GOOD_SRT + "\nzomaar wat tekst\nzonder tijden\n", 14, "not a subtitle cue"),
    "nothing at all": ("\n\n", None, "no subtitle cues"),
}


@pytest.mark.parametrize("label", list(BAD))
def test_every_defect_is_one_error_with_its_line(label):
    text, line, message = BAD[label]
    with pytest.raises(ManifestError, match=message) as err:
        parse_captions(text, "talk.srt")
    assert "\n" not in str(err.value)
    if line:
        assert f"line {line}:" in str(err.value)


def test_a_cue_past_the_end_of_the_media_is_refused_with_its_line():
    cues = parse_captions("1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n01:00:00,000 --> 01:00:05,000\nB\n", "c.srt")
    with pytest.raises(ManifestError, match=r"line 6: cue ends at 3605.0 s, past the end of the media \(40.0 s\)"):
        check_within(cues, 40.0, "c.srt")
    check_within(cues[:1], 40.0, "c.srt")  # within: no error
