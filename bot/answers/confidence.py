"""How much of a question a passage answers: the answer layer's own measures over search hits.

Search (indexer.search) finds and scores passages; whether the best of them answers the
question is decided here, from each query term's weight.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.search import Hit, Query, SearchIndex

# Calibrated on the labelled questions with `mutuals eval` (see README).
MIN_COVERAGE = 0.55  # share of the question's weight the best passage must contain
MAX_UNKNOWN = 0.3  # share of the question's weight in words the knowledge never uses


@dataclass(frozen=True)
class Weighed:
    """A query's terms, each with its weight (its idf; 0 for light terms)."""

    query: Query
    weights: dict[str, float]
    unknown: float  # the weight of terms no passage contains

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def unknown_share(self) -> float:
        """Share of the weight carried by terms no passage contains."""
        return self.unknown / self.total if self.total > 0 else 0.0


def weigh(index: SearchIndex, query: Query) -> Weighed:
    """Each term's weight: its idf, or nothing for terms that frame the question."""
    weights = {t: 0.0 if t in query.light else index.idf(t) for t in query.tokens}
    unknown = sum(w for t, w in weights.items() if not index.knows(t))
    return Weighed(query, weights, unknown)


def coverage(index: SearchIndex, hit: Hit, weighed: Weighed) -> float:
    """Share of the question's weight whose terms the hit's passage contains."""
    present = index.terms_of(hit)
    covered = sum(w for t, w in weighed.weights.items() if t in present)
    return covered / weighed.total if weighed.total > 0 else 0.0


def is_confident(index: SearchIndex, hit: Hit, weighed: Weighed) -> bool:
    """Whether the best passage answers the question: it holds most of the question's weight,
    and the question is not mostly about something the knowledge never mentions."""
    return coverage(index, hit, weighed) >= MIN_COVERAGE and weighed.unknown_share < MAX_UNKNOWN
