"""Whisper failure modes are flagged, never dropped; time order is repaired."""
from pipeline.artifacts.transcript import Segment, Word
from pipeline.transcribe.quality import check_segments, is_repetition, segment_flags


def seg(text, start=0.0, end=2.0, logprob=-0.2, no_speech=0.01):
    return Segment(id=9, start=start, end=end, text=text, avg_logprob=logprob, no_speech_prob=no_speech)


def test_flags():
    assert segment_flags(seg(" Ondertitels ingediend door de Amara.org gemeenschap")) == ["boilerplate"]
    assert segment_flags(seg(" Bedankt voor het kijken!")) == ["boilerplate"]
    assert segment_flags(seg(" Thanks for watching.")) == ["boilerplate"]
    assert segment_flags(seg(" en dan en dan en dan en dan en dan")) == ["repetition"]
    assert segment_flags(seg(" Ja.", logprob=-0.9, no_speech=0.9)) == ["in_silence"]
    assert segment_flags(seg(" mompel", logprob=-1.4)) == ["low_confidence"]
    assert segment_flags(seg(" We gaan samen aan de slag met de wegbeheerders.")) == []
    assert not is_repetition("dat is dat is dat")


def test_check_segments_keeps_all_and_orders():
    segments = [seg(" b", 5, 4), seg(" a", 1, 2), seg(" Thanks for watching", 7, 8)]
    segments[1].words = [Word(0.5, 2.5, " a", 0.9)]
    checked = check_segments(segments)
    assert [s.text for s in checked] == [" a", " b", " Thanks for watching"]
    assert [s.id for s in checked] == [0, 1, 2]
    assert checked[1].end == checked[1].start == 5
    assert (checked[0].words[0].start, checked[0].words[0].end) == (1, 2)
    assert checked[2].flags == ["boilerplate"]
