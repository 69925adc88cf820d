"""Open questions: audience questions paired with the answer that follows."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "drafts"))
from drafts_fixture import build, lecture, lecture_sentences  # noqa: E402

from pipeline.drafts.nlp import language_tools  # noqa: E402
from pipeline.drafts.questions import (  # noqa: E402
    QuestionOptions,
    find_questions,
    is_qa_chapter,
    is_question,
)
from pipeline.drafts.sentences import split_sentences  # noqa: E402

OPTIONS = QuestionOptions()


@pytest.mark.parametrize("name", ["nl", "en"])
def test_questions_are_found_with_their_answers(name):
    spec, transcript, chapters, tools, sentences = lecture_sentences(name)
    found = [q for c in chapters for q in find_questions(sentences.in_chapter(c.index), c.title, tools, OPTIONS)]
    assert len(found) == len(spec["questions"])
    for item, expected in zip(found, spec["questions"]):
        assert item.question[0].text.startswith(expected["question"])
        assert item.answer and item.answer[0].text.startswith(expected["answer"])
        assert item.question[-1].end <= item.answer[0].start
        assert not any(s.text.endswith("?") for s in item.answer)
    # Two answers do not run into each other: the next question ends the previous answer.
    assert found[0].answer[-1].end < found[1].question[0].start


def _sentences(texts, title, language):
    spec = {**lecture(language), "chapters": [{"title": title, "sentences": texts}]}
    transcript, chapters, _ = build(spec)
    return split_sentences(transcript, chapters, language_tools(language)).sentences


def test_rhetorical_questions_in_a_lecture_chapter_are_not_audience_questions():
    texts = ["Waarom is data zo belangrijk voor wegbeheerders?", "Omdat je zonder data niet kunt sturen."]
    assert find_questions(_sentences(texts, "Uitleg programma", "nl"), "Uitleg programma",
                          language_tools("nl"), OPTIONS) == []


def test_announced_question_outside_qa_chapter_is_found():
    texts = ["Er is een vraag uit de zaal.", "Hoe verdelen jullie de kosten tussen provincies?",
             "De kosten verdelen we naar rato van het aantal inwoners.", "Toch?"]
    found = find_questions(_sentences(texts, "Financiering", "nl"), "Financiering", language_tools("nl"), OPTIONS)
    assert len(found) == 1
    assert found[0].question[0].text == texts[1]
    assert [s.text for s in found[0].answer] == texts[2:]  # 'Toch?' is a tag, too short to be a question


def test_a_run_of_questions_gives_one_item_each_with_its_own_answer():
    texts = ["How can citizens help?", "Should the government step back and let them organise it?",
             "Citizens can help by sharing what they see on the road.",
             "The government should not step back, but coordinate."]
    found = find_questions(_sentences(texts, "Q&A", "en"), "Q&A", language_tools("en"), OPTIONS)
    assert [[s.text for s in f.question] for f in found] == [[texts[0]], [texts[1]]]
    assert [[s.text for s in f.answer] for f in found] == [[texts[2]], [texts[3]]]


def test_a_question_without_its_own_answer_shares_the_answer():
    texts = ["How can citizens help?", "And who pays for it?", "Good point, we are still working that out."]
    found = find_questions(_sentences(texts, "Q&A", "en"), "Q&A", language_tools("en"), OPTIONS)
    assert len(found) == 2 and all([s.text for s in f.answer] == [texts[2]] for f in found)


@pytest.mark.parametrize("language, text", [
    ("nl", "Ik vroeg me af of de verkeersdata ook met marktpartijen gedeeld worden."),
    ("nl", "Hoe zorgen we ervoor dat de kennis niet verdwijnt."),
    ("nl", "Ik ben benieuwd of andere provincies jullie aanpak overnemen."),
    ("en", "I wonder whether the data is shared with companies."),
    ("en", "How do we make sure the knowledge stays in the region."),
])
def test_indirect_questions_count_in_qa_chapters_only(language, text):
    tools = language_tools(language)
    assert is_question(text, tools, OPTIONS, qa=True)
    assert not is_question(text, tools, OPTIONS, qa=False)
    assert not is_question("Wat we doen is de data delen met iedereen.", language_tools("nl"), OPTIONS, qa=True)


def test_qa_chapter_titles():
    assert is_qa_chapter("Vragen uit de zaal") and is_qa_chapter("Q&A") and is_qa_chapter("Questions from the audience")
    assert not is_qa_chapter("Uitleg programma Krachtenbundeling (Floris)")


def test_an_audience_question_records_its_asker_and_is_paired_with_the_presenters_answer():
    texts = ["Hoe verdelen jullie de kosten tussen provincies?", "Dat wil ik graag weten.",
             "De kosten verdelen we naar rato van het aantal inwoners.", "Dat is zo afgesproken.",
             "Dank u wel."]
    sentences = _sentences(texts, "Financiering", "nl")  # not a Q&A chapter: the voice makes it a question
    for s, who in zip(sentences, ["Publiek", "Publiek", "Anna de Vries", "Anna de Vries", "Publiek"]):
        s.speaker = who
    found = find_questions(sentences, "Financiering", language_tools("nl"), OPTIONS, frozenset({"Publiek"}))
    assert len(found) == 1 and found[0].question[0].text == texts[0]
    assert (found[0].asker, found[0].answerer) == ("Publiek", "Anna de Vries")
    assert [s.text for s in found[0].answer] == texts[2:4]  # the asker's follow-up and thanks are not the answer


def test_drafts_without_an_asker_still_load(tmp_path):
    from pipeline.artifacts.drafts import load_drafts
    from pipeline.core import fsutil

    old = {"schema_version": 1, "language": "nl", "title": "College", "introduction": "", "summary": "",
           "chapters": [], "questions": [{"id": "qa-s0001000", "chapter_index": 0, "text": "Hoe lang duurt het?",
                                          "start": 1.0, "end": 2.5, "answer_speaker": "Anna de Vries"}],
           "provenance": {"method": "extractive", "parameters": {}, "version": "0"}}
    fsutil.write_json(tmp_path / "drafts.json", old)
    drafts = load_drafts(tmp_path / "drafts.json")
    assert drafts.questions[0].asker == "" and drafts.questions[0].answer_speaker == "Anna de Vries"
    drafts.questions[0].asker = "Publiek"
    fsutil.write_json(tmp_path / "new.json", drafts.to_json())
    assert load_drafts(tmp_path / "new.json").questions[0].asker == "Publiek"
