"""Write the index file: analysed passages in SQLite, replaced in one step with os.replace."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from indexer.analyse import ANALYSER_VERSION, Analyser
from indexer.chunk import Passage, passages
from indexer.extra import ExtraPassages, ExtraSource
from indexer.knowledge import Knowledge, Problem, knowledge_digest, load_knowledge
from indexer.search import IndexUnavailable, read_meta

# Title and section words count this many times over body words (calibrated with `mutuals eval`).
TITLE_WEIGHT = 1
SECTION_WEIGHT = 2


@dataclass(frozen=True)
class BuildReport:
    documents: int
    passages: int
    seconds: float
    build_id: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)  # extra passages not served, and why


def passage_tokens(analyser: Analyser, passage: Passage) -> list[str]:
    """The tokens a passage is indexed under: title and section weigh more than the body."""
    title = analyser.tokens(passage.title) * TITLE_WEIGHT
    return title + analyser.tokens(passage.section) * SECTION_WEIGHT + analyser.tokens(passage.text)


def build_index(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> BuildReport:
    """Validate the knowledge and write a new index file; the old one stays on any error.
    `extra` gives passages from elsewhere (the team's answers), added as one more document."""
    started = time.perf_counter()
    knowledge = load_knowledge(knowledge_dir)  # raises KnowledgeError before anything is written
    more = extra() if extra is not None else None
    index_path = Path(index_path)
    old_hashes = _document_hashes(index_path)
    new_hashes = _knowledge_hashes(knowledge)
    if more is not None and more.passages:
        new_hashes[more.doc_id] = more.digest
    index_path.parent.mkdir(parents=True, exist_ok=True)
    build_id = uuid.uuid4().hex
    fd, tmp_name = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=index_path.parent)
    os.close(fd)
    try:
        count = _write(Path(tmp_name), knowledge, new_hashes, build_id, more)
        os.replace(tmp_name, index_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return BuildReport(
        documents=len(new_hashes),
        passages=count,
        seconds=time.perf_counter() - started,
        build_id=build_id,
        added=sorted(new_hashes.keys() - old_hashes.keys()),
        changed=sorted(k for k in new_hashes.keys() & old_hashes.keys()
                       if new_hashes[k] != old_hashes[k]),
        removed=sorted(old_hashes.keys() - new_hashes.keys()),
        left_out=list(more.problems) if more is not None else [],
    )  # fmt: skip


def _write(
    path: Path, knowledge: Knowledge, hashes: dict[str, str], build_id: str,
    extra: ExtraPassages | None = None,
) -> int:  # fmt: skip
    analyser = Analyser(knowledge.synonyms)
    added = list(extra.passages) if extra is not None else []
    rows = [_passage_row(analyser, p) for p in [*passages(knowledge), *added]]
    titles = {d.id: d.title for d in knowledge.documents}
    if extra is not None:
        titles[extra.doc_id] = extra.title
    meta = {
        "build_id": build_id,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "documents": str(len(hashes)),
        "passages": str(len(rows)),
        "analyser_version": ANALYSER_VERSION,
        "knowledge_hash": knowledge.digest,
        "extra_hash": extra.digest if extra is not None else "",
        "contact": knowledge.contact,
        "synonyms": json.dumps([list(g) for g in knowledge.synonyms]),
    }
    conn = sqlite3.connect(path)
    try:
        db = sqlite_utils.Database(conn)
        with conn:
            db.table("passages").insert_all(rows, pk="id")
            docs = [{"id": k, "title": titles.get(k, k), "hash": v} for k, v in hashes.items()]
            db.table("documents").insert_all(docs, pk="id")
            db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()], pk="key")
    finally:
        conn.close()
    return len(rows)


def _passage_row(analyser: Analyser, p: Passage) -> dict[str, str]:
    return {
        "id": p.id,
        "doc_id": p.doc_id,
        "title": p.title,
        "section": p.section,
        "text": p.text,
        "url": p.url,
        "as_of": p.as_of.isoformat() if p.as_of else "",
        "sources": json.dumps([{"title": s.title, "url": s.url} for s in p.sources]),
        "tokens": json.dumps(passage_tokens(analyser, p)),
    }


def _knowledge_hashes(knowledge: Knowledge) -> dict[str, str]:
    """A content hash per document (the pathfinder table counts as one document)."""
    hashes = {d.id: _hash(repr(d)) for d in knowledge.documents}
    if knowledge.pathfinders:
        rows = [(p.id, p.name, p.description, p.outcome, p.sources) for p in knowledge.pathfinders]
        hashes["pathfinders"] = _hash(repr(rows))
    return hashes


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _document_hashes(index_path: Path) -> dict[str, str]:
    """The per-document hashes of an existing index file, or {} when there is none."""
    if not index_path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("select id, hash from documents").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def index_is_sound(index_path: Path | str) -> bool:
    """Whether SQLite finds every page of the index file intact (`PRAGMA quick_check`): a file
    damaged in the middle can still pass `read_meta`, then fail a query."""
    try:
        conn = sqlite3.connect(f"file:{Path(index_path)}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def index_is_current(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> bool:
    """True when the index file exists, is readable and intact, and was built from this
    knowledge (and these extra passages, when given)."""
    try:
        meta = read_meta(index_path)
    except IndexUnavailable:
        return False
    return (
        meta.get("analyser_version") == ANALYSER_VERSION
        and meta.get("knowledge_hash") == knowledge_digest(Path(knowledge_dir))
        and (extra is None or meta.get("extra_hash", "") == extra().digest)
        and index_is_sound(index_path)
    )


def ensure_index(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> BuildReport | None:
    """Build the index if it is missing, unreadable or older than the knowledge (or extras)."""
    if index_is_current(knowledge_dir, index_path, extra):
        return None
    return build_index(knowledge_dir, index_path, extra)
