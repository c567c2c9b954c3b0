"""The labelled questions: the split is kept honest, and the figures in README do not regress."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.answers.evaluate import (
    EVAL_DIR,
    FROZEN_PARTS,
    PARTS,
    assistant,
    baseline,
    judge,
    load_parts,
    score,
    summarise,
)
from indexer.search import SearchIndex

# The frozen test part's questions, sorted and joined by newlines: labels may be corrected,
# the questions may not change (README, "Evaluation").
FROZEN_TEST_SHA256 = "ed6dfce992d04808ec13f422df92a36b82626e4aa7b7468f9fbed66159a94713"
# The same for the later frozen part, written blind on 2026-12-03 and frozen before labelling.
FROZEN_FRESH_SHA256 = "272b8d6b35b8dd7f16490eeb2e4abd6b522e1ee33af4efd14a6e804671b89108"


def everything(parts):  # type: ignore[no-untyped-def]
    return [q for part in parts.values() for q in part]


@pytest.fixture(scope="module")
def parts():  # type: ignore[no-untyped-def]
    return load_parts(Path(__file__).resolve().parent.parent / EVAL_DIR)


def test_the_parts_are_big_enough(parts) -> None:  # type: ignore[no-untyped-def]
    everything = parts["test"] + parts["dev"]
    assert len(everything) >= 400
    assert sum(not q.answerable for q in everything) >= 60
    assert sum(q.answerable for q in parts["test"]) >= 150
    assert sum(not q.answerable for q in parts["test"]) >= 30


def test_the_test_part_is_frozen(parts) -> None:  # type: ignore[no-untyped-def]
    questions = sorted(q.question for q in parts["test"])
    assert hashlib.sha256("\n".join(questions).encode()).hexdigest() == FROZEN_TEST_SHA256


def test_the_later_part_is_frozen(parts) -> None:  # type: ignore[no-untyped-def]
    questions = sorted(q.question for q in parts["fresh"])
    assert len(questions) == 130
    assert hashlib.sha256("\n".join(questions).encode()).hexdigest() == FROZEN_FRESH_SHA256


def test_no_fact_is_in_both_parts(parts) -> None:  # type: ignore[no-untyped-def]
    test_facts = {q.fact_id for q in parts["test"] if q.fact_id}
    assert not test_facts & {q.fact_id for q in parts["dev"] if q.fact_id}


def test_only_the_development_part_can_be_tuned_on() -> None:
    assert FROZEN_PARTS == set(PARTS) - {"dev"}


def test_every_label_names_a_real_passage_that_states_a_fact(
    parts, shipped_index: SearchIndex
) -> None:  # type: ignore[no-untyped-def]
    texts = {p.id: p.text.casefold() for p in shipped_index.passages}
    for q in everything(parts):
        assert set(q.passages) <= texts.keys(), q.question
        if q.answerable:
            assert q.facts, q.question


def test_every_labelled_passage_holds_one_of_its_questions_facts(
    parts, shipped_index: SearchIndex
) -> None:  # type: ignore[no-untyped-def]
    texts = {p.id: p.text.casefold() for p in shipped_index.passages}
    wrong = [
        (q.question, pid)
        for q in everything(parts)
        for pid in q.passages
        if pid in texts and not any(f.casefold() in texts[pid] for f in q.facts)
    ]
    assert not wrong, wrong


@pytest.fixture(scope="module")
def test_results(parts, shipped_index: SearchIndex):  # type: ignore[no-untyped-def]
    return summarise(judge(parts["test"], assistant(shipped_index)))


def test_figures_on_the_frozen_test_part_do_not_regress(
    parts, test_results, shipped_index: SearchIndex
) -> None:  # type: ignore[no-untyped-def]
    ours = test_results
    assert ours.answer_at_1 >= 0.73
    assert ours.passage_at_1 >= 0.85
    assert ours.unanswerable_declined >= 0.70
    assert ours.answered_wrong <= 0.09
    base = score(parts["test"], baseline(shipped_index))
    assert ours.answer_at_1 > base.answer_at_1  # the baseline always answers: compare also
    assert ours.passage_at_1 >= base.passage_at_1 + 0.10  # its ranking and its wrong answers
    assert ours.answered_wrong <= base.answered_wrong / 3
    assert ours.mrr > base.mrr


def test_figures_on_the_later_frozen_part_do_not_regress(parts, shipped_index: SearchIndex) -> None:  # type: ignore[no-untyped-def]
    ours = summarise(judge(parts["fresh"], assistant(shipped_index)))
    assert ours.answer_at_1 >= 0.78
    assert ours.passage_at_1 >= 0.90
    assert ours.unanswerable_declined >= 0.65
    assert ours.answered_wrong <= 0.03
    base = score(parts["fresh"], baseline(shipped_index))
    assert ours.answer_at_1 > base.answer_at_1 and ours.mrr > base.mrr


def test_misses_are_listed_for_the_development_part_only(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    from tests.conftest import SHIPPED_KNOWLEDGE

    for part in PARTS:  # one question each that no answer can get right
        label = {"question": f"what is tupe ({part})", "passages": ["tupe#x"], "facts": ["zzz"]}
        (tmp_path / f"{part}.jsonl").write_text(json.dumps(label) + "\n", encoding="utf-8")
    argv = ["eval", "--dir", str(tmp_path), "--misses", "--knowledge", str(SHIPPED_KNOWLEDGE),
            "--index", str(tmp_path / "i.sqlite3")]  # fmt: skip
    out = CliRunner().invoke(main, argv, catch_exceptions=False).stdout
    assert "dev, misses" in out and "what is tupe (dev)" in out
    assert "(test)" not in out and "(fresh)" not in out and "test, misses" not in out


def test_a_decline_counts_as_linked_only_when_the_right_passage_is_among_its_closest() -> None:
    from bot.answers.evaluate import LabelledQuestion, Outcome, Result

    q = LabelledQuestion("what is tupe", ("tupe#what",), ("Transfer",))
    results = [
        Result(q, Outcome(False, "", ("other#a", "tupe#what", "other#b"))),  # linked second
        Result(q, Outcome(False, "", ("other#a", "other#b", "tupe#what"))),  # third: not shown
        Result(q, Outcome(True, "Transfer of Undertakings", ("tupe#what",))),  # answered
    ]
    scores = summarise(results)
    assert scores.answerable_declined == 2 / 3 and scores.declined_linked == 1 / 3
