"""Search the index file: load once, then answer many queries with exact BM25Okapi scores."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analyse import ANALYSER_VERSION, Analyser, Word
from indexer.bm25 import BM25
from indexer.knowledge import Source
from indexer.spelling import Speller

MAX_QUERY_CHARS = 2_000  # a question longer than this is cut before analysis


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
    """An index file loaded into memory: passages, analyser and BM25 postings."""

    def __init__(self, passages: list[IndexedPassage], tokens: list[list[str]],
                 analyser: Analyser, info: IndexInfo):  # fmt: skip
        self.passages = passages
        self.analyser = analyser
        self.info = info
        self._bm25 = BM25(tokens)
        self._token_sets = [frozenset(t) for t in tokens]
        self._speller = Speller(_known_words(analyser, passages))

    @classmethod
    def load(cls, path: Path | str) -> SearchIndex:
        """Read an index file; raise IndexUnavailable if it cannot serve."""
        rows, meta = _read(Path(path))
        if meta.get("analyser_version") != ANALYSER_VERSION:
            raise IndexUnavailable(f"{path} was built by another analyser version")
        synonyms = json.loads(meta.get("synonyms", "[]"))
        passages = [_passage(r) for r in rows]
        tokens = [json.loads(r["tokens"]) for r in rows]
        info = IndexInfo(
            meta.get("build_id", ""), meta.get("built_at", ""), int(meta.get("documents", 0)),
            len(passages), meta.get("knowledge_hash", ""), meta.get("contact", ""),
        )  # fmt: skip
        return cls(passages, tokens, Analyser(synonyms), info)

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
        return self._token_sets[hit.position]


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
        count = conn.execute("select count(*) from passages").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise IndexUnavailable(f"{path} is not a readable index ({exc})") from exc
    finally:
        conn.close()
    if str(count) != meta.get("passages"):
        raise IndexUnavailable(f"{path} is incomplete")
    return meta


def _read(path: Path) -> tuple[list[dict], dict[str, str]]:
    meta = read_meta(path)
    conn = _connect(path)
    try:
        rows = [dict(r) for r in conn.execute("select * from passages order by rowid")]
    except sqlite3.DatabaseError as exc:
        raise IndexUnavailable(f"{path} is not a readable index ({exc})") from exc
    finally:
        conn.close()
    return rows, meta


def _known_words(analyser: Analyser, passages: list[IndexedPassage]) -> list[str]:
    """Every word of every passage, repeated as often as used (the speller's frequencies)."""
    return [w for p in passages for w in analyser.words(f"{p.title} {p.section} {p.text}")]


def _passage(row: dict) -> IndexedPassage:
    sources = tuple(Source(s["title"], s["url"]) for s in json.loads(row["sources"]))
    return IndexedPassage(
        row["id"], row["doc_id"], row["title"], row["section"], row["text"], row["url"],
        row["as_of"], sources,
    )  # fmt: skip
