"""The team's labelled questions: the figures in README must not regress."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.evaluate import EVAL_QUESTIONS, assistant, baseline, load_questions, score
from indexer.search import SearchIndex


@pytest.fixture(scope="module")
def questions():  # type: ignore[no-untyped-def]
    return load_questions(Path(__file__).resolve().parent.parent / EVAL_QUESTIONS)


def test_the_set_is_big_enough(questions) -> None:  # type: ignore[no-untyped-def]
    assert sum(q.answerable for q in questions) >= 80
    assert sum(not q.answerable for q in questions) >= 15


def test_every_label_names_a_real_passage(questions, shipped_index: SearchIndex) -> None:  # type: ignore[no-untyped-def]
    ids = {p.id for p in shipped_index.passages}
    assert {pid for q in questions for pid in q.passages} <= ids


def test_figures_do_not_regress(questions, shipped_index: SearchIndex) -> None:  # type: ignore[no-untyped-def]
    ours = score(questions, assistant(shipped_index))
    assert ours.answer_at_1 >= 0.85
    assert ours.recall_at_3 >= 0.95
    assert ours.unanswerable_declined >= 0.90
    assert ours.answerable_declined <= 0.05
    base = score(questions, baseline(shipped_index))
    assert ours.answer_at_1 >= base.answer_at_1 + 0.10
    assert ours.mrr > base.mrr
