"""How much of a question a passage answers: the answer layer's own measures over search hits.

Search (indexer.search) finds and scores passages; whether the best of them answers the
question is decided here. A word weighs what it tells: its idf in the knowledge times how
rare it is in English generally (wordfreq), so that filler ("keep", "team", "particular")
carries little and names and domain terms carry most. A word the knowledge never uses counts
against an answer: in full if it looks like the name of something (rare in English, or written
with a capital: a council, a person or a product the guidance does not cover), and otherwise as
much as it tells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from wordfreq import zipf_frequency

from indexer.analyse import Word
from indexer.search import Hit, Query, SearchIndex


@dataclass(frozen=True)
class Thresholds:
    """The answer layer's settings, chosen by cross-validation on the development questions
    (`mutuals eval --calibrate`; see README)."""

    min_coverage: float = 0.55  # share of the question's weight the best passage must hold
    max_unknown: float = 0.3  # share of the weight in names the knowledge never uses
    min_evidence: float = 1.0  # specificity the best passage must hold (1 = one name's worth)
    common: float = 6.0  # zipf frequency from which a word tells nothing ("the", "keep")
    rare: float = 3.0  # zipf frequency below which a word tells as much as a name
    floor: float = 0.05  # what the commonest word still weighs, as a share
    name_zipf: float = 3.5  # an unknown word rarer than this is a name
    capital_zipf: float = 5.0  # ... or this, when written with a capital mid-sentence
    heading: float = 0.3  # re-ranking: weight of the heading's coverage
    score: float = 0.5  # re-ranking: weight of the BM25 score (as a share of the best)


THRESHOLDS = Thresholds()


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """How common a word is in English: 0 (never seen) to about 7.5 ("the")."""
    return zipf_frequency(word, "en")


def specificity(word: Word | None, t: Thresholds = THRESHOLDS) -> float:
    """The share of its idf a word keeps: 1 for names, numbers and synonym terms, little for
    everyday English."""
    if word is None or any(c.isdigit() for c in word.folded):
        return 1.0
    share = (t.common - zipf(word.folded)) / (t.common - t.rare)
    return min(1.0, max(t.floor, share))


def is_name(word: Word | None, t: Thresholds = THRESHOLDS) -> bool:
    """Whether an unknown word looks like the name of something (not everyday English)."""
    if word is None:
        return True
    frequency = zipf(word.folded)
    return frequency < t.name_zipf or (word.as_name and frequency < t.capital_zipf)


@dataclass(frozen=True)
class Weighed:
    """A query's terms, each with its weight (0 for light terms)."""

    query: Query
    weights: dict[str, float]
    unknown: float  # the weight of terms no passage contains
    specific: dict[str, float] = field(default_factory=dict)  # each term's specificity

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def unknown_share(self) -> float:
        """Share of the weight carried by terms no passage contains."""
        return self.unknown / self.total if self.total > 0 else 0.0


def weigh(index: SearchIndex, query: Query, t: Thresholds = THRESHOLDS) -> Weighed:
    """Each term's weight: its idf times its specificity; nothing for framing words."""
    weights: dict[str, float] = {}
    specific: dict[str, float] = {}
    unknown = 0.0
    rarest = math.log((len(index.passages) + 0.5) / 0.5)
    for term in query.tokens:
        if term in weights:
            continue
        origin = query.origins.get(term)
        specific[term] = 0.0 if term in query.light else specificity(origin, t)
        if term in query.light:
            weights[term] = 0.0
        elif index.knows(term):
            weights[term] = index.idf(term) * specific[term]
        else:  # what the knowledge never mentions: a name counts in full, other words less
            weights[term] = rarest * (1.0 if is_name(origin, t) else specificity(origin, t))
            unknown += weights[term]
    return Weighed(query, weights, unknown, specific)


def covered(terms: frozenset[str], weighed: Weighed) -> float:
    """The question's weight whose terms are among `terms`."""
    return sum(w for term, w in weighed.weights.items() if term in terms)


def evidence(terms: frozenset[str], weighed: Weighed) -> float:
    """How much the question's terms among `terms` tell, whatever the corpus: the sum of their
    specificities (a name or domain term counts about 1, everyday words a fraction)."""
    return sum(s for term, s in weighed.specific.items() if term in terms)


def coverage(index: SearchIndex, hit: Hit, weighed: Weighed) -> float:
    """Share of the question's weight whose terms the hit's passage contains."""
    total = weighed.total
    return covered(index.terms_of(hit), weighed) / total if total > 0 else 0.0


def heading_coverage(index: SearchIndex, hit: Hit, weighed: Weighed) -> float:
    """Share of the question's weight named in the passage's page title and heading."""
    total = weighed.total
    heading = index.analyser.token_set(f"{hit.passage.title} {hit.passage.section}")
    return covered(heading, weighed) / total if total > 0 else 0.0


def rerank(
    index: SearchIndex, hits: list[Hit], weighed: Weighed, t: Thresholds = THRESHOLDS
) -> list[Hit]:
    """The candidates in the order that best answers the question: how much of it a passage
    and its heading cover, then its BM25 score (a share of the best). Scores are unchanged."""
    if len(hits) < 2 or hits[0].score <= 0:
        return hits
    best = hits[0].score

    def fit(hit: Hit) -> float:
        return (
            coverage(index, hit, weighed)
            + t.heading * heading_coverage(index, hit, weighed)
            + t.score * hit.score / best
        )

    order = sorted(range(len(hits)), key=lambda i: (-fit(hits[i]), i))
    return [hits[i] for i in order]


def is_confident(
    index: SearchIndex, hit: Hit, weighed: Weighed, t: Thresholds = THRESHOLDS
) -> bool:
    """Whether the best passage answers the question: it holds most of the question's weight,
    enough that is specific to be evidence (not only everyday words), and the question is not
    mostly about something the knowledge never mentions."""
    terms = index.terms_of(hit)
    share = covered(terms, weighed) / weighed.total if weighed.total > 0 else 0.0
    return (
        share >= t.min_coverage
        and evidence(terms, weighed) >= t.min_evidence
        and weighed.unknown_share < t.max_unknown
    )
