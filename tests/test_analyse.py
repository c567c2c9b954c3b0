"""The analyser: one place where text becomes tokens, for passages and queries alike."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analyse import Analyser

GROUPS = [
    ["mycsp", "my civil service pension", "my civil service pensions"],
    ["cic", "community interest company"],
    ["spinout", "spin out", "spin-out", "spun out"],
    ["reg77", "reg 77", "regulation 77"],
    ["des", "de&s", "defence equipment and support"],
]


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(GROUPS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is MyCSP?", ["mycsp"]),
        ("MYCSP", ["mycsp"]),
        ("£10m fund in 2011", ["£10m", "fund", "2011"]),
        ("DE&S", ["des"]),
        ("the and of", []),
        ("", []),
        ("🙂🙂", []),
        ("ＭｙＣＳＰ　２０１１", ["mycsp", "2011"]),  # full-width forms are normalised (NFKC)
        ("mutuals' pensions", ["mutual", "pension"]),
        ("children’s services", ["children", "servic"]),
    ],
)
def test_tokens(analyser: Analyser, text: str, expected: list[str]) -> None:
    assert analyser.tokens(text) == expected


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("my civil service pension", "mycsp"),
        ("My Civil Service Pensions", "mycsp"),
        ("community interest company", "cic"),
        ("community interest companies", "cic"),  # matched after stemming
        ("spin out", "spinout"),
        ("spin-out", "spinout"),
        ("spun out", "spinout"),
        ("regulation 77", "reg77"),
        ("Reg 77", "reg77"),
        ("defence equipment and support", "des"),
    ],
)
def test_synonym_groups_meet_at_the_canonical_term(
    analyser: Analyser, variant: str, canonical: str
) -> None:
    assert canonical in analyser.tokens(variant)


def test_phrase_synonyms_keep_their_words(analyser: Analyser) -> None:
    """'community interest company' still matches a passage that says 'community'."""
    assert analyser.tokens("community interest company") == [
        "communiti", "interest", "compani", "cic",
    ]  # fmt: skip


def test_stop_words_inside_a_phrase_do_not_break_it(analyser: Analyser) -> None:
    assert "spinout" in analyser.tokens("do we keep pensions if we spin out?")


def test_passage_and_query_share_tokens(analyser: Analyser) -> None:
    passage = analyser.tokens("Staff who spun out of the council kept their pensions.")
    query = analyser.tokens("pension after a spin-out")
    assert {"pension", "spinout"} <= set(passage) & set(query)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_tokens_without_spaces(text: str) -> None:
    tokens = Analyser(GROUPS).tokens(text)
    assert all(t and not any(c.isspace() for c in t) for t in tokens)


def test_huge_text_is_fine(analyser: Analyser) -> None:
    assert len(analyser.tokens("mutual " * 40_000)) == 40_000


def test_token_set_is_the_cached_set_of_tokens() -> None:
    analyser = Analyser([["MyCSP", "My Civil Service Pension"]])
    text = "Staff of My Civil Service Pension spun out in 2012."
    assert analyser.token_set(text) == frozenset(analyser.tokens(text))
    assert analyser.token_set(text) is analyser.token_set(text)  # computed once
