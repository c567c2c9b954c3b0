"""Correct misspelt query words against the words the knowledge actually uses.

A word is left alone when the knowledge uses it, when it is short, or when it is a real
English word the knowledge happens not to use ("parking" must stay "parking", so that a
question about parking is not mistaken for one about something the knowledge covers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein
from spellchecker import SpellChecker

MIN_LENGTH = 4  # shorter words are too easily confused to correct
LONG_WORD = 9  # from this length two edits are allowed; below it, one
MAX_CORRECTIONS = 8  # a question is not a spelling test: later unknown words stay as typed


@cache
def _english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def warm() -> None:
    """Load the English dictionary now (a quarter of a second) rather than on a first question."""
    _english()


def ranking(words: Iterable[str] | Counter[str]) -> list[str]:
    """The distinct alphabetic words, most used first (ties alphabetical): what a Speller
    needs, small enough for the build to store (a Counter counts as its words)."""
    counts = words if isinstance(words, Counter) else Counter(words)
    alpha = [(w, c) for w, c in counts.items() if w.isalpha()]
    return [w for w, _ in sorted(alpha, key=lambda item: (-item[1], item[0]))]


class Speller:
    """Maps a misspelt word to the closest word of the knowledge (same first letter)."""

    def __init__(self, words: Iterable[str] = (), *, ranked: Sequence[str] | None = None):
        """From every word used (repeats counting), or from `ranking`'s list of them."""
        ranked = ranking(words) if ranked is None else ranked
        self._known = frozenset(ranked)
        self._rank = {word: i for i, word in enumerate(ranked)}
        # By first letter and length, most used first: a word more letters longer or shorter
        # than the edits allowed is further away than that, so only a few lengths are looked at.
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for word in ranked:
            self._by_start.setdefault((word[0], len(word)), []).append(word)

    def correct_all(self, words: Iterable[str]) -> list[str]:
        """Every word, misspellings of the knowledge's words corrected."""
        result, budget = [], MAX_CORRECTIONS
        for word in words:
            if budget > 0 and self._is_candidate(word):
                budget -= 1
                word = self._closest(word)
            result.append(word)
        return result

    def _is_candidate(self, word: str) -> bool:
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._known:
            return False
        return not _english().known([word])

    def _closest(self, word: str) -> str:
        """The nearest known word with the same first letter (ties: the most used), or `word`."""
        limit = 2 if len(word) >= LONG_WORD else 1
        # Only words within `limit` letters of its length can be within `limit` edits, and
        # only those within 2 * `limit` plain (Levenshtein) edits, which are quick to count:
        # the slower Damerau-Levenshtein distance is then taken over those few, most used first.
        near = [
            w for length in range(len(word) - limit, len(word) + limit + 1)
            for w in self._by_start.get((word[0], length), ())
        ]  # fmt: skip
        if not near:
            return word
        plain = process.cdist([word], near, scorer=Levenshtein.distance, score_cutoff=2 * limit)
        few = sorted((near[i] for i in np.flatnonzero(plain[0] <= 2 * limit).tolist()),
                     key=self._rank.__getitem__)  # fmt: skip
        match = process.extractOne(
            word, few, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return word if match is None else match[0]
