"""Write the index file: what serving needs, ready to use, replaced in one step with os.replace."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils

from indexer.analyse import ANALYSER_VERSION
from indexer.artefact import FORMAT_VERSION, Part, create_table, write_parts
from indexer.bm25 import BM25, document_terms
from indexer.chunk import Passage, passages
from indexer.corpus import encode_passages
from indexer.extra import ExtraPassages, ExtraSource
from indexer.knowledge import Knowledge, Problem, knowledge_digest, load_knowledge
from indexer.search import (
    IndexUnavailable,
    SearchIndex,
    check_tables,
    passage_record,
    read_index_parts,
    read_meta,
)  # fmt: skip
from indexer.spelling import ranking


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
        _sync_directory(index_path.parent)  # the rename itself survives a crash
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
    added = list(extra.passages) if extra is not None else []
    items = [*passages(knowledge), *added]
    titles = {d.id: d.title for d in knowledge.documents}
    if extra is not None:
        titles[extra.doc_id] = extra.title
    meta = {
        "build_id": build_id,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "documents": str(len(hashes)),
        "passages": str(len(items)),
        "analyser_version": ANALYSER_VERSION,
        "format": FORMAT_VERSION,
        "knowledge_hash": knowledge.digest,
        "extra_hash": extra.digest if extra is not None else "",
        "contact": knowledge.contact,
        "synonyms": json.dumps([list(g) for g in knowledge.synonyms]),
    }
    docs = [{"id": k, "title": titles.get(k, k), "hash": v} for k, v in hashes.items()]
    parts = serving_parts(knowledge.synonyms, items)
    parts["tables"] = [meta, docs]
    conn = sqlite3.connect(path)  # rollback journal, synchronous=FULL: the commit is on disk
    try:
        db = sqlite_utils.Database(conn)
        # The small tables first, so their pages lead the file; no indexes (every page of the
        # file is then read, and checked, by a load).
        with conn:
            conn.execute("create table meta (key text not null, value text not null)")
            conn.execute("create table documents (id text not null, title text, hash text)")
            db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])
            db.table("documents").insert_all(docs)
            create_table(conn)
            write_parts(conn, parts)
    finally:
        conn.close()
    return len(items)


def serving_parts(synonyms: Sequence[Sequence[str]], items: list[Passage]) -> dict[str, Part]:
    """Everything SearchIndex.load needs, computed once here: postings with their exact
    contributions, each passage's terms, the speller's ranked words, the passages."""
    lines: list[bytes] = []
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)

    def write_records() -> None:  # done while other processes analyse the passages
        lines.extend(encode(passage_record(p)).encode() for p in items)

    encoded = encode_passages(synonyms, items, meanwhile=write_records)
    bm25 = BM25.from_ids(encoded.terms, encoded.ids, encoded.lengths)
    arrays = bm25.parts()
    parts: dict[str, Part] = dict(arrays)
    parts["terms"] = bm25.terms()
    parts["doc_terms.offsets"], parts["doc_terms.ids"] = document_terms(arrays)
    parts["speller"] = ranking(encoded.words)
    parts["passages.offsets"] = np.cumsum([0] + [len(b) for b in lines], dtype=np.int64)
    parts["passages.data"] = b"".join(lines)
    return parts


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    """Whether every part of the index file is there and matches its checksum, and its tables
    match the copy kept among the parts: a file damaged in the middle can still pass
    `read_meta`, then fail a query."""
    try:
        check_tables(index_path, read_index_parts(index_path))
    except IndexUnavailable:
        return False
    return True


def index_is_current(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> bool:
    """True when the index file exists, is readable and intact, and was built from this
    knowledge (and these extra passages, when given)."""
    try:
        meta = read_meta(index_path)
    except IndexUnavailable:
        return False
    return _meta_is_current(meta, knowledge_dir, extra) and index_is_sound(index_path)


def _meta_is_current(
    meta: dict[str, str], knowledge_dir: Path | str, extra: ExtraSource | None = None
) -> bool:
    return (
        meta.get("analyser_version") == ANALYSER_VERSION
        and meta.get("format") == FORMAT_VERSION
        and meta.get("knowledge_hash") == knowledge_digest(Path(knowledge_dir))
        and (extra is None or meta.get("extra_hash", "") == extra().digest)
    )


def ensure_index(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> BuildReport | None:
    """Build the index if it is missing, unreadable, damaged or older than the knowledge (or
    extras)."""
    if index_is_current(knowledge_dir, index_path, extra):
        return None
    return build_index(knowledge_dir, index_path, extra)


def open_index(
    knowledge_dir: Path | str, index_path: Path | str, extra: ExtraSource | None = None
) -> tuple[SearchIndex, BuildReport | None]:
    """Load the index, building it first if it is missing, damaged or older than the
    knowledge (or extras); the file is read once (loading checks every part's checksum)."""
    try:
        if _meta_is_current(read_meta(index_path), knowledge_dir, extra):
            return SearchIndex.load(index_path), None
    except IndexUnavailable:
        pass
    report = build_index(knowledge_dir, index_path, extra)  # KnowledgeError if it cannot
    return SearchIndex.load(index_path), report
