"""Re-ranking: which of the search's candidates best answers the question.

A named step after search and before the decision. Search gives the top candidates with their
exact rank-bm25 scores; each candidate is described by a few measures (below) and scored by a
linear model whose weights were fitted by cross-validation on the development questions
(`mutuals eval --calibrate`; README, "Evaluation"). Scores shown stay rank-bm25's: re-ranking
only changes the order.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from bot.answers.asks import asks, asks_now, defines, gives, wh
from bot.answers.weights import Weighed, covered, evidence
from indexer.analyse import Analyser
from indexer.pages import OVERVIEW
from indexer.search import Hit, IndexedPassage, SearchIndex

CANDIDATES = 10  # how many BM25 hits re-ranking chooses from

# What describes a candidate, in the order of the weights below.
FEATURES = (
    "bm25",  # its score as a share of the best candidate's
    "first",  # 1 for search's own first choice
    "coverage",  # share of the question's weight the passage holds
    "heading",  # share of the question's weight in the page title and section heading
    "section",  # share of the question's weight in the section heading alone
    "names",  # share of the question's specific terms (names, domain words) it holds
    "gives",  # asked when / how many / who, and the passage gives a date / figure / names
    "defines",  # asked "what is X?", and the passage introduces or defines its subject
    "same_page",  # on the page of search's first choice
    "length",  # log of its length in words, centred on 60
    "same_wh",  # its heading is a question with the question's own question word
    "fits_heading",  # share of its heading's weight the question names
    "recent",  # how recent its as-of date is (2010: 0, 2025: 1)
    "recent_if_now",  # the same, when the question asks how things stand now
    "heading_words",  # how alike the question and its heading are, word for word (Dice)
    "pairs",  # share of the question's pairs of adjacent terms side by side in its headings
    "superseded",  # a newer passage replaces it (or it is marked historical)
    "superseded_if_now",  # the same, when the question asks how things stand now
)


@dataclass(frozen=True)
class Model:
    """A linear model over FEATURES (and a bias, used by the decision)."""

    weights: tuple[float, ...]
    bias: float = 0.0

    def score(self, values: tuple[float, ...]) -> float:
        return self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True))


# Fitted by `mutuals eval --calibrate` on the development part before its second batch (README,
# "Evaluation", says why a refit with it is not shipped).
RANKER = Model(
    weights=(
        6.285,
        0.131,
        3.709,
        -0.442,
        -0.209,
        0.116,
        1.545,
        0.718,
        0.192,
        1.489,
        0.657,
        1.049,
        -0.135,
        3.729,
        2.776,
        0.762,
        0.347,
        2.623,
    ),
    bias=0.0,
)


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    values: tuple[float, ...]
    score: float


def describe(
    index: SearchIndex, hits: list[Hit], weighed: Weighed, question: str
) -> list[tuple[float, ...]]:
    """Each candidate's measures, in the order of FEATURES."""
    if not hits:
        return []
    best = hits[0].score if hits[0].score > 0 else 1.0
    total = weighed.total or 1.0
    specific = sum(weighed.specific.values()) or 1.0
    asked = asks(question)
    wanted = asked & {"date", "figure", "who"}
    now = asks_now(question)
    content = [t for t in weighed.query.tokens if weighed.weights.get(t, 0.0) > 0]
    read_question = _Question(
        tuple((t, w) for t, w in weighed.weights.items() if w > 0), total, wh(question),
        frozenset(weighed.weights), _said(index.analyser, question),
        set(zip(content, content[1:], strict=False)),
    )  # fmt: skip
    rows: list[tuple[float, ...]] = []
    for i, hit in enumerate(hits):
        p = hit.passage
        terms = index.terms_of(hit)
        read = _passage(index, p)
        given = gives(p.text) if wanted else frozenset()
        fit = HeadingFit.best(_heading_fit(read.title, h, read_question) for h in read.headings)
        rows.append(
            (
                hit.score / best,
                1.0 if i == 0 else 0.0,
                covered(terms, weighed) / total,
                fit.heading,
                fit.section,
                evidence(terms, weighed) / specific,
                1.0 if wanted and wanted <= given else 0.0,
                1.0 if "definition" in asked and defines(p.section, OVERVIEW) else 0.0,
                1.0 if p.doc_id == hits[0].passage.doc_id else 0.0,
                read.length,
                fit.same_wh,
                fit.fits,
                _recent(p.as_of),
                _recent(p.as_of) if now else 0.0,
                fit.words,
                fit.pairs,
                1.0 if p.superseded else 0.0,
                1.0 if p.superseded and now else 0.0,
            )
        )
    return rows


class HeadingFit(NamedTuple):
    """How well a heading fits the question: six of FEATURES' measures."""

    heading: float  # share of the question's weight in the page title and this heading
    section: float  # ... in this heading alone
    same_wh: float  # 1 if it is a question with the question's own question word
    fits: float  # share of the heading's weight the question names
    words: float  # how alike it and the question are, word for word (Dice)
    pairs: float  # share of the question's adjacent terms side by side in title or heading

    @classmethod
    def best(cls, fits: Iterable[HeadingFit]) -> HeadingFit:
        """Each measure at its best over several headings (a section's, and its "also asked")."""
        return cls(*(max(values) for values in zip(*fits, strict=True)))


class _Question(NamedTuple):
    """What the heading measures read from the question, once per question."""

    weighed: tuple[tuple[str, float], ...]  # its terms that weigh, with their weights, in order
    total: float  # the weight of all its terms
    wh: str  # its question word
    terms: frozenset[str]  # all its terms
    said: frozenset[str]  # its words as typed (_said)
    pairs: set[tuple[str, str]]  # its adjacent weighing terms


def _heading_fit(title: _Heading, seen: _Heading, question: _Question) -> HeadingFit:
    """How well one heading (the section's, or a question it is also asked as) fits."""
    section = seen.terms
    in_section = in_either = 0.0  # the question's weight in it, and in it or the title
    for term, weight in question.weighed:  # in the question's order, as `covered` sums
        if term in section:
            in_section += weight
            in_either += weight
        elif term in title.terms:
            in_either += weight
    pairs = question.pairs
    return HeadingFit(
        in_either / question.total,
        in_section / question.total,
        1.0 if question.wh and seen.wh == question.wh else 0.0,
        _fits(seen, question.terms),
        _dice(question.said, seen.said),
        len(pairs & (title.pairs | seen.pairs)) / len(pairs) if pairs else 0.0,
    )


class _Heading(NamedTuple):
    """What the measures read from one heading, whatever the question."""

    terms: frozenset[str]  # its search tokens
    weights: tuple[tuple[str, float], ...]  # each of `terms` with its idf, in the heading's order
    weight: float  # the sum of those idfs
    wh: str  # the question word it leads with, or ""
    said: frozenset[str]  # its words as typed (_said)
    pairs: frozenset[tuple[str, str]]  # its adjacent search tokens


class _Passage(NamedTuple):
    """What the measures read from one passage, whatever the question."""

    title: _Heading  # its page title
    headings: tuple[_Heading, ...]  # its section heading, then the questions it is also asked as
    length: float  # the log of its length in words, centred on 60


# Per index (a rebuilt index is another object, and its entry goes with it): passage id ->
# _Passage. Candidates recur from question to question, and each is read afresh otherwise.
_PASSAGES: weakref.WeakKeyDictionary[SearchIndex, dict[str, _Passage]] = weakref.WeakKeyDictionary()
_PASSAGES_PER_INDEX = 32_768


def _passage(index: SearchIndex, passage: IndexedPassage) -> _Passage:
    seen = _PASSAGES.get(index)
    if seen is None:
        seen = _PASSAGES.setdefault(index, {})
    found = seen.get(passage.id)
    if found is None:
        found = _Passage(
            _heading(index, passage.title),
            tuple(_heading(index, h) for h in (passage.section, *passage.asked)),
            math.log(max(len(passage.text.split()), 1) / 60),
        )
        if len(seen) >= _PASSAGES_PER_INDEX:
            seen.clear()
        seen[passage.id] = found
    return found


def _heading(index: SearchIndex, heading: str) -> _Heading:
    tokens = tuple(index.analyser.tokens(heading))
    weights = {t: index.idf(t) for t in tokens}  # in the heading's order: sums repeat exactly
    return _Heading(
        frozenset(tokens), tuple(weights.items()), sum(weights.values()), wh(heading),
        _said(index.analyser, heading), _pairs(tokens),
    )  # fmt: skip


def _pairs(tokens: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(zip(tokens, tokens[1:], strict=False))


_FILLER = frozenset("the a an of to in for and or on at is are was were".split())


def _said(analyser: Analyser, text: str) -> frozenset[str]:
    """The words of a text as typed (question words kept: headings are questions too)."""
    return frozenset(analyser.words(text)) - _FILLER


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _recent(as_of: str) -> float:
    """An as-of date as a share of 2010 to 2025 (0 when there is none)."""
    year = int(as_of[:4]) if as_of[:4].isdigit() else 2010
    return min(1.0, max(0.0, (year - 2010) / 15))


def _fits(heading: _Heading, question: frozenset[str]) -> float:
    """Share of a heading's idf weight whose terms the question names."""
    total = heading.weight
    if total <= 0 or heading.terms.isdisjoint(question):
        return 0.0
    return sum(w for t, w in heading.weights if t in question) / total


def rerank(
    index: SearchIndex, hits: list[Hit], weighed: Weighed, question: str, model: Model = RANKER
) -> list[Candidate]:
    """The candidates, best answer first (ties keep search's order)."""
    values = describe(index, hits, weighed, question)
    scored = [Candidate(h, v, model.score(v)) for h, v in zip(hits, values, strict=True)]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].score, i))
    return [scored[i] for i in order]
