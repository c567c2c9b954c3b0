"""The speller picks the closest known word (same first letter, fewest edits, then the most
used) however it narrows the search down."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from indexer.spelling import LONG_WORD, Speller

_word = st.text(alphabet="abcdeor", min_size=1, max_size=12)


def _closest_by_scanning(ranked: list[str], word: str) -> str:
    """Every known word with the same first letter, most used first, the fewest edits away."""
    limit = 2 if len(word) >= LONG_WORD else 1
    same_start = [w for w in ranked if w[0] == word[0]]
    match = process.extractOne(
        word, same_start, scorer=DamerauLevenshtein.distance, score_cutoff=limit
    )
    return word if match is None else match[0]


@settings(max_examples=300, deadline=None)
@given(st.lists(_word, min_size=1, max_size=300, unique=True), st.lists(_word, max_size=20))
def test_the_closest_word_is_the_one_a_scan_of_every_word_finds(
    ranked: list[str], typed: list[str]
) -> None:
    speller = Speller(ranked=ranked)
    for word in typed:
        assert speller._closest(word) == _closest_by_scanning(ranked, word)
