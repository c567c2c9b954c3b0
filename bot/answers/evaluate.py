"""Evaluate answers on the team's labelled questions, beside a plain BM25 baseline.

Each line of the questions file is a JSON object:
``{"question": str, "passages": [passage ids that answer it], "facts": [strings], "note": str}``;
an unanswerable question has no passages and no facts. A question is answered at 1 when the
assistant answers and its answer text contains one of the facts (case-insensitive).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.answers.compose import MAX_ANSWER_WORDS, answer_question
from indexer.search import SearchIndex

# The labelled questions live with the tests, in a checkout (relative to where it runs).
EVAL_QUESTIONS = Path("tests") / "eval" / "questions.jsonl"


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    passages: tuple[str, ...]
    facts: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.passages)


@dataclass(frozen=True)
class Outcome:
    """What a system did with one question: its answer and passage ranking."""

    answered: bool
    text: str
    ranking: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    answer_at_1: float
    recall_at_3: float
    mrr: float
    unanswerable_declined: float  # share of unanswerable questions declined
    answerable_declined: float  # share of answerable questions wrongly declined
    decline_precision: float  # share of declines that were right
    answerable: int
    unanswerable: int

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("answer-at-1", _pct(self.answer_at_1)),
            ("recall@3", _pct(self.recall_at_3)),
            ("MRR", f"{self.mrr:.3f}"),
            ("unanswerable declined", _pct(self.unanswerable_declined)),
            ("answerable wrongly declined", _pct(self.answerable_declined)),
            ("decline precision", _pct(self.decline_precision)),
        ]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def load_questions(path: Path | str) -> list[LabelledQuestion]:
    """Read the labelled questions (one JSON object a line; blank lines skipped)."""
    result = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            result.append(
                LabelledQuestion(
                    item["question"], tuple(item.get("passages", ())), tuple(item.get("facts", ()))
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: bad labelled question ({exc})") from exc
    return result


def score(questions: Sequence[LabelledQuestion], run: Callable[[str], Outcome]) -> Scores:
    """Run every question through `run` and score the outcomes."""
    hits1 = recall3 = rr = 0.0
    declined_bad = declined_good = 0
    answerable = [q for q in questions if q.answerable]
    for q in questions:
        outcome = run(q.question)
        if not q.answerable:
            declined_good += not outcome.answered
            continue
        declined_bad += not outcome.answered
        text = outcome.text.casefold()
        hits1 += outcome.answered and any(f.casefold() in text for f in q.facts)
        ranks = [i for i, pid in enumerate(outcome.ranking, 1) if pid in q.passages]
        recall3 += bool(ranks) and ranks[0] <= 3
        rr += 1 / ranks[0] if ranks else 0.0
    n, u = len(answerable), len(questions) - len(answerable)
    declines = declined_good + declined_bad
    return Scores(
        answer_at_1=hits1 / max(n, 1),
        recall_at_3=recall3 / max(n, 1),
        mrr=rr / max(n, 1),
        unanswerable_declined=declined_good / max(u, 1),
        answerable_declined=declined_bad / max(n, 1),
        decline_precision=declined_good / declines if declines else 0.0,
        answerable=n,
        unanswerable=u,
    )


def assistant(index: SearchIndex) -> Callable[[str], Outcome]:
    """The product: analyser, exact BM25, threshold and extractive answer."""

    def run(question: str) -> Outcome:
        answer = answer_question(index, question, k=10)
        ranking = tuple(h.passage.id for h in answer.hits)
        return Outcome(answer.answered, answer.text, ranking)

    return run


def baseline(index: SearchIndex) -> Callable[[str], Outcome]:
    """Plain BM25Okapi on lower-cased whitespace tokens; always answers with its top passage."""
    texts = [f"{p.title} {p.section} {p.text}" for p in index.passages]
    bm25 = BM25Okapi([t.lower().split() for t in texts])
    ids = [p.id for p in index.passages]

    def run(question: str) -> Outcome:
        scores = bm25.get_scores(question.lower().split())
        order = np.lexsort((np.arange(len(ids)), -scores))[:10]
        top = " ".join(index.passages[order[0]].text.split()[:MAX_ANSWER_WORDS])
        return Outcome(True, top, tuple(ids[i] for i in order))

    return run


def report(ours: Scores, base: Scores) -> str:
    """A side-by-side table of the assistant and the baseline."""
    lines = [
        f"{ours.answerable} answerable and {ours.unanswerable} unanswerable questions",
        f"{'measure':<30}{'assistant':>12}{'baseline':>12}",
    ]
    for (name, a), (_, b) in zip(ours.rows(), base.rows(), strict=True):
        lines.append(f"{name:<30}{a:>12}{b:>12}")
    return "\n".join(lines)
