"""Composing answers: answered or declined, extractive, short, dated, sourced."""

from __future__ import annotations

import pytest

from bot.answers.compose import MAX_ANSWER_WORDS, answer_question, split_sentences
from bot.dates import format_date
from indexer.search import SearchIndex


@pytest.mark.parametrize(
    ("question", "doc_id", "fact"),
    [
        ("What is MyCSP?", "mycsp", "administered the Civil Service pension schemes"),
        ("what happened to the Swindon pathfinder?", "pathfinder-outcomes", "SEQOL"),
        ("mycps launch date", "mycsp", "2012"),  # a typo is corrected
        ("what's a community interest company", "legal-forms", "limited company"),
    ],
)
def test_answers_from_the_right_page(
    shipped_index: SearchIndex, question: str, doc_id: str, fact: str
) -> None:
    answer = answer_question(shipped_index, question)
    assert answer.answered
    assert answer.hits[0].passage.doc_id == doc_id
    assert fact in answer.text
    assert len(answer.text.split()) <= MAX_ANSWER_WORDS + 8  # the answer plus "(As of ...)"
    assert answer.text.endswith(f"(As of {format_date(answer.as_of)}.)")
    assert answer.sources and all(s.url.startswith("http") for s in answer.sources)
    assert len(answer.related) <= 2


@pytest.mark.parametrize(
    "question",
    [
        "how do I claim travel expenses for a trip to Swindon",
        "is there parking at Newton Rigg?",
        "",
        "the and of",
        "🙂" * 100,
        "<!channel> <@U123> <https://evil|click>",
        "x" * 40_000,
    ],
)
def test_declines_what_the_knowledge_cannot_answer(
    shipped_index: SearchIndex, question: str
) -> None:
    answer = answer_question(shipped_index, question)
    assert not answer.answered
    assert answer.sources == ()
    assert "rephras" in answer.text
    assert "mutuals@culture.gov.uk" in answer.text  # the human contact named in the knowledge


def test_a_short_follow_up_borrows_the_thread_question(shipped_index: SearchIndex) -> None:
    alone = answer_question(shipped_index, "and the shares?")
    followed = answer_question(shipped_index, "and the shares?", context="who owns MyCSP")
    assert alone.hits[0].passage.doc_id == "legal-forms"  # shares in general
    assert followed.answered and followed.hits[0].passage.doc_id in {
        "mycsp",
        "source-discrepancies",
    }


def test_sentences_are_split_and_lists_flattened() -> None:
    text = "First point. Second one!\n\n- item one\n- item two\n1. numbered"
    assert split_sentences(text) == [
        "First point.",
        "Second one!",
        "item one",
        "item two",
        "numbered",
    ]


@pytest.mark.parametrize(("raw", "shown"), [("2014-04-30", "30 April 2014"), ("", ""), ("x", "x")])
def test_as_of_dates_are_written_out(raw: str, shown: str) -> None:
    assert format_date(raw) == shown
