"""Words weigh what they tell: the answer layer's measures of a question's words.

A word's weight is its idf in the knowledge times how rare it is in English generally
(wordfreq), so that filler ("keep", "team", "particular") carries little and names and domain
terms carry most. A word the knowledge never uses counts against an answer: in full if it looks
like the name of something (rare in English, or written with a capital: a council, a person or
a product the guidance does not cover), and otherwise as much as it tells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from wordfreq import zipf_frequency

from indexer.analyse import Word
from indexer.search import Query, SearchIndex


@dataclass(frozen=True)
class WordWeights:
    """How English frequency turns into weight (zipf: 0 never seen, about 7.5 for "the")."""

    common: float = 6.0  # from this frequency a word tells nothing ("keep", "make")
    rare: float = 3.0  # below this a word tells as much as a name
    floor: float = 0.05  # what the commonest word still weighs, as a share
    name_zipf: float = 3.5  # an unknown word rarer than this is a name
    capital_zipf: float = 5.0  # ... or this, when written with a capital mid-sentence
    unknown_word: float = 0.5  # how much of a name's weight an unknown everyday word carries


WORD_WEIGHTS = WordWeights()


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """How common a word is in English: 0 (never seen) to about 7.5 ("the")."""
    return zipf_frequency(word, "en")


def specificity(word: Word | None, t: WordWeights = WORD_WEIGHTS) -> float:
    """The share of its idf a word keeps: 1 for names, numbers and synonym terms, little for
    everyday English."""
    if word is None or any(c.isdigit() for c in word.folded):
        return 1.0
    share = (t.common - zipf(word.folded)) / (t.common - t.rare)
    return min(1.0, max(t.floor, share))


def is_name(word: Word | None, t: WordWeights = WORD_WEIGHTS) -> bool:
    """Whether an unknown word looks like the name of something (not everyday English)."""
    if word is None:
        return True
    frequency = zipf(word.folded)
    return frequency < t.name_zipf or (word.as_name and frequency < t.capital_zipf)


@dataclass(frozen=True)
class Weighed:
    """A query's terms, each with its weight (0 for light terms) and specificity."""

    query: Query
    weights: dict[str, float]
    unknown: float  # the weight of terms no passage contains
    specific: dict[str, float] = field(default_factory=dict)
    unknown_names: int = 0  # how many unknown terms look like names
    unknown_words: float = 0.0  # how much the other unknown words tell (their specificity)

    @cached_property  # read for every heading of every candidate; the weights never change
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def unknown_share(self) -> float:
        """Share of the weight carried by terms no passage contains."""
        return self.unknown / self.total if self.total > 0 else 0.0


def weigh(index: SearchIndex, query: Query, t: WordWeights = WORD_WEIGHTS) -> Weighed:
    """Each term's weight: its idf times its specificity; nothing for framing words."""
    weights: dict[str, float] = {}
    specific: dict[str, float] = {}
    unknown, names, others = 0.0, 0, 0.0
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
        elif is_name(origin, t):  # a name the knowledge never mentions counts in full
            names += 1
            weights[term] = rarest
            unknown += rarest
        else:  # an everyday word it never uses: held against coverage by what it tells
            weights[term] = rarest * specific[term] * t.unknown_word
            unknown += weights[term]
            others += specific[term]
    return Weighed(query, weights, unknown, specific, names, others)


def covered(terms: frozenset[str], weighed: Weighed) -> float:
    """The question's weight whose terms are among `terms`."""
    return sum(w for term, w in weighed.weights.items() if term in terms)


def evidence(terms: frozenset[str], weighed: Weighed) -> float:
    """How much the question's terms among `terms` tell, whatever the corpus: the sum of their
    specificities (a name or domain term counts about 1, everyday words a fraction)."""
    return sum(s for term, s in weighed.specific.items() if term in terms)
