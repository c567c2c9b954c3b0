"""The index file stores what serving needs, ready to use: a load rebuilds nothing from text,
serves exactly what a fresh build from the passages' tokens would, and refuses any damaged part."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from conftest import SHIPPED_KNOWLEDGE, write_knowledge
from rank_bm25 import BM25Okapi

from indexer import corpus
from indexer.analyse import Analyser
from indexer.bm25 import BM25
from indexer.build import (
    build_index,
    ensure_index,
    index_is_current,
    index_is_sound,
    open_index,
)
from indexer.chunk import passages
from indexer.corpus import body, passage_tokens
from indexer.knowledge import load_knowledge
from indexer.search import PARTS, IndexUnavailable, SearchIndex
from indexer.spelling import Speller, ranking

QUESTIONS = [
    "What is MyCSP?", "who owns mycsp", "pathfnders swindon", "TUPE pensions for staff",
    "rights to provide", "community interest company", "reg 77 reserved contracts",
]  # fmt: skip


def _reference_tokens() -> list[list[str]]:
    """Every shipped passage's tokens, analysed afresh."""
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    analyser = Analyser(knowledge.synonyms)
    return [passage_tokens(analyser, p) for p in passages(knowledge)]


def test_a_loaded_index_scores_every_passage_exactly_like_bm25okapi(
    shipped_index: SearchIndex,
) -> None:
    tokens = _reference_tokens()
    okapi = BM25Okapi(tokens)
    for question in QUESTIONS:
        query = shipped_index.query(question)
        want = okapi.get_scores(query.tokens)
        holding = [i for i, doc in enumerate(tokens) if set(query.tokens) & set(doc)]
        holding.sort(key=lambda i: (-want[i], i))
        hits = shipped_index.search(query, k=10)
        assert [h.position for h in hits] == holding[:10]
        assert [h.score for h in hits] == [float(want[i]) for i in holding[:10]]  # bit for bit


def test_terms_of_is_the_passages_own_tokens(shipped_index: SearchIndex) -> None:
    tokens = _reference_tokens()
    hits = shipped_index.search("What is MyCSP?", k=len(tokens))
    assert hits
    for hit in hits:
        assert shipped_index.terms_of(hit) == frozenset(tokens[hit.position])
    assert all(shipped_index.knows(t) for doc in tokens for t in doc)


def test_passages_read_back_as_written(shipped_index: SearchIndex) -> None:
    written = passages(load_knowledge(SHIPPED_KNOWLEDGE))
    stored = shipped_index.passages
    assert len(stored) == len(written)
    assert [p.id for p in stored] == [p.id for p in written]
    for got, want in zip(stored, written, strict=True):
        assert (got.title, got.section, got.text, got.url) == (
            want.title, want.section, want.text, want.url,
        )  # fmt: skip
        assert got.sources == want.sources
        assert got.as_of == (want.as_of.isoformat() if want.as_of else "")
    assert stored[-1] == stored[len(stored) - 1] and stored[1:3] == [stored[1], stored[2]]
    with pytest.raises(IndexError):
        stored[len(stored)]


def test_the_stored_speller_corrects_like_one_built_from_every_word() -> None:
    words = "mycsp mycsp pathfinder pathfinders swindon seqol mutual mutuals".split() * 3
    words += ["pathfinding", "mycsps"]
    typed = ["mycps", "pathfnders", "swidon", "parking", "mutals", "pathfindr"]
    assert Speller(ranked=ranking(words)).correct_all(typed) == Speller(words).correct_all(typed)


def test_two_builds_of_the_same_knowledge_store_the_same_parts(tmp_path: Path) -> None:
    digests = []
    for name in ("a.sqlite3", "b.sqlite3"):
        build_index(SHIPPED_KNOWLEDGE, tmp_path / name)
        with sqlite3.connect(tmp_path / name) as conn:
            rows = conn.execute("select name, sha256 from parts where name != 'tables'")
            digests.append(dict(rows))
        conn.close()
    assert digests[0] == digests[1] and len(digests[0]) == len(PARTS) - 1


@pytest.mark.parametrize("part", PARTS)
def test_a_damaged_part_never_serves_and_is_rebuilt(tmp_path: Path, part: str) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    with sqlite3.connect(path) as conn:  # one byte changed, the checksum left as it was
        (data,) = conn.execute("select data from parts where name = ?", (part,)).fetchone()
        damaged = bytearray(data)
        damaged[len(damaged) // 2] ^= 0x01
        conn.execute("update parts set data = ? where name = ?", (bytes(damaged), part))
    conn.close()
    with pytest.raises(IndexUnavailable, match="checksum"):
        SearchIndex.load(path)
    assert not index_is_sound(path) and not index_is_current(SHIPPED_KNOWLEDGE, path)
    index, report = open_index(SHIPPED_KNOWLEDGE, path)
    assert report is not None and index.search("What is MyCSP?")
    assert index_is_sound(path)


def test_a_missing_part_or_an_edited_meta_table_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    with sqlite3.connect(path) as conn:
        conn.execute("delete from parts where name = 'speller'")
    conn.close()
    with pytest.raises(IndexUnavailable):
        SearchIndex.load(path)
    assert ensure_index(SHIPPED_KNOWLEDGE, path) is not None
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = 'elsewhere' where key = 'contact'")
    conn.close()
    with pytest.raises(IndexUnavailable, match="meta"):
        SearchIndex.load(path)
    assert not index_is_sound(path)


def test_an_index_file_of_the_old_format_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    with sqlite3.connect(path) as conn:
        conn.execute("drop table parts")
        conn.execute("delete from meta where key = 'format'")
    conn.close()
    assert not index_is_current(SHIPPED_KNOWLEDGE, path)
    index, report = open_index(SHIPPED_KNOWLEDGE, path)
    assert report is not None and index.info.passages == len(index.passages)


def test_a_current_index_is_opened_without_a_build(shipped_index_path: Path) -> None:
    index, report = open_index(SHIPPED_KNOWLEDGE, shipped_index_path)
    assert report is None
    assert index.info.build_id == SearchIndex.load(shipped_index_path).info.build_id


@pytest.mark.parametrize("workers", [1, 2])
def test_analysis_on_several_processes_encodes_exactly_as_one(workers: int) -> None:
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    items = passages(knowledge)
    with mock.patch.object(corpus, "CHUNK", 7):  # many chunks, so the merge is exercised
        got = corpus.encode_passages(knowledge.synonyms, items, workers=workers)
    analyser = Analyser(knowledge.synonyms)
    tokens = [passage_tokens(analyser, p) for p in items]
    want = BM25(tokens)
    assert got.terms == want.terms()  # numbered in order of first occurrence, as BM25 numbers
    assert [got.terms[i] for i in got.ids.tolist()] == [t for doc in tokens for t in doc]
    assert got.lengths.tolist() == [len(doc) for doc in tokens]
    from_ids = BM25.from_ids(got.terms, got.ids.copy(), got.lengths)
    for name, array in want.parts().items():
        assert np.array_equal(from_ids.parts()[name], array), name
    # the speller learns the words of titles, headings, texts and "Also asked" questions
    text_words = [w for p in items for w in analyser.words(f"{p.title} {p.section} {body(p)}")]
    assert got.words == Counter(text_words)


def test_an_edited_documents_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    with sqlite3.connect(path) as conn:
        conn.execute("update documents set hash = 'x' where rowid = 1")
    conn.close()
    with pytest.raises(IndexUnavailable, match="documents"):
        SearchIndex.load(path)
    assert not index_is_sound(path)


def test_a_loaded_index_keeps_reading_its_own_file_after_a_replacement(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    old = SearchIndex.load(path)
    want = [(h.passage.id, h.score, old.terms_of(h)) for h in old.search("Who owns MyCSP?")]
    other = write_knowledge(tmp_path / "other")
    build_index(other, tmp_path / "new.sqlite3")
    os.replace(tmp_path / "new.sqlite3", path)  # as `mutuals index` and a deploy replace it
    got = [(h.passage.id, h.score, old.terms_of(h)) for h in old.search("Who owns MyCSP?")]
    assert got == want and old.passages[len(old.passages) - 1].id.startswith("pathfinders")
    assert SearchIndex.load(path).info.passages != old.info.passages
