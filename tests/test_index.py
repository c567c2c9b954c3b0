"""The index file: built atomically, self-describing, rebuilt when stale, never half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from indexer.build import build_index, ensure_index, index_is_current
from indexer.chunk import split_paragraphs
from indexer.knowledge import KnowledgeError
from indexer.search import PARTS, IndexUnavailable, SearchIndex
from tests.conftest import GOOD_PAGE, write_knowledge


def test_build_writes_passages_and_meta(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    report = build_index(knowledge_dir, path)
    assert (report.documents, report.passages) == (2, 4)  # page + pathfinders; 2 + overview + row
    conn = sqlite3.connect(path)
    parts = dict(conn.execute("select name, sha256 from parts"))
    assert set(parts) == set(PARTS) and all(len(h) == 64 for h in parts.values())
    meta = dict(conn.execute("select key, value from meta"))
    conn.close()
    assert {"build_id", "built_at", "documents", "passages", "analyser_version", "format",
            "knowledge_hash"} <= meta.keys()  # fmt: skip
    index = SearchIndex.load(path)
    assert [p.id for p in index.passages] == [
        "mycsp#what-mycsp-does", "mycsp#who-owns-mycsp", "pathfinders#overview",
        "pathfinders#swindon",
    ]  # fmt: skip
    assert report.added == ["mycsp", "pathfinders"]
    assert list(tmp_path.glob(".index-*")) == []  # no temp file left behind


def test_rebuild_reports_added_changed_removed(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge_dir, path)
    (knowledge_dir / "guidance" / "mycsp.md").write_text(GOOD_PAGE.replace("together", "jointly"))
    (knowledge_dir / "guidance" / "tupe.md").write_text(GOOD_PAGE.replace("MyCSP", "TUPE"))
    (knowledge_dir / "pathfinders.csv").unlink()
    report = build_index(knowledge_dir, path)
    assert (report.added, report.changed, report.removed) == (["tupe"], ["mycsp"], ["pathfinders"])


def test_broken_knowledge_leaves_the_old_index(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge_dir, path)
    before = path.read_bytes()
    (knowledge_dir / "guidance" / "bad.md").write_text("no front matter")
    with pytest.raises(KnowledgeError):
        build_index(knowledge_dir, path)
    assert path.read_bytes() == before
    result = CliRunner().invoke(
        main, ["index", "--knowledge", str(knowledge_dir), "--index", str(path)]
    )
    assert result.exit_code == 1
    assert "guidance/bad.md:1: missing front matter" in result.output
    assert path.read_bytes() == before


def test_index_command_prints_counts(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "index.sqlite3"
    result = CliRunner().invoke(
        main, ["index", "--knowledge", str(knowledge_dir), "--index", str(path)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output.startswith("indexed 2 documents, 4 passages in ")


def test_search_finds_by_synonym(knowledge_dir: Path, tmp_path: Path) -> None:
    build_index(knowledge_dir, tmp_path / "i.sqlite3")
    index = SearchIndex.load(tmp_path / "i.sqlite3")
    assert "mycsp" in index.analyser.tokens("my civil service pension")
    hits = index.search("who owns my civil service pension?", k=2)
    assert {h.passage.id for h in hits} == {"mycsp#who-owns-mycsp", "mycsp#what-mycsp-does"}
    assert all(s.url.startswith("https://example.org/") for h in hits for s in h.passage.sources)
    assert index.info.contact == "the mutuals team (mutuals@example.org)"


@pytest.mark.parametrize("question", ["", "   ", "the of and", "zzzz qqqq", "🙂" * 50])
def test_search_edges_return_nothing(knowledge_dir: Path, tmp_path: Path, question: str) -> None:
    build_index(knowledge_dir, tmp_path / "i.sqlite3")
    assert SearchIndex.load(tmp_path / "i.sqlite3").search(question, k=100) == []


def test_ensure_index_rebuilds_when_knowledge_changes(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    assert ensure_index(knowledge_dir, path) is not None  # missing: built
    assert ensure_index(knowledge_dir, path) is None  # current: left alone
    (knowledge_dir / "guidance" / "mycsp.md").write_text(GOOD_PAGE + "\nMore text.\n")
    assert not index_is_current(knowledge_dir, path)
    assert ensure_index(knowledge_dir, path) is not None


def test_truncated_or_foreign_index_is_unavailable_then_rebuilt(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge_dir, path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(IndexUnavailable):
        SearchIndex.load(path)
    assert ensure_index(knowledge_dir, path) is not None
    SearchIndex.load(path)


def test_old_analyser_version_is_rebuilt(knowledge_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge_dir, path)
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = '0' where key = 'analyser_version'")
    with pytest.raises(IndexUnavailable, match="another analyser version"):
        SearchIndex.load(path)
    assert ensure_index(knowledge_dir, path) is not None


def test_long_sections_split_at_paragraphs() -> None:
    text = "\n\n".join(" ".join(["word"] * 100) for _ in range(5))
    parts = split_paragraphs(text, max_words=220)
    assert [len(p.split()) for p in parts] == [200, 200, 100]


def test_long_section_becomes_several_passages(tmp_path: Path) -> None:
    body = "\n\n".join(f"Paragraph {i} " + "about mutuals " * 60 for i in range(4))
    page = GOOD_PAGE + "\n## A long section\n" + body + "\n"
    root = write_knowledge(tmp_path / "k", pages={"mycsp.md": page})
    build_index(root, tmp_path / "i.sqlite3")
    ids = [p.id for p in SearchIndex.load(tmp_path / "i.sqlite3").passages]
    assert [i for i in ids if "long" in i] == [f"mycsp#a-long-section-{n}" for n in (1, 2, 3, 4)]


def test_sections_cite_their_own_sources_and_date(knowledge_dir: Path, tmp_path: Path) -> None:
    build_index(knowledge_dir, tmp_path / "i.sqlite3")
    does, owns = SearchIndex.load(tmp_path / "i.sqlite3").passages[:2]
    assert [s.title for s in does.sources] == ["Announcement"]
    assert does.as_of == "2011-04-12"
    assert "Sources:" not in does.text
    assert [s.title for s in owns.sources] == ["Example source", "Announcement"]  # the page's
    assert owns.as_of == "2014-04-30"
