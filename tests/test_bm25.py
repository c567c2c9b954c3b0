"""indexer.bm25.BM25 must score exactly like rank_bm25.BM25Okapi and rank with a fixed tie-break."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from indexer import bm25
from indexer.artefact import create_table, read_parts, write_parts
from indexer.bm25 import BM25, document_terms

ALPHABET = ["a", "b", "c", "mutual", "d", "é", "🙂", "共済", "straße", "e", "f", "g"]
UNKNOWN = ["zz", "unknown", "🚀"]
TOL = 1e-9

# (sample size, dense fraction, sort-all limit): the defaults, then settings that force
# the sampled lower bound, dense rows (for all terms / none) and partitioning on tiny corpora.
TUNINGS = [(2048, 4, 128), (2, 10**9, 0), (3, 0, 1), (1, 2, 0)]

Corpus = list[list[str]]


@st.composite
def corpus_and_query(draw: st.DrawFn) -> tuple[Corpus, list[str]]:
    """A small corpus with at least one token (BM25Okapi needs one) and a query."""
    words = ALPHABET[: draw(st.integers(1, len(ALPHABET)))]
    doc = st.lists(st.sampled_from(words), max_size=8)
    corpus = draw(st.lists(doc, min_size=1, max_size=14).filter(any))
    query = draw(st.lists(st.sampled_from(words + UNKNOWN), max_size=8))
    return corpus, query


@contextmanager
def tuned(sample: int, dense_fraction: int, sort_all: int) -> Iterator[None]:
    """Temporarily change the engine's internal thresholds."""
    with (
        mock.patch.object(bm25, "_SAMPLE", sample),
        mock.patch.object(bm25, "_DENSE_FRACTION", dense_fraction),
        mock.patch.object(bm25, "_SORT_ALL", sort_all),
    ):
        yield


def reference_top(
    corpus: Sequence[Sequence[str]], query: Sequence[str], k: int
) -> list[tuple[int, float]]:
    """BM25Okapi scores of the docs holding a query term, by (-score, index), first k."""
    scores = BM25Okapi(corpus).get_scores(query)
    holding = [i for i, doc in enumerate(corpus) if any(t in doc for t in query)]
    holding.sort(key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in holding[:k]]


def assert_same_top(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    """Same ids in the same order, scores within TOL."""
    assert [i for i, _ in got] == [i for i, _ in want]
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert abs(a - b) <= TOL


@settings(max_examples=200, deadline=None)
@given(case=corpus_and_query())
def test_scores_match_bm25okapi(case: tuple[Corpus, list[str]]) -> None:
    corpus, query = case
    ref = BM25Okapi(corpus)
    want = ref.get_scores(query)
    assert [BM25(corpus).term_weight(t) for t in query] == [ref.idf.get(t, 0.0) for t in query]
    for tuning in TUNINGS:
        with tuned(*tuning):
            ours = BM25(corpus).get_scores(query)
        assert ours.shape == want.shape
        assert np.all(np.abs(ours - want) <= TOL)
        assert np.array_equal(ours, want)  # in fact bit for bit


def stored(index: BM25) -> BM25:
    """The index as the build stores it and a load reads it back: through SQLite blobs."""
    conn = sqlite3.connect(":memory:")
    create_table(conn)
    parts = index.parts()
    write_parts(conn, {"terms": index.terms(), **parts})
    read = read_parts(conn, ("terms", *parts))
    return BM25.from_parts(read.pop("terms"), read)


@settings(max_examples=200, deadline=None)
@given(case=corpus_and_query(), k=st.integers(1, 16))
def test_a_stored_index_scores_exactly_like_bm25okapi(
    case: tuple[Corpus, list[str]], k: int
) -> None:
    corpus, query = case
    ref = BM25Okapi(corpus)
    want_top = reference_top(corpus, query, k)
    for tuning in TUNINGS:
        with tuned(*tuning):
            loaded = stored(BM25(corpus))
            assert np.array_equal(loaded.get_scores(query), ref.get_scores(query))  # bit for bit
            assert_same_top(loaded.top_k(query, k), want_top)
        assert [loaded.term_weight(t) for t in query] == [ref.idf.get(t, 0.0) for t in query]
        assert all((t in loaded) == (t in ref.idf) for t in query)


@settings(max_examples=100, deadline=None)
@given(case=corpus_and_query())
def test_document_terms_are_each_documents_distinct_terms(case: tuple[Corpus, list[str]]) -> None:
    corpus, _ = case
    index = BM25(corpus)
    offsets, ids = document_terms(index.parts())
    terms = index.terms()
    got = [{terms[t] for t in ids[offsets[i] : offsets[i + 1]]} for i in range(len(corpus))]
    assert got == [set(doc) for doc in corpus]


@settings(max_examples=200, deadline=None)
@given(case=corpus_and_query(), k=st.integers(1, 16))
def test_top_k_matches_reference_ordering(case: tuple[Corpus, list[str]], k: int) -> None:
    corpus, query = case
    want = reference_top(corpus, query, k)
    for tuning in TUNINGS:
        with tuned(*tuning):
            got = BM25(corpus).top_k(query, k)
        assert_same_top(got, want)


def test_epsilon_floor_applies_to_terms_in_over_half_the_documents() -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"], ["b", "c"]]
    ref = BM25Okapi(corpus)
    assert ref.idf["a"] == pytest.approx(0.25 * ref.average_idf)  # floored
    ours = BM25(corpus)
    assert np.array_equal(ours.get_scores(["a"]), ref.get_scores(["a"]))
    assert_same_top(ours.top_k(["a", "c"], 10), reference_top(corpus, ["a", "c"], 10))


def test_ties_resolve_by_document_index_even_at_the_kth_place() -> None:
    corpus = [["x"], ["a"], ["y"], ["a"], ["a", "a"], ["a"], ["z"], ["w"], ["v"], ["u"]]
    top = BM25(corpus).top_k(["a"], 3)
    assert [i for i, _ in top] == [4, 1, 3]  # doc 5 ties with 1 and 3 but comes later
    assert top[1][1] == top[2][1] > 0
    assert_same_top(BM25(corpus).top_k(["a", "zz"], 3), reference_top(corpus, ["a"], 3))


def test_repeated_query_terms_count_each_time() -> None:
    corpus = [["a", "b"], ["b"], ["c"]]
    ours = BM25(corpus)
    assert np.array_equal(ours.get_scores(["b", "b"]), BM25Okapi(corpus).get_scores(["b", "b"]))
    assert ours.top_k(["b", "b"], 1)[0][1] == 2 * ours.top_k(["b"], 1)[0][1]


def test_empty_query_zero_k_and_unknown_terms_return_nothing() -> None:
    engine = BM25([["a", "b"], ["c"]])
    assert engine.top_k([], 5) == []
    assert engine.top_k(["a"], 0) == []
    assert engine.top_k(["a"], -3) == []
    assert engine.top_k(["zz", "unknown"], 5) == []
    assert np.array_equal(engine.get_scores(["zz"]), np.zeros(2))
    assert np.array_equal(engine.get_scores([]), np.zeros(2))


def test_k_larger_than_corpus_returns_every_document_holding_a_term() -> None:
    corpus = [["a"], ["b"], ["a", "b"], ["c"]]
    got = BM25(corpus).top_k(["a", "b"], 1000)
    assert sorted(i for i, _ in got) == [0, 1, 2]
    assert_same_top(got, reference_top(corpus, ["a", "b"], 1000))


def test_ten_thousand_token_query() -> None:
    rng = np.random.default_rng(7)
    words = ALPHABET + UNKNOWN
    corpus = [[str(w) for w in rng.choice(ALPHABET, int(rng.integers(0, 12)))] for _ in range(30)]
    query = [str(w) for w in rng.choice(words, 10_000)]
    ours = BM25(corpus)
    assert np.all(np.abs(ours.get_scores(query) - BM25Okapi(corpus).get_scores(query)) <= TOL)
    assert_same_top(ours.top_k(query, 10), reference_top(corpus, query, 10))


def test_non_latin_and_emoji_tokens() -> None:
    corpus = [["共済", "組合"], ["🙂", "🙂", "mutual"], ["straße", "共済"], ["ñandú"]]
    engine = BM25(corpus)
    for query in (["共済"], ["🙂"], ["straße", "ñandú"], ["🙂", "共済", "組合"]):
        assert_same_top(engine.top_k(query, 3), reference_top(corpus, query, 3))
    assert engine.vocabulary_size == 6


def test_empty_corpus_does_not_crash() -> None:
    with pytest.raises(ZeroDivisionError):
        BM25Okapi([])  # the reference cannot index it at all
    for engine in (BM25([]), stored(BM25([]))):
        assert engine.size == 0
        assert engine.vocabulary_size == 0
        assert engine.top_k(["a"], 10) == []
        assert engine.get_scores(["a"]).shape == (0,)


def test_corpus_of_only_empty_documents() -> None:
    with pytest.raises(ZeroDivisionError):
        BM25Okapi([[], []])
    engine = BM25([[], []])
    assert engine.size == 2
    assert engine.top_k(["a"], 10) == []
    assert np.array_equal(engine.get_scores(["a"]), np.zeros(2))


def test_single_document_corpus() -> None:
    corpus = [["a", "b", "a"]]
    engine = BM25(corpus)
    assert engine.size == 1
    assert np.array_equal(engine.get_scores(["a", "b"]), BM25Okapi(corpus).get_scores(["a", "b"]))
    assert [i for i, _ in engine.top_k(["b"], 5)] == [0]


def test_accepts_any_sequences_and_custom_parameters() -> None:
    corpus = (("a", "b"), ("b", "c", "c"), ("a",), ())
    ours = BM25(corpus, k1=1.2, b=0.5, epsilon=0.1)
    ref = BM25Okapi([list(doc) for doc in corpus], k1=1.2, b=0.5, epsilon=0.1)
    assert np.array_equal(ours.get_scores(["a", "c", "b"]), ref.get_scores(["a", "c", "b"]))


def test_realistic_size_uses_default_thresholds_exactly() -> None:
    # Big enough that common terms get dense rows and postings exceed the sample size.
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(60)]
    probs = 1.0 / np.arange(1, 61)
    corpus = [
        [vocab[i] for i in rng.choice(60, int(rng.integers(5, 25)), p=probs / probs.sum())]
        for _ in range(6000)
    ]
    engine, ref = BM25(corpus), BM25Okapi(corpus)
    for query in (["w0"], ["w1", "w30"], ["w0", "w2", "w0", "w45"], ["w59", "zz"]):
        scores = ref.get_scores(query)
        assert np.array_equal(engine.get_scores(query), scores)
        holding = [i for i, doc in enumerate(ref.doc_freqs) if any(t in doc for t in query)]
        holding.sort(key=lambda i: (-scores[i], i))
        assert_same_top(engine.top_k(query, 10), [(i, scores[i]) for i in holding[:10]])
