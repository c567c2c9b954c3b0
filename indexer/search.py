"""Search the index file: load once, then answer many queries with exact BM25Okapi scores."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from indexer.analyse import ANALYSER_VERSION, Analyser, Word
from indexer.artefact import FORMAT_VERSION, DamagedPart, PartFile, StoredArray
from indexer.bm25 import BM25
from indexer.chunk import Passage
from indexer.knowledge import Source
from indexer.spelling import Speller

MAX_QUERY_CHARS = 2_000  # a question longer than this is cut before analysis
PASSAGE_CACHE = 4096  # passages read from the blob and kept, per index
TERM_SET_CACHE = 4096  # passages whose term sets are kept (the answer layer asks per hit)
# The parts an index file must hold to serve (written by indexer/build.py).
PARTS = (
    "tables", "terms", "speller", "bm25.params", "bm25.idf", "bm25.offsets", "bm25.docs",
    "bm25.weights", "doc_terms.offsets", "doc_terms.ids", "passages.offsets", "passages.data",
)  # fmt: skip
# Parts read a slice at a time while serving (postings, terms of passages, passage text):
# most of an index, and a question touches little of it.
LAZY_PARTS = frozenset(("bm25.docs", "bm25.weights", "doc_terms.ids", "passages.data"))


class IndexUnavailable(Exception):
    """The index file is missing, unreadable, or from another analyser version."""


@dataclass(frozen=True)
class IndexedPassage:
    id: str
    doc_id: str
    title: str
    section: str
    text: str
    url: str
    as_of: str
    sources: tuple[Source, ...]
    superseded: bool = False  # a newer passage replaces it, or it is marked historical
    asked: tuple[str, ...] = ()  # other questions it answers (never shown; re-ranking reads them)


@dataclass(frozen=True)
class Query:
    """An analysed question: its search tokens, and those that do not name its topic."""

    text: str
    tokens: list[str]
    light: frozenset[str]  # framing and phrase-spelling tokens (see Analyser.analyse)
    origins: Mapping[str, Word] = field(default_factory=dict)  # token -> the word typed


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with its exact BM25Okapi score."""

    passage: IndexedPassage
    score: float
    position: int  # the passage's position in the index (for `terms_of`)


@dataclass(frozen=True)
class IndexInfo:
    build_id: str
    built_at: str
    documents: int
    passages: int
    knowledge_hash: str
    contact: str


class SearchIndex:
    """An index file loaded for serving: passages, analyser, BM25 postings and speller, each
    read once from the file's parts (see indexer/artefact.py), nothing rebuilt from text."""

    def __init__(self, parts: dict[str, Any], analyser: Analyser, info: IndexInfo):
        self.analyser = analyser
        self.info = info
        self.passages: Sequence[IndexedPassage] = StoredPassages(
            parts["passages.data"], parts["passages.offsets"]
        )
        self._terms: list[str] = parts["terms"]
        self._bm25 = BM25.from_parts(self._terms, parts)
        self._doc_terms = (parts["doc_terms.offsets"], parts["doc_terms.ids"])
        self._term_set = lru_cache(maxsize=TERM_SET_CACHE)(self._read_term_set)
        self._speller = Speller(ranked=parts["speller"])

    @classmethod
    def load(cls, path: Path | str) -> SearchIndex:
        """Read an index file; raise IndexUnavailable if it cannot serve (a part damaged)."""
        path = Path(path)
        meta = read_meta(path)
        if meta.get("analyser_version") != ANALYSER_VERSION:
            raise IndexUnavailable(f"{path} was built by another analyser version")
        if meta.get("format") != FORMAT_VERSION:
            raise IndexUnavailable(f"{path} was written in another index format")
        parts = read_index_parts(path)
        check_tables(path, parts)
        synonyms = json.loads(meta.get("synonyms", "[]"))
        info = IndexInfo(
            meta.get("build_id", ""), meta.get("built_at", ""), int(meta.get("documents", 0)),
            int(meta.get("passages", 0)), meta.get("knowledge_hash", ""), meta.get("contact", ""),
        )  # fmt: skip
        return cls(parts, Analyser(synonyms), info)

    def query(self, question: str) -> Query:
        """Analyse a question once, misspelt words corrected."""
        analysed = self.analyser.analyse_query(
            question[:MAX_QUERY_CHARS], self._speller.correct_all
        )
        return Query(question, analysed.tokens, frozenset(analysed.light), analysed.origins)

    def search(self, question: str | Query, k: int = 5) -> list[Hit]:
        """The best k passages for a question, best first (ties broken by passage order)."""
        query = self.query(question) if isinstance(question, str) else question
        return [Hit(self.passages[i], s, i) for i, s in self._bm25.top_k(query.tokens, k)]

    def knows(self, term: str) -> bool:
        """Whether any passage contains `term`."""
        return term in self._bm25

    def idf(self, term: str) -> float:
        """A term's BM25Okapi idf; a term no passage contains gets the rarest possible."""
        if term in self._bm25:
            return self._bm25.term_weight(term)
        return math.log((len(self.passages) + 0.5) / 0.5)

    def terms_of(self, hit: Hit) -> frozenset[str]:
        """The search tokens of a hit's passage (title, section and text)."""
        return frozenset(self._term_set(hit.position))

    def _read_term_set(self, position: int) -> tuple[str, ...]:
        # A tuple, not a set, is kept: Python's collector stops tracking a tuple of strings,
        # and thousands of kept sets made each of its full passes cost milliseconds.
        offsets, ids = self._doc_terms
        span = ids[offsets[position] : offsets[position + 1]].tolist()
        return tuple(map(self._terms.__getitem__, span))


class StoredPassages(Sequence[IndexedPassage]):
    """The passages of an index file, one JSON line each in one blob, read when asked for."""

    def __init__(self, data: bytes | StoredArray, offsets: npt.NDArray[np.int64]):
        self._data = data
        self._offsets = offsets
        self._at = lru_cache(maxsize=PASSAGE_CACHE)(self._read)

    def __len__(self) -> int:
        return self._offsets.size - 1

    @overload
    def __getitem__(self, i: int) -> IndexedPassage: ...
    @overload
    def __getitem__(self, i: slice) -> list[IndexedPassage]: ...
    def __getitem__(self, i: int | slice) -> IndexedPassage | list[IndexedPassage]:
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._at(i)

    def _read(self, i: int) -> IndexedPassage:
        start, end = self._offsets[i : i + 2].tolist()
        data = self._data
        raw = data.read(start, end) if isinstance(data, StoredArray) else data[start:end]
        return passage_of(json.loads(raw))


def passage_record(p: Passage) -> list[Any]:
    """A passage as the build stores it: one JSON array, in IndexedPassage's field order."""
    as_of = p.as_of.isoformat() if p.as_of else ""
    sources = [[s.title, s.url] for s in p.sources]
    return [
        p.id, p.doc_id, p.title, p.section, p.text, p.url, as_of, sources, p.superseded,
        list(p.asked),
    ]  # fmt: skip


def passage_of(record: list[Any]) -> IndexedPassage:
    """The IndexedPassage a stored record describes."""
    pid, doc_id, title, section, text, url, as_of, sources, superseded, asked = record
    return IndexedPassage(
        pid,
        doc_id,
        title,
        section,
        text,
        url,
        as_of,
        tuple(Source(t, u) for t, u in sources),
        bool(superseded),
        tuple(asked),
    )


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise IndexUnavailable(f"no index file at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:  # a directory, or a file we may not read
        raise IndexUnavailable(f"{path} cannot be opened as an index ({exc})") from exc
    conn.row_factory = sqlite3.Row
    return conn


def read_meta(path: Path | str) -> dict[str, str]:
    """The meta table of an index file; IndexUnavailable if it is missing or incomplete."""
    path = Path(path)
    conn = _connect(path)
    try:
        meta = dict(conn.execute("select key, value from meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise IndexUnavailable(f"{path} is not a readable index ({exc})") from exc
    finally:
        conn.close()
    if "build_id" not in meta:  # the meta rows are written with the parts, in one commit
        raise IndexUnavailable(f"{path} is incomplete")
    return meta


def check_tables(path: Path | str, parts: dict[str, Any]) -> None:
    """IndexUnavailable unless the meta and documents tables read whole and match the copy
    among the (checksummed) parts."""
    path = Path(path)
    conn = _connect(path)
    try:
        meta = dict(conn.execute("select key, value from meta").fetchall())
        rows = conn.execute("select id, title, hash from documents order by rowid").fetchall()
    except sqlite3.DatabaseError as exc:
        raise IndexUnavailable(f"{path} is not a readable index ({exc})") from exc
    finally:
        conn.close()
    docs = [{"id": i, "title": t, "hash": h} for i, t, h in rows]
    if parts["tables"] != [meta, docs]:
        raise IndexUnavailable(f"{path} has meta or documents tables that do not match its parts")


def read_index_parts(path: Path | str) -> dict[str, Any]:
    """Every part serving needs, each checked against its checksum first; the large ones
    (LAZY_PARTS) are read a slice at a time later. IndexUnavailable if any part is missing or
    damaged, or SQLite cannot read the file."""
    path = Path(path)
    if not path.exists():
        raise IndexUnavailable(f"no index file at {path}")
    try:
        file = PartFile(path)
    except sqlite3.Error as exc:
        raise IndexUnavailable(f"{path} is not a readable index ({exc})") from exc
    try:
        file.verify(PARTS)
        return {n: file.sliced(n) if n in LAZY_PARTS else file.whole(n) for n in PARTS}
    except (sqlite3.Error, DamagedPart, ValueError) as exc:
        file.close()
        raise IndexUnavailable(f"{path} is damaged ({exc})") from exc
