"""Exact, fast BM25 over already-analysed token lists.

Scores equal ``rank_bm25.BM25Okapi`` bit for bit: the idfs are computed with ``math.log``
and summed in the reference's order (first occurrence of each term in the corpus), each
per-(term, document) contribution is evaluated with the reference's expression order,
and a query sums the contributions of its terms in query order starting from 0.0, which
is exactly the sequence of float additions BM25Okapi performs for that document (adding
the 0.0 of an absent term leaves a sum unchanged).

Queries touch only the postings of their terms: one concatenated postings array holds
every term's document indices (ascending) and precomputed contributions, and a
term -> slice table points into it.

Differences from BM25Okapi, all where BM25Okapi itself fails: an empty corpus raises
ZeroDivisionError there (avgdl), and so does a corpus of only empty documents (average idf
over an empty vocabulary); here both index fine and every query finds nothing (all-zero
scores). With non-default parameters that make its tf part 0/0 for a term a document
lacks (k1=0, or b=1 with empty documents), BM25Okapi scores NaN; here that term adds 0.

Very common terms (in at least 1/_DENSE_FRACTION of the documents) also keep a dense row
of N contributions, as adding a vector is much cheaper than scattering that many postings.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.integer[Any]]

__all__ = ["BM25"]

# Size of the subset used to bound the k-th best score before the exact selection.
_SAMPLE = 2048
# Terms in at least 1/_DENSE_FRACTION of the documents also get a dense row.
_DENSE_FRACTION = 4
# Up to this many candidates a plain sort is cheaper than partitioning first.
_SORT_ALL = 128


class BM25:
    """Okapi BM25 index with rank_bm25-identical scores served from numpy postings."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        """Index ``corpus``, a sequence of documents, each a sequence of tokens."""
        self._index(*_encode(corpus), k1, b, epsilon)

    @classmethod
    def from_ids(
        cls,
        terms: Sequence[str],
        ids: Int64Array,
        lengths: IntArray,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25:
        """Index a corpus already encoded: term ids numbered in order of first occurrence
        (as ``BM25(corpus)`` numbers them), flat, with each document's length. ``ids`` is
        used as scratch space."""
        self = cls.__new__(cls)
        self._index(dict(zip(terms, range(len(terms)), strict=True)), ids, lengths, k1, b, epsilon)
        return self

    def _index(
        self,
        vocab: dict[str, int],
        token_ids: Int64Array,
        doc_lens: IntArray,
        k1: float,
        b: float,
        epsilon: float,
    ) -> None:
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        self._n = doc_lens.size
        self._vocab = vocab
        docs, tfs, df = _postings(len(vocab), token_ids, doc_lens)
        self._idf = _okapi_idf(df, self._n, epsilon)
        offsets = np.concatenate(([0], np.cumsum(df)))
        # Python ints make the per-query slicing cheaper than numpy scalars would.
        self._starts: list[int] = offsets[:-1].tolist()
        self._ends: list[int] = offsets[1:].tolist()
        self._docs: IntArray = docs
        self._weights = self._contributions(docs, tfs, df, doc_lens)
        # With only positive contributions a touched document has a positive sum, so
        # the touched set can be read off the accumulator instead of tracked separately.
        self._all_positive = bool(np.all(self._weights > 0.0))
        self._dense = self._dense_rows(df)

    def parts(self) -> dict[str, npt.NDArray[Any]]:
        """What serving needs, as arrays, for `from_parts` to use as they are (see `terms`)."""
        offsets = np.array([0, *self._ends], dtype=np.int64)
        params = [self.k1, self.b, self.epsilon, self._n, float(self._all_positive)]
        return {
            "bm25.params": np.array(params, dtype=np.float64),
            "bm25.idf": self._idf,
            "bm25.offsets": offsets,
            "bm25.docs": self._docs,
            "bm25.weights": self._weights,
        }

    def terms(self) -> list[str]:
        """The vocabulary in term-id order (the order of `parts`' rows)."""
        return list(self._vocab)

    @classmethod
    def from_parts(cls, terms: list[str], parts: Mapping[str, npt.NDArray[Any]]) -> BM25:
        """The index `parts` and `terms` describe, with its contributions as stored (exact)."""
        self = cls.__new__(cls)
        k1, b, epsilon, n, all_positive = parts["bm25.params"].tolist()
        self.k1, self.b, self.epsilon, self._n = k1, b, epsilon, int(n)
        self._vocab = dict(zip(terms, range(len(terms)), strict=True))
        self._idf = parts["bm25.idf"]
        offsets = parts["bm25.offsets"].tolist()
        self._starts, self._ends = offsets[:-1], offsets[1:]
        self._docs = parts["bm25.docs"]
        self._weights = parts["bm25.weights"]
        self._all_positive = bool(all_positive)
        self._dense = self._dense_rows(np.diff(parts["bm25.offsets"]))
        return self

    @property
    def size(self) -> int:
        """Number of documents in the corpus."""
        return self._n

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct terms in the corpus."""
        return len(self._vocab)

    def __contains__(self, term: object) -> bool:
        """Whether any document contains ``term``."""
        return term in self._vocab

    def term_weight(self, term: str) -> float:
        """The term's idf as BM25Okapi uses it (epsilon floor applied); 0.0 if unknown."""
        i = self._vocab.get(term)
        return 0.0 if i is None else float(self._idf[i])

    def _contributions(
        self, docs: IntArray, tfs: FloatArray, df: IntArray, doc_lens: IntArray
    ) -> FloatArray:
        """Per-posting idf * tf part, bitwise as BM25Okapi.get_scores computes it.

        Mirrors ``idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))``; the
        in-place steps only swap operands of + and *, which IEEE 754 keeps exact.
        """
        if docs.size == 0:
            return np.zeros(0, dtype=np.float64)
        k1, b = self.k1, self.b
        avgdl = int(doc_lens.sum()) / self._n
        denom = doc_lens.astype(np.float64)[docs]
        denom *= b
        denom /= avgdl
        denom += 1 - b
        denom *= k1
        denom += tfs
        weights = tfs  # reused in place to keep the build's peak memory down
        weights *= k1 + 1
        weights /= denom
        del denom
        weights *= np.repeat(self._idf, df)
        return weights

    def _dense_rows(self, df: DocArray) -> dict[int, FloatArray]:
        """Dense contribution rows for very common terms: a vector add beats a scatter."""
        rows = {}
        for term in np.flatnonzero(df * _DENSE_FRACTION >= self._n).tolist():
            row = np.zeros(self._n, dtype=np.float64)
            span = slice(self._starts[term], self._ends[term])
            row[self._docs[span]] = self._weights[span]
            rows[term] = row
        return rows

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the known query terms, in query order, repeats kept."""
        return [i for i in map(self._vocab.get, query) if i is not None]

    def _gather(self, ids: list[int]) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Postings of the given terms concatenated in order, doc indices as intp."""
        starts, ends, docs, weights = self._starts, self._ends, self._docs, self._weights
        slices = [slice(starts[i], ends[i]) for i in ids]
        # bincount and fancy indexing take a slow path for int32 indices; casting is cheap.
        return (
            np.concatenate([docs[s] for s in slices], dtype=np.intp),
            np.concatenate([weights[s] for s in slices]),
        )

    def get_scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every document for ``query`` (equal to BM25Okapi.get_scores)."""
        ids = self._term_ids(query)
        if not ids:
            return np.zeros(self._n, dtype=np.float64)
        return self._accumulate(ids)

    def _accumulate(self, ids: list[int]) -> FloatArray:
        """Dense scores, adding each term's contributions in query order like BM25Okapi."""
        acc: FloatArray | None = None
        run: list[int] = []
        for i in ids:
            row = self._dense.get(i)
            if row is None:
                run.append(i)
                continue
            acc = self._add_postings(acc, run)
            run = []
            if acc is None:
                acc = row.copy()  # 0.0 + row == row
            else:
                acc += row
        acc = self._add_postings(acc, run)
        assert acc is not None
        return acc

    def _add_postings(self, acc: FloatArray | None, ids: list[int]) -> FloatArray | None:
        """Add the terms' postings to ``acc`` (or to zeros), in order, one posting at a time."""
        if not ids:
            return acc
        docs, weights = self._gather(ids)
        if acc is None:
            # Weighted bincount returns float64; numpy's stubs only know the unweighted form.
            return cast(FloatArray, np.bincount(docs, weights=weights, minlength=self._n))
        np.add.at(acc, docs, weights)
        return acc

    def top_k(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Best ``k`` (doc index, score) among documents holding a query term.

        Ordered by score descending, then document index ascending.
        """
        if k <= 0:
            return []
        ids = self._term_ids(query)
        if not ids:
            return []
        if len(ids) == 1:
            # One postings list is ascending and already holds the sums (0.0 + w == w).
            s, e = self._starts[ids[0]], self._ends[ids[0]]
            cand, scores = _above(self._docs[s:e], self._weights[s:e], k)
        else:
            cand, scores = self._candidates(ids, k)
        if cand.size > max(k, _SORT_ALL):
            keep = (scores >= _kth_best(scores, k)).nonzero()[0]  # ties at the k-th stay
            cand, scores = cand[keep], scores[keep]
        # Candidates ascend by doc index, so a stable sort gives the index tie-break.
        order = np.argsort(-scores, kind="stable")[:k]
        return list(zip(cand[order].tolist(), scores[order].tolist(), strict=True))

    def _candidates(self, ids: list[int], k: int) -> tuple[DocArray, FloatArray]:
        """Ascending docs holding a query term that may be in the top k, with their scores."""
        acc = self._accumulate(ids)
        # The k-th best score within any set of distinct documents (here a strided subset of
        # the longest postings list, or of every document) is a lower bound for the k-th best
        # overall; untouched documents score 0.0 and cannot raise it.
        if self._n >= 4 * _SAMPLE:  # else scanning every touched document is as cheap
            longest = max(ids, key=lambda i: self._ends[i] - self._starts[i])
            if longest in self._dense:
                # A quarter or more of all documents hold it: a strided subset of every
                # document holds enough of them, and costs no read of its postings.
                sample = acc[:: max(1, self._n // (_DENSE_FRACTION * _SAMPLE))]
            else:
                s, e = self._starts[longest], self._ends[longest]
                stride = max(1, (e - s) // _SAMPLE)
                sample = acc[self._docs[s:e:stride].astype(np.intp)]
            bound = _kth_best(sample, k) if sample.size >= k else 0.0
            if bound > 0.0:  # untouched documents score exactly 0.0, so they drop out
                cand = (acc >= bound).nonzero()[0]
                return cand, acc[cand]
        if self._all_positive:
            cand = (acc > 0.0).nonzero()[0]
        else:
            touched = np.zeros(self._n, dtype=bool)
            touched[self._gather(ids)[0]] = True
            cand = touched.nonzero()[0]
        return cand, acc[cand]


def document_terms(parts: Mapping[str, npt.NDArray[Any]]) -> tuple[Int64Array, IntArray]:
    """The forward index of `BM25.parts`: each document's term ids (ascending), as offsets
    into one array, so that a document's terms are a slice rather than a stored set."""
    offsets, docs = parts["bm25.offsets"], parts["bm25.docs"]
    n = int(parts["bm25.params"][3])
    term_of = np.repeat(np.arange(offsets.size - 1, dtype=np.int32), np.diff(offsets))
    ids = term_of[np.argsort(docs, kind="stable")]  # stable: within a document, by term id
    counts = np.bincount(docs, minlength=n)
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64), ids


def _above(cand: DocArray, scores: FloatArray, k: int) -> tuple[DocArray, FloatArray]:
    """Cheaply drop candidates that cannot reach the top k, using a sampled lower bound."""
    stride = cand.size // _SAMPLE
    sample = scores[::stride] if stride >= 2 else scores[:0]
    if sample.size < k:
        return cand, scores
    keep = (scores >= _kth_best(sample, k)).nonzero()[0]
    return cand[keep], scores[keep]


def _kth_best(values: FloatArray, k: int) -> float:
    """The k-th largest of ``values`` (1 <= k <= values.size)."""
    pivot = values.size - k
    return float(np.partition(values, pivot)[pivot])


def _encode(corpus: Sequence[Sequence[str]]) -> tuple[dict[str, int], Int64Array, IntArray]:
    """Token ids in first-occurrence order (BM25Okapi's idf summation order), doc lengths."""
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    flat = itertools.chain.from_iterable(corpus)
    token_ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64)
    doc_lens = np.fromiter(map(len, corpus), dtype=np.int32, count=len(corpus))
    return dict(vocab), token_ids, doc_lens


def _postings(
    n_terms: int, keys: Int64Array, doc_lens: IntArray
) -> tuple[IntArray, FloatArray, IntArray]:
    """Postings sorted by term then doc: docs, tfs, and each term's df (``keys``, the flat
    token ids, is overwritten)."""
    n_docs = doc_lens.size
    if keys.size == 0:
        return np.zeros(0, np.int32), np.zeros(0), np.zeros(n_terms, np.int32)
    # Sorting term * n_docs + doc orders pairs by term then doc; runs of a key count tf.
    keys *= n_docs
    keys += np.repeat(np.arange(n_docs, dtype=np.int32), doc_lens)
    keys.sort()
    is_first = np.empty(keys.size, dtype=bool)
    is_first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=is_first[1:])
    pairs = keys[is_first]
    total = keys.size
    del keys  # steps are ordered so the largest temporaries never coexist
    firsts = np.flatnonzero(is_first)
    del is_first
    tfs = np.empty(pairs.size, dtype=np.float64)
    np.subtract(firsts[1:], firsts[:-1], out=tfs[:-1])
    tfs[-1] = total - firsts[-1]
    del firsts
    df = np.bincount(pairs // n_docs, minlength=n_terms).astype(np.int32)
    pairs %= n_docs
    return pairs.astype(np.int32), tfs, df


def _okapi_idf(df: IntArray, n_docs: int, epsilon: float) -> FloatArray:
    """BM25Okapi idfs with its epsilon floor, summed in the same order as the reference."""
    idf = [math.log(n_docs - n + 0.5) - math.log(n + 0.5) for n in df.tolist()]
    if not idf:
        return np.zeros(0, dtype=np.float64)
    idf_sum = 0.0
    for value in idf:  # sequential on purpose: sum() may compensate on newer Pythons
        idf_sum += value
    eps = epsilon * (idf_sum / len(idf))
    return np.array([eps if value < 0 else value for value in idf], dtype=np.float64)
