"""Search the index file: load once, then answer many queries with exact BM25Okapi scores."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from indexer.analyse import ANALYSER_VERSION, Analyser
from indexer.bm25 import BM25
from indexer.build import BuildReport, build_index
from indexer.knowledge import Source, knowledge_digest

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
class Hit:
    passage: IndexedPassage
    score: float
    coverage: float  # share of the query's weight whose terms this passage contains


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

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The best k passages for a question, best first (ties broken by passage order)."""
        query = self.analyser.tokens(question[:MAX_QUERY_CHARS])
        return [self._hit(i, s, query) for i, s in self._bm25.top_k(query, k)]

    def _hit(self, index: int, score: float, query: list[str]) -> Hit:
        return Hit(self.passages[index], score, self.coverage(query, index))

    def coverage(self, query: list[str], index: int) -> float:
        """The share of the query's idf weight carried by terms that passage `index` contains."""
        weights = {t: self._bm25.term_weight(t) for t in query}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        present = self._token_sets[index]
        return sum(w for t, w in weights.items() if t in present) / total


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise IndexUnavailable(f"no index file at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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


def _passage(row: dict) -> IndexedPassage:
    sources = tuple(Source(s["title"], s["url"]) for s in json.loads(row["sources"]))
    return IndexedPassage(
        row["id"], row["doc_id"], row["title"], row["section"], row["text"], row["url"],
        row["as_of"], sources,
    )  # fmt: skip


def index_is_current(knowledge_dir: Path | str, index_path: Path | str) -> bool:
    """True when the index file exists, is readable, and was built from this knowledge."""
    try:
        meta = read_meta(index_path)
    except IndexUnavailable:
        return False
    return meta.get("analyser_version") == ANALYSER_VERSION and meta.get(
        "knowledge_hash"
    ) == knowledge_digest(Path(knowledge_dir))


def ensure_index(knowledge_dir: Path | str, index_path: Path | str) -> BuildReport | None:
    """Build the index if it is missing, unreadable or older than the knowledge."""
    if index_is_current(knowledge_dir, index_path):
        return None
    return build_index(knowledge_dir, index_path)
