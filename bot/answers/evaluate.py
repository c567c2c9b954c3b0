"""Evaluate answers on labelled questions, beside a plain BM25 baseline, on two parts.

`tests/eval/test.jsonl` is the frozen test part: written from the sources before any tuning
and never used to choose a rule or a threshold. `tests/eval/dev.jsonl` is the development
part, on which the thresholds are chosen by cross-validation (`calibrate`).

Each line is a JSON object: ``{"question": str, "passages": [ids of passages that answer it],
"facts": [strings], "kind": str, "style": str, "fact_id": str}``; an unanswerable question has
no passages and no facts. A question is answered at 1 when the assistant answers and its
answer text contains one of the facts (case-insensitive); answered wrongly when it answers
without any of them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.answers.compose import (
    CLOSEST,
    MAX_ANSWER_WORDS,
    TUNING,
    Tuning,
    answer_question,
    consider,
)
from bot.answers.decision import DECISION_FEATURES
from bot.answers.ranking import Model
from indexer.search import SearchIndex

# The labelled questions live with the tests, in a checkout (relative to where it runs).
EVAL_DIR = Path("tests") / "eval"
PARTS = ("test", "fresh", "dev")
# Never used to choose a rule or a weight; `mutuals eval --misses` does not list their misses.
FROZEN_PARTS = frozenset(("test", "fresh"))


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    passages: tuple[str, ...]
    facts: tuple[str, ...]
    kind: str = ""
    style: str = ""
    fact_id: str = ""  # questions about one fact share it (and so their part and fold)

    @property
    def answerable(self) -> bool:
        return bool(self.passages)

    @property
    def group(self) -> str:
        return self.fact_id or self.question


@dataclass(frozen=True)
class Outcome:
    """What a system did with one question: its answer and passage ranking."""

    answered: bool
    text: str
    ranking: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """One question's outcome, judged."""

    question: LabelledQuestion
    outcome: Outcome

    @property
    def right(self) -> bool:
        """Answered with a labelled fact (answerable), or declined (unanswerable)."""
        if not self.question.answerable:
            return not self.outcome.answered
        text = self.outcome.text.casefold()
        return self.outcome.answered and any(f.casefold() in text for f in self.question.facts)

    @property
    def wrong(self) -> bool:
        """Answered, but not with a labelled fact (or a question it cannot answer)."""
        return self.outcome.answered and not self.right

    @property
    def rank(self) -> int | None:
        ranks = [i for i, p in enumerate(self.outcome.ranking, 1) if p in self.question.passages]
        return ranks[0] if ranks else None

    @property
    def verdict(self) -> str:
        if self.right:
            return "right"
        return "wrong" if self.outcome.answered else "declined"


@dataclass(frozen=True)
class Scores:
    answer_at_1: float
    passage_at_1: float
    recall_at_3: float
    mrr: float
    unanswerable_declined: float  # share of unanswerable questions declined
    answerable_declined: float  # share of answerable questions wrongly declined
    declined_linked: float  # ... of which the decline links the right passage as closest guidance
    answered_wrong: float  # share of answerable questions answered without their fact
    answerable: int
    unanswerable: int

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("answer-at-1", _pct(self.answer_at_1)),
            ("passage-at-1", _pct(self.passage_at_1)),
            ("recall@3", _pct(self.recall_at_3)),
            ("MRR", f"{self.mrr:.3f}"),
            ("answerable wrongly declined", _pct(self.answerable_declined)),
            ("  ... right passage linked", _pct(self.declined_linked)),
            ("answered with wrong facts", _pct(self.answered_wrong)),
            ("unanswerable declined", _pct(self.unanswerable_declined)),
        ]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def load_questions(path: Path | str) -> list[LabelledQuestion]:
    """Read labelled questions (one JSON object a line; blank lines skipped)."""
    result = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            result.append(
                LabelledQuestion(
                    str(item["question"]),
                    tuple(item.get("passages") or ()),
                    tuple(item.get("facts") or ()) if item.get("passages") else (),
                    str(item.get("kind") or ""),
                    str(item.get("style") or ""),
                    str(item.get("fact_id") or ""),
                )  # fmt: skip
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: bad labelled question ({exc})") from exc
    return result


def load_parts(directory: Path | str = EVAL_DIR) -> dict[str, list[LabelledQuestion]]:
    """The frozen test part, the later frozen part written blind ("fresh") and the
    development part."""
    return {part: load_questions(Path(directory) / f"{part}.jsonl") for part in PARTS}


def judge(questions: Sequence[LabelledQuestion], run: Callable[[str], Outcome]) -> list[Result]:
    return [Result(q, run(q.question)) for q in questions]


def score(questions: Sequence[LabelledQuestion], run: Callable[[str], Outcome]) -> Scores:
    """Run every question through `run` and score the outcomes."""
    return summarise(judge(questions, run))


def summarise(results: Sequence[Result]) -> Scores:
    answerable = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]
    n, u = max(len(answerable), 1), max(len(unanswerable), 1)
    ranks = [r.rank for r in answerable]
    return Scores(
        answer_at_1=sum(r.right for r in answerable) / n,
        passage_at_1=sum(k == 1 for k in ranks) / n,
        recall_at_3=sum(k is not None and k <= 3 for k in ranks) / n,
        mrr=sum(1 / k for k in ranks if k) / n,
        unanswerable_declined=sum(r.right for r in unanswerable) / u,
        answerable_declined=sum(not r.outcome.answered for r in answerable) / n,
        declined_linked=sum(
            not r.outcome.answered and r.rank is not None and r.rank <= CLOSEST for r in answerable
        )
        / n,
        answered_wrong=sum(r.wrong for r in answerable) / n,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
    )


def assistant(index: SearchIndex, tuning: Tuning = TUNING) -> Callable[[str], Outcome]:
    """The product: analyser, exact BM25, re-ranking, decision and extractive answer."""

    def run(question: str) -> Outcome:
        answer = answer_question(index, question, k=10, tuning=tuning)
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


def report(parts: dict[str, tuple[Scores, Scores]]) -> str:
    """A side-by-side table: each part, the assistant beside the baseline."""
    names = list(parts)
    width = max(13, *(len(n) + 7 for n in names))  # "<name> base" and a space or more
    lines = [
        ", ".join(
            f"{name}: {ours.answerable} answerable, {ours.unanswerable} unanswerable"
            for name, (ours, _) in parts.items()
        ),
        f"{'measure':<30}"
        + "".join(f"{n + ' ours':>{width}}{n + ' base':>{width}}" for n in names),
    ]
    rows = {name: (ours.rows(), base.rows()) for name, (ours, base) in parts.items()}
    for i, (label, _) in enumerate(next(iter(rows.values()))[0]):
        cells = "".join(f"{o[i][1]:>{width}}{b[i][1]:>{width}}" for o, b in rows.values())
        lines.append(f"{label:<30}{cells}")
    return "\n".join(lines)


def by_kind(results: Sequence[Result], key: str = "kind") -> str:
    """Right / declined / wrong counts for each kind (or style) of question."""
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[getattr(r.question, key) or "-"].append(r)
    lines = [f"{key:<16}{'n':>5}{'right':>8}{'declined':>10}{'wrong':>8}"]
    for name in sorted(groups):
        rs = groups[name]
        counts = [sum(r.verdict == v for r in rs) for v in ("right", "declined", "wrong")]
        lines.append(f"{name:<16}{len(rs):>5}" + "".join(
            f"{c:>{w}}" for c, w in zip(counts, (8, 10, 8), strict=True)))  # fmt: skip
    return "\n".join(lines)


def misses(results: Iterable[Result]) -> str:
    """Each question not answered right: what happened, and the passage it got."""
    lines = []
    for r in results:
        if r.right:
            continue
        got = r.outcome.ranking[0] if r.outcome.ranking else "-"
        want = ", ".join(r.question.passages) or "(decline)"
        said = f"\n    said: {r.outcome.text[:160]}" if r.outcome.answered else ""
        lines.append(f"[{r.verdict}] {r.question.question}\n    got {got}; want {want}{said}")
    return "\n".join(lines) or "no misses"


# -- calibration by cross-validation ------------------------------------------------------------

FOLDS = 5
L2 = 0.1  # ridge penalty of the logistic fits (the bias is not penalised)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, rounds: int = 30) -> Model:
    """A logistic regression by Newton's method (IRLS), ridge-penalised."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    penalty = np.eye(x1.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-np.clip(x1 @ w, -60, 60)))
        hessian = x1.T @ (x1 * (p * (1 - p))[:, None]) + penalty
        gradient = x1.T @ (p - y) + penalty @ w
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Model(tuple(round(float(v), 3) for v in w[:-1]), round(float(w[-1]), 3))


def folds(questions: Sequence[LabelledQuestion], k: int = FOLDS) -> np.ndarray:
    """Each question's fold: questions about one fact stay in one fold."""
    return np.array([int(hashlib.sha1(q.group.encode()).hexdigest(), 16) % k for q in questions])


def fit_ranker(index: SearchIndex, questions: Sequence[LabelledQuestion]) -> Model:
    """Weights for re-ranking, fitted on pairs: for each question, each labelled passage among
    the candidates against each other candidate (which of the two should come first)."""
    xs, ys = [], []
    for q in questions:
        if not q.answerable:
            continue
        considered = consider(index, q.question, tuning=TUNING)
        right = [c for c in considered.candidates if c.hit.passage.id in q.passages]
        wrong = [c for c in considered.candidates if c.hit.passage.id not in q.passages]
        for r in right:
            for w in wrong:
                difference = np.array(r.values) - np.array(w.values)
                xs += [difference, -difference]
                ys += [1.0, 0.0]
    model = fit_logistic(np.array(xs), np.array(ys))
    return Model(model.weights)  # a pair's order needs no bias


def decision_rows(
    index: SearchIndex, questions: Sequence[LabelledQuestion], tuning: Tuning
) -> tuple[np.ndarray, np.ndarray]:
    """The decision's measures for each question, and whether answering would be right."""
    xs, ys = [], []
    always = replace(tuning, answer_at=-1.0)
    for q in questions:
        considered = consider(index, q.question, tuning=always)
        answer = answer_question(index, q.question, k=10, tuning=always)
        right = answer.answered and Result(q, Outcome(True, answer.text, ())).right
        xs.append(considered.values or (0.0,) * len(DECISION_FEATURES))
        ys.append(right if q.answerable else False)
    return np.array(xs), np.array(ys, dtype=float)


def best_threshold(p: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """The confidence threshold of best utility (see `utility`)."""
    best, chosen = -np.inf, 0.5
    for t in np.round(np.arange(0.05, 0.96, 0.025), 3):
        value = utility(p >= t, right, answerable)
        if value > best:
            best, chosen = value, float(t)
    return chosen


WRONG_DECLINE = -0.5  # a decline still links the closest guidance: half as bad as a wrong answer


def utility(answered: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """Right answers and right declines count +1, wrong answers -1, an answerable question
    declined -0.5; the answerable and the unanswerable questions weigh half each."""
    a, u = answerable, ~answerable
    good = np.where(answered, np.where(right > 0, 1.0, -1.0), WRONG_DECLINE)
    bad = np.where(answered, -1.0, 1.0)
    return float(((good[a].mean() if a.any() else 0.0) + (bad[u].mean() if u.any() else 0.0)) / 2)


def calibrate(
    index: SearchIndex, questions: Sequence[LabelledQuestion], echo: Callable[[str], None] = print
) -> Tuning:
    """Fit the re-ranking and decision models by k-fold cross-validation on the development
    part: print each fold's held-out figures, then the models fitted on all of it."""
    fold = folds(questions)
    answerable = np.array([q.answerable for q in questions])
    held_out = []
    for k in range(FOLDS):
        train = [q for q, f in zip(questions, fold, strict=True) if f != k]
        test = [q for q, f in zip(questions, fold, strict=True) if f == k]
        tuning = _fit(index, train)
        results = judge(test, assistant(index, tuning))
        scores = summarise(results)
        held_out.append(scores)
        echo(f"fold {k}: {len(test)} held out: answer-at-1 {_pct(scores.answer_at_1)}, "
             f"passage-at-1 {_pct(scores.passage_at_1)}, wrongly declined "
             f"{_pct(scores.answerable_declined)}, unanswerable declined "
             f"{_pct(scores.unanswerable_declined)}")  # fmt: skip
    mean = {name: np.mean([getattr(s, name) for s in held_out])
            for name in ("answer_at_1", "passage_at_1", "answerable_declined",
                         "unanswerable_declined", "answered_wrong")}  # fmt: skip
    echo("cross-validated (mean of held-out folds): " + ", ".join(
        f"{name} {_pct(value)}" for name, value in mean.items()))  # fmt: skip
    del answerable
    tuning = _fit(index, questions)
    echo(f"fitted on all {len(questions)} development questions:")
    echo(f"RANKER = {tuning.ranker}")
    echo(f"DECIDER = {tuning.decider}")
    echo(f"ANSWER_AT = {tuning.answer_at}")
    return tuning


def _fit(index: SearchIndex, questions: Sequence[LabelledQuestion]) -> Tuning:
    ranked = replace(TUNING, ranker=fit_ranker(index, questions))
    x, right = decision_rows(index, questions, ranked)
    decider = fit_logistic(x, right)
    p = 1 / (1 + np.exp(-np.clip(x @ np.array(decider.weights) + decider.bias, -60, 60)))
    answerable = np.array([q.answerable for q in questions])
    return replace(ranked, decider=decider, answer_at=best_threshold(p, right, answerable))
