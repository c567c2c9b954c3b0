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
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.answers.compose import MAX_ANSWER_WORDS, answer_question
from bot.answers.confidence import THRESHOLDS, Thresholds, covered, evidence, weigh
from bot.slack.text import readable
from indexer.search import SearchIndex

# The labelled questions live with the tests, in a checkout (relative to where it runs).
EVAL_DIR = Path("tests") / "eval"
PARTS = ("test", "dev")


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
    """The test and development parts."""
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
        answered_wrong=sum(r.wrong for r in answerable) / n,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
    )


def assistant(index: SearchIndex, thresholds: Thresholds = THRESHOLDS) -> Callable[[str], Outcome]:
    """The product: analyser, exact BM25, re-ranking, thresholds and extractive answer."""

    def run(question: str) -> Outcome:
        answer = answer_question(index, question, k=10, thresholds=thresholds)
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
    lines = [
        ", ".join(
            f"{name}: {ours.answerable} answerable, {ours.unanswerable} unanswerable"
            for name, (ours, _) in parts.items()
        ),
        f"{'measure':<30}" + "".join(f"{n + ' ours':>13}{n + ' base':>13}" for n in names),
    ]
    rows = {name: (ours.rows(), base.rows()) for name, (ours, base) in parts.items()}
    for i, (label, _) in enumerate(next(iter(rows.values()))[0]):
        cells = "".join(f"{o[i][1]:>13}{b[i][1]:>13}" for o, b in rows.values())
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
RANKING_GRID = {"heading": (0.0, 0.3, 0.6), "score": (0.25, 0.5, 1.0),
                "name_zipf": (3.0, 3.5, 4.0), "common": (5.5, 6.0, 6.5)}  # fmt: skip
DECISION_GRID = {
    "min_coverage": tuple(np.round(np.arange(0.35, 0.80, 0.05), 2)),
    "max_unknown": (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
    "min_evidence": (0.0, 0.3, 0.5, 0.7, 0.9, 1.1, 1.4),
}


@dataclass(frozen=True)
class Features:
    """What the decision needs for each question under one ranking setting: the best
    passage's share and weight of the question, the unknown share, and whether an answer
    would be right (answerable, with a fact) or the question is unanswerable."""

    share: np.ndarray
    held: np.ndarray
    unknown: np.ndarray
    answerable: np.ndarray
    right_if_answered: np.ndarray
    small_talk: np.ndarray


def features(index: SearchIndex, questions: Sequence[LabelledQuestion], t: Thresholds) -> Features:
    always = replace(t, min_coverage=0.0, max_unknown=2.0, min_evidence=-1.0)
    rows = []
    for q in questions:
        answer = answer_question(index, q.question, k=10, thresholds=always)
        if answer.small_talk or not answer.hits:
            rows.append((0.0, 0.0, 1.0, False))
            continue
        weighed = weigh(index, index.query(readable(q.question)), t)
        terms = index.terms_of(answer.hits[0])
        share = covered(terms, weighed) / weighed.total if weighed.total > 0 else 0.0
        held = evidence(terms, weighed)
        text = answer.text.casefold()
        rows.append(
            (share, held, weighed.unknown_share, any(f.casefold() in text for f in q.facts))
        )
    columns = [np.array(column) for column in zip(*rows, strict=True)]
    return Features(
        columns[0], columns[1], columns[2], np.array([q.answerable for q in questions]),
        columns[3].astype(bool), np.array([r[0] == 0 and r[2] == 1 for r in rows]),
    )  # fmt: skip


def utility(f: Features, rows: np.ndarray, min_coverage: float, max_unknown: float,
            min_evidence: float) -> float:  # fmt: skip
    """Right answers and right declines count +1, wrong answers -1, wrong declines 0; the
    answerable and unanswerable questions weigh half each."""
    answered = (f.share >= min_coverage) & (f.held >= min_evidence) & (f.unknown < max_unknown)
    a, u = rows & f.answerable, rows & ~f.answerable
    good = np.where(answered, np.where(f.right_if_answered, 1.0, -1.0), 0.0)
    bad = np.where(answered, -1.0, 1.0)
    parts = [good[a].mean() if a.any() else 0.0, bad[u].mean() if u.any() else 0.0]
    return float(sum(parts) / 2)


def folds(questions: Sequence[LabelledQuestion], k: int = FOLDS) -> np.ndarray:
    """Each question's fold: questions about one fact stay in one fold."""
    return np.array([int(hashlib.sha1(q.group.encode()).hexdigest(), 16) % k for q in questions])


def calibrate(
    index: SearchIndex, questions: Sequence[LabelledQuestion], echo: Callable[[str], None] = print
) -> Thresholds:
    """Choose the thresholds by k-fold cross-validation on the development part: print each
    fold's held-out result, and return the setting best on all of it."""
    settings = [dict(zip(RANKING_GRID, v, strict=True))
                for v in itertools.product(*RANKING_GRID.values())]  # fmt: skip
    decisions = [dict(zip(DECISION_GRID, v, strict=True))
                 for v in itertools.product(*DECISION_GRID.values())]  # fmt: skip
    computed = [(s, features(index, questions, replace(THRESHOLDS, **s))) for s in settings]
    fold = folds(questions)
    everything = np.ones(len(questions), dtype=bool)

    def best(rows: np.ndarray) -> tuple[float, dict, dict, Features]:
        return max(((utility(f, rows, **d), s, d, f) for s, f in computed for d in decisions),
                   key=lambda x: x[0])  # fmt: skip

    held_out = []
    for k in range(FOLDS):
        _, s, d, f = best(fold != k)
        held_out.append(utility(f, fold == k, **d))
        echo(f"fold {k}: trained {s | d}; held-out utility {held_out[-1]:.3f}")
    value, s, d, _ = best(everything)
    echo(f"cross-validated utility {np.mean(held_out):.3f} (on all: {value:.3f})")
    chosen = replace(THRESHOLDS, **s, **d)
    echo(f"chosen: {chosen}")
    return chosen
