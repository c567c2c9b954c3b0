"""Analyse every passage for the build: tokens encoded as term ids, and the words the speller
counts; on several processes when the knowledge is large enough for that to pay.

The result does not depend on how many processes did the work: passages are cut into chunks in
order, each chunk numbers its terms in order of first occurrence, and the chunks' numbers are
merged in chunk order, which is the corpus's own order of first occurrence (the order BM25Okapi
sums its idfs in).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from indexer.analyse import Analyser
from indexer.chunk import Passage
from indexer.encode import ChunkEncoder

log = logging.getLogger(__name__)

# Title and section words count this many times over body words (calibrated with `mutuals eval`).
TITLE_WEIGHT = 1
SECTION_WEIGHT = 2
PARALLEL_FROM = 20_000  # passages; below this, starting processes costs more than it saves
CHUNK = 5_000  # passages a process analyses at a time
MAX_WORKERS = 4

Texts = list[tuple[str, str, str]]  # (title, section, body) of each passage


@dataclass
class Encoded:
    """Every passage's tokens as term ids (one flat array), and the words used."""

    terms: list[str]  # term id -> term, in order of first occurrence
    ids: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int32]  # tokens per passage
    words: Counter[str]


def passage_tokens(analyser: Analyser, passage: Passage) -> list[str]:
    """The tokens a passage is indexed under: title and section weigh more than the body."""
    title = analyser.tokens(passage.title) * TITLE_WEIGHT
    section = analyser.tokens(passage.section) * SECTION_WEIGHT
    return title + section + analyser.tokens(body(passage))


def body(passage: Passage) -> str:
    """What a passage is indexed under besides its title and heading: its text, then the other
    questions its section answers (`Also asked:`), which are searched but never shown."""
    return "\n".join((passage.text, *passage.asked))


def encode_passages(
    synonyms: Sequence[Sequence[str]], items: Sequence[Passage], workers: int | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> Encoded:  # fmt: skip
    """The tokens of every passage (as `passage_tokens`), encoded, and the speller's words.
    `meanwhile` is run once, in this process, while the others analyse."""
    texts = [(p.title, p.section, body(p)) for p in items]
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(texts) >= PARALLEL_FROM else 1
    once = _once(meanwhile)
    if workers <= 1 or len(chunks) <= 1:
        once()
        _start(synonyms)
        return _merge([_encode_chunk(c) for c in chunks])
    try:
        with ProcessPoolExecutor(
            workers, mp_context=_context(), initializer=_start, initargs=(synonyms,)
        ) as pool:
            results = pool.map(_encode_chunk, chunks)  # every chunk is sent now
            once()
            return _merge(list(results))
    except BrokenProcessPool:  # processes could not start here (a script without a main guard)
        log.warning("analysis processes failed; analysing in this process")
        return encode_passages(synonyms, items, workers=1, meanwhile=once)


def _once(work: Callable[[], None]) -> Callable[[], None]:
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            work()

    return run


def _context() -> multiprocessing.context.BaseContext:
    """fork from a single-threaded process (the CLI): quick, nothing re-imported; spawn from
    a server reindexing on one of its threads, which must not fork another thread's locks."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_encoder: ChunkEncoder | None = None  # each process's own, made by _start


def _start(synonyms: Sequence[Sequence[str]]) -> None:
    global _encoder
    _encoder = ChunkEncoder(Analyser(synonyms), TITLE_WEIGHT, SECTION_WEIGHT)


_Chunk = tuple[list[str], npt.NDArray[np.int32], npt.NDArray[np.int32], Counter[str]]


def _encode_chunk(texts: Texts) -> _Chunk:
    """One chunk's terms (first occurrence first), token ids, lengths and word counts."""
    assert _encoder is not None
    return _encoder.encode(texts)


def _merge(chunks: list[_Chunk]) -> Encoded:
    terms: dict[str, int] = {}
    ids, lengths, words = [], [], Counter[str]()
    for vocab, chunk_ids, chunk_lengths, chunk_words in chunks:
        remap = np.array([terms.setdefault(t, len(terms)) for t in vocab], dtype=np.int64)
        ids.append(remap[chunk_ids])  # int64 again: BM25.from_ids uses them as scratch
        lengths.append(chunk_lengths)
        words.update(chunk_words)
    return Encoded(
        list(terms),
        np.concatenate(ids) if ids else np.zeros(0, np.int64),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
        words,
    )
