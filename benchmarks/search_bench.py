"""Benchmark indexer.bm25.BM25 against rank_bm25.BM25Okapi and bm25s on synthetic corpora.

Usage: python benchmarks/search_bench.py [--sizes 1000,10000,100000] [--queries 200]
       [--seed 0] [--okapi-queries-large 30] [--repeats 3]

Corpora model analysed passages (stop words already removed): a vocabulary of 30k made-up
words with Zipf-Mandelbrot frequencies, about 60 tokens a passage. Queries have 3 to 6
terms: 10% from the 20 commonest words (a domain word like "mutual" that most passages
share), 70% mid-frequency words drawn by corpus frequency, 20% rare words (some absent
from the smaller corpora). Latency is single-query, single-thread wall time around each
call, the fastest of --repeats rounds so that other work on a shared machine does not
decide the p99 (--repeats 1 gives raw single-shot times). Memory comes from tracemalloc
during a second, separately traced build: the build's peak and what the index still holds.
Exits 1 if any top-10 of ours differs from BM25Okapi's (ids or scores beyond 1e-9).

The "ours with answer" row is the whole answer path of `mutuals ask` and Slack over a real
SearchIndex of the same passages written as text (sentences of about 15 words): the query's
analysis and spelling check, exact BM25 top-10, word weights, re-ranking, the decision and
sentence choice (`bot.answers.compose.answer_question`). Its build column is the in-memory
index build (`indexer.build.serving_parts`), untraced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.answers.compose import answer_question  # noqa: E402
from indexer.analyse import Analyser  # noqa: E402
from indexer.bm25 import BM25  # noqa: E402
from indexer.build import serving_parts  # noqa: E402
from indexer.chunk import Passage  # noqa: E402
from indexer.knowledge import Source  # noqa: E402
from indexer.search import IndexInfo, SearchIndex  # noqa: E402

try:
    import bm25s
except ImportError:  # optional "bench" extra
    bm25s = None

Tokens = list[str]
VOCAB = 30_000
K = 10
HEAD, MID_END = 20, 5_000


@dataclass
class Build:
    """Build wall time and tracemalloc memory of one engine."""

    seconds: float
    peak_mb: float
    index_mb: float


@dataclass
class Row:
    """One table row: an engine measured at one corpus size."""

    size: int
    engine: str
    build: Build
    latencies: list[float]
    note: str = ""

    def p(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        return float(np.percentile(self.latencies, q)) * 1000


def made_up_words(rng: np.random.Generator, n: int) -> list[str]:
    """Distinct pronounceable nonsense words of 2 to 4 syllables."""
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    syllables += [s + "n" for s in syllables[::3]] + [s + "r" for s in syllables[1::4]]
    words: dict[str, None] = {}
    while len(words) < n:
        count = int(rng.integers(2, 5))
        words["".join(syllables[i] for i in rng.integers(0, len(syllables), count))] = None
    return list(words)


def zipf_probs(n: int, s: float = 1.0, q: float = 2.7) -> np.ndarray:
    """Zipf-Mandelbrot probabilities for ranks 1..n."""
    weights = 1.0 / (np.arange(1, n + 1) + q) ** s
    return weights / weights.sum()


def make_corpus(
    rng: np.random.Generator, words: list[str], probs: np.ndarray, n: int
) -> list[Tokens]:
    """``n`` passages of roughly 60 Zipf-distributed tokens (15 to 120)."""
    lengths = np.clip(rng.normal(60, 18, n), 15, 120).astype(np.int64)
    ids = rng.choice(len(words), size=int(lengths.sum()), p=probs).tolist()
    flat = iter([words[i] for i in ids])
    return [list(itertools.islice(flat, length)) for length in lengths.tolist()]


def make_queries(
    rng: np.random.Generator, words: list[str], probs: np.ndarray, n: int
) -> list[Tokens]:
    """``n`` queries of 3 to 6 terms: some head, mostly mid-frequency, some rare words."""
    mid = probs[HEAD:MID_END] / probs[HEAD:MID_END].sum()
    queries = []
    for _ in range(n):
        terms = []
        for _ in range(int(rng.integers(3, 7))):
            band = rng.random()
            if band < 0.1:
                rank = int(rng.integers(0, HEAD))
            elif band < 0.8:
                rank = HEAD + int(rng.choice(len(mid), p=mid))
            else:
                rank = int(rng.integers(MID_END, len(words)))
            terms.append(words[rank])
        queries.append(terms)
    return queries


def timed_build(build: Callable[[], Any]) -> tuple[Any, Build]:
    """Build twice: untraced for wall time, traced for peak and retained memory (MB)."""
    gc.collect()
    start = time.perf_counter()
    engine = build()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    traced = build()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    gc.collect()
    return engine, Build(seconds, peak / 1e6, retained / 1e6)


def latencies(
    search: Callable[[Tokens], Any], queries: Sequence[Tokens], repeats: int
) -> list[float]:
    """Each query's fastest wall time in seconds over ``repeats`` rounds, after a warm-up."""
    for query in queries[:20]:
        search(query)
    gc.collect()
    best = [float("inf")] * len(queries)
    for _ in range(repeats):
        for i, query in enumerate(queries):
            start = time.perf_counter()
            search(query)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def okapi_top(okapi: BM25Okapi, query: Tokens) -> np.ndarray:
    """The usual BM25Okapi serving path: all scores, then a numpy top-k."""
    scores = okapi.get_scores(query)
    top = np.argpartition(-scores, K)[:K] if scores.size > K else np.arange(scores.size)
    return top[np.argsort(-scores[top], kind="stable")]


def reference_top(okapi: BM25Okapi, query: Tokens) -> list[tuple[int, float]]:
    """BM25Okapi's exact top-k over documents holding a query term, ties by index."""
    scores = okapi.get_scores(query)
    terms = set(query)
    holding = [i for i, freqs in enumerate(okapi.doc_freqs) if not terms.isdisjoint(freqs)]
    holding.sort(key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in holding[:K]]


def same_top(ours: list[tuple[int, float]], ref: list[tuple[int, float]]) -> bool:
    """Same ids in the same order, scores within 1e-9."""
    return [i for i, _ in ours] == [i for i, _ in ref] and all(
        abs(a - b) <= 1e-9 for (_, a), (_, b) in zip(ours, ref, strict=True)
    )


def bench_size(
    corpus: list[Tokens], queries: list[Tokens], okapi_limit: int, repeats: int
) -> tuple[list[Row], int, int]:
    """Rows for every engine at one size, plus (queries checked, mismatches)."""
    n = len(corpus)
    rows = []
    ours, build = timed_build(lambda: BM25(corpus))
    rows.append(
        Row(n, "ours BM25.top_k", build, latencies(lambda q: ours.top_k(q, K), queries, repeats))
    )

    okapi, build = timed_build(lambda: BM25Okapi(corpus))
    okapi_queries = queries[:okapi_limit]
    note = f"only {len(okapi_queries)} queries" if len(okapi_queries) < len(queries) else ""
    times = latencies(lambda q: okapi_top(okapi, q), okapi_queries, repeats)
    rows.append(Row(n, "rank_bm25 Okapi", build, times, note))

    if bm25s is not None:
        rows.append(bench_bm25s(corpus, queries, repeats))
    rows.append(bench_answers(corpus, queries, repeats))
    mismatches = sum(not same_top(ours.top_k(q, K), reference_top(okapi, q)) for q in okapi_queries)
    return rows, len(okapi_queries), mismatches


def as_text(tokens: Tokens) -> str:
    """A passage's tokens written as sentences of about 15 words."""
    sentences = [" ".join(tokens[i : i + 15]) for i in range(0, len(tokens), 15)]
    return " ".join(s[:1].upper() + s[1:] + "." for s in sentences)


def bench_answers(corpus: list[Tokens], queries: list[Tokens], repeats: int) -> Row:
    """The whole answer path over a SearchIndex of the passages as text (built in memory with
    the index build's own `serving_parts`)."""
    start = time.perf_counter()
    source = (Source("Guidance", "https://example.org/guidance"),)
    passages = [
        Passage(f"doc{i // 50}#s{i}", f"doc{i // 50}", "Guidance", f"Section {i}",
                as_text(tokens), dt.date(2020, 1, 1), source)
        for i, tokens in enumerate(corpus)
    ]  # fmt: skip
    info = IndexInfo("bench", "", len(corpus) // 50, len(passages), "", "the team")
    index = SearchIndex(serving_parts((), passages), Analyser(), info)
    built = Build(time.perf_counter() - start, float("nan"), float("nan"))
    texts = [" ".join(q) for q in queries]
    times = latencies(lambda q: answer_question(index, " ".join(q)), queries, repeats)
    answered = sum(answer_question(index, t).answered for t in texts)
    return Row(len(corpus), "ours with answer", built, times, f"{answered} answered")


def bench_bm25s(corpus: list[Tokens], queries: list[Tokens], repeats: int) -> Row:
    """bm25s (Lucene idf, float32) fed our token lists, one retrieve call per query."""

    def build() -> Any:
        engine = bm25s.BM25(k1=1.5, b=0.75)
        engine.index(corpus, show_progress=False)
        return engine

    engine, built = timed_build(build)
    times = latencies(lambda q: engine.retrieve([q], k=K, show_progress=False), queries, repeats)
    return Row(len(corpus), "bm25s retrieve", built, times, "speed only (Lucene idf)")


def print_table(rows: list[Row]) -> None:
    """Plain text table; speed-up is rank_bm25's p50 over the engine's p50."""
    head = (
        f"{'size':>7}  {'engine':<16} {'build s':>8} {'peak MB':>8} {'index MB':>8} "
        f"{'p50 ms':>9} {'p99 ms':>9} {'vs rank-bm25':>12}"
    )
    print(head + "  note")
    print("-" * (len(head) + 26))
    for row in rows:
        base = next(r for r in rows if r.size == row.size and r.engine.startswith("rank"))
        print(
            f"{row.size:>7}  {row.engine:<16} {row.build.seconds:>8.2f} "
            f"{row.build.peak_mb:>8.1f} {row.build.index_mb:>8.1f} "
            f"{row.p(50):>9.3f} {row.p(99):>9.3f} "
            f"{base.p(50) / row.p(50):>11.0f}x  {row.note}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 if any checked top-10 differs from BM25Okapi's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--okapi-queries-large", type=int, default=30, help="BM25Okapi queries at >= 50k docs"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="time each query this often, keep the fastest"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    words = made_up_words(rng, VOCAB)
    probs = zipf_probs(VOCAB)
    queries = make_queries(rng, words, probs, args.queries)
    passages = make_corpus(rng, words, probs, max(sizes))
    if bm25s is None:
        print("bm25s not installed (optional 'bench' extra): its rows are skipped")
    rows, failed = [], False
    for size in sizes:
        limit = args.okapi_queries_large if size >= 50_000 else len(queries)
        size_rows, checked, mismatches = bench_size(passages[:size], queries, limit, args.repeats)
        rows += size_rows
        print(f"top-10 check at {size}: {checked - mismatches}/{checked} equal to BM25Okapi")
        failed = failed or mismatches > 0
    print(
        f"\n{len(queries)} queries, seed {args.seed}, k={K}, single thread; latency = each"
        f" query's fastest of {args.repeats} runs. Memory: tracemalloc during a second build"
        " (peak = build peak, index = still held after it)."
    )
    print_table(rows)
    print("\nRESULT:", "MISMATCH against BM25Okapi" if failed else "all top-10s equal BM25Okapi's")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
