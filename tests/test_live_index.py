"""The live index: swaps to a rebuilt file in one step, keeps serving through every failure."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answers.compose import Answer, answer_question
from indexer import live as live_module
from indexer.build import BuildReport, build_index
from indexer.knowledge import KnowledgeError
from indexer.live import LiveIndex, ReindexRunning
from indexer.search import IndexUnavailable, SearchIndex, read_meta
from tests.conftest import GOOD_PAGE, write_knowledge

PAGE_B = GOOD_PAGE.replace(
    "MyCSP administers the civil service pension schemes. It was the first large spin out.",
    "MyCSP runs pension administration for civil servants as a mutual joint venture.",
).replace(
    "Employees, the government and a private partner own MyCSP together.",
    "Its staff, the Cabinet Office and Equiniti each hold a share of MyCSP.",
)
VERSIONS = {"a": GOOD_PAGE, "b": PAGE_B}
QUESTIONS = [
    "What pension administration does MyCSP do?",
    "Who owns MyCSP?",
    "What was SEQOL in Swindon?",
]


def knowledge(root: Path, version: str) -> Path:
    return write_knowledge(root, pages={"mycsp.md": VERSIONS[version]})


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge(tmp_path / "a", "a"), path)
    return path


@pytest.fixture
def live(index_path: Path, tmp_path: Path) -> LiveIndex:
    return LiveIndex(index_path, tmp_path / "a", check_interval=0)


def test_a_rebuilt_file_is_swapped_in_before_the_next_question(
    live: LiveIndex, index_path: Path, tmp_path: Path
) -> None:
    old = live.current()
    report = build_index(knowledge(tmp_path / "b", "b"), index_path)  # another process
    new = live.current()
    assert new is not old
    assert new.info.build_id == report.build_id != old.info.build_id
    assert live.status()["build_id"] == report.build_id


def test_an_unchanged_file_is_not_reloaded(
    live: LiveIndex, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_calls(monkeypatch, SearchIndex, "load")
    first = live.current()
    assert live.current() is first
    os.utime(index_path, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched: same build id
    assert live.current() is first
    assert live.current() is first
    assert loads == []


def test_the_file_is_looked_at_once_per_interval(index_path: Path, tmp_path: Path) -> None:
    now = [100.0]
    live = LiveIndex(index_path, tmp_path / "a", check_interval=0.5, clock=lambda: now[0])
    old = live.current()
    build_index(knowledge(tmp_path / "b", "b"), index_path)
    now[0] += 0.4
    assert live.current() is old
    now[0] += 0.1
    assert live.current() is not old


def test_a_corrupt_replacement_keeps_the_old_index_serving(
    live: LiveIndex, index_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = live.current()
    broken = tmp_path / "broken.tmp"
    broken.write_bytes(b"SQLite format 3\0" + b"\x07" * 4096)
    os.replace(broken, index_path)
    with caplog.at_level(logging.WARNING, logger="indexer.live"):
        assert live.current() is old
        assert live.current() is old  # logged once, not on every question
    [record] = caplog.records
    assert old.info.build_id in record.getMessage()
    report = build_index(tmp_path / "a", index_path)  # a good file again is picked up
    assert live.current().info.build_id == report.build_id


def test_a_replacement_with_bad_rows_keeps_the_old_index_serving(
    live: LiveIndex, index_path: Path, tmp_path: Path
) -> None:
    old = live.current()
    bad = tmp_path / "bad.sqlite3"
    build_index(tmp_path / "a", bad)
    conn = sqlite3.connect(bad)  # readable meta, a new build id, postings not as written
    with conn:
        conn.execute("update parts set data = zeroblob(length(data)) where name = 'bm25.docs'")
    conn.close()
    os.replace(bad, index_path)
    assert read_meta(index_path)["build_id"] != old.info.build_id
    assert live.current() is old


def test_a_missing_file_keeps_the_old_index_serving(live: LiveIndex, index_path: Path) -> None:
    old = live.current()
    index_path.unlink()
    assert live.current() is old


def test_reindex_swaps_and_reports(live: LiveIndex, tmp_path: Path) -> None:
    old = live.current()
    knowledge(tmp_path / "a", "b")
    report = live.reindex()
    assert (report.documents, report.changed, report.added) == (2, ["mycsp"], [])
    assert live.current() is not old
    assert live.current().info.build_id == report.build_id
    assert live.status() == {
        "build_id": report.build_id,
        "built_at": live.current().info.built_at,
        "documents": 2,
        "passages": report.passages,
        "path": str(tmp_path / "index.sqlite3"),
        "reindexing": False,
    }


def test_broken_knowledge_leaves_the_old_index_serving(
    live: LiveIndex, index_path: Path, tmp_path: Path
) -> None:
    old = live.current()
    (tmp_path / "a" / "guidance" / "bad.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        live.reindex()
    assert [(p.file, p.line) for p in raised.value.problems] == [("guidance/bad.md", 1)]
    assert live.current() is old
    assert read_meta(index_path)["build_id"] == old.info.build_id
    assert live.status()["reindexing"] is False


def test_a_second_reindex_while_one_runs_is_refused_at_once(
    live: LiveIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_build(knowledge_dir: Path, index_path: Path) -> BuildReport:
        started.set()
        release.wait(5)
        return build_index(knowledge_dir, index_path)

    monkeypatch.setattr(live_module, "build_index", slow_build)
    reports: list[BuildReport] = []
    first = threading.Thread(target=lambda: reports.append(live.reindex()))
    first.start()
    try:
        assert started.wait(5)
        assert live.status()["reindexing"] is True
        began = time.monotonic()
        with pytest.raises(ReindexRunning):
            live.reindex()
        assert time.monotonic() - began < 0.5
    finally:
        release.set()
        first.join(5)
    assert len(reports) == 1
    monkeypatch.setattr(live_module, "build_index", build_index)
    assert live.reindex().build_id == live.current().info.build_id  # free again


def test_open_builds_a_missing_index(tmp_path: Path) -> None:
    path = tmp_path / "new" / "index.sqlite3"
    with pytest.raises(IndexUnavailable):
        LiveIndex(path, knowledge(tmp_path / "a", "a"))
    live = LiveIndex.open(path, tmp_path / "a")
    assert live.status()["passages"] == read_meta_passages(path)


def test_hot_swap_under_load(tmp_path: Path) -> None:
    """Four threads ask while the index is swapped six times: each answer is one version's."""
    expected = {name: expected_answers(tmp_path / f"x-{name}", name) for name in VERSIONS}
    assert all(expected["a"][q] != expected["b"][q] for q in QUESTIONS[:2])
    sources = {name: knowledge(tmp_path / f"other-{name}", name) for name in VERSIONS}
    index_path = tmp_path / "index.sqlite3"
    first = build_index(knowledge(tmp_path / "k", "a"), index_path)
    live = LiveIndex(index_path, tmp_path / "k", check_interval=0)
    answered: list[tuple[str, str, tuple[object, ...]]] = []  # (build id, question, answer)
    errors: list[str] = []
    stop = threading.Event()

    def ask_continuously() -> None:
        deadline = time.monotonic() + 30  # a bound in case the main thread never stops us
        i = 0
        while not stop.is_set() and time.monotonic() < deadline:
            i += 1
            question = QUESTIONS[i % len(QUESTIONS)]
            try:
                index = live.current()  # one index for the whole question
                got = signature(answer_question(index, question))
            except Exception as exc:  # any failure at all is what this test looks for
                errors.append(repr(exc))
                continue
            answered.append((index.info.build_id, question, got))
            # Questions come in over the network, not in a tight loop; without a pause, four
            # CPU-bound threads starve the build's thread of the GIL after each I/O call.
            time.sleep(0.001)

    workers = [threading.Thread(target=ask_continuously) for _ in range(4)]
    for worker in workers:
        worker.start()
    builds = {first.build_id: "a"}
    try:
        for swap in range(6):
            version = "b" if swap % 2 == 0 else "a"
            if swap % 3 == 2:  # another process rebuilds the file; the next question notices
                report = build_index(sources[version], index_path)
            else:  # /mutuals reindex after the knowledge was edited
                knowledge(tmp_path / "k", version)
                report = live.reindex()
            builds[report.build_id] = version
            served_new = wait_until(served(answered, report.build_id), seconds=20)
            assert served_new, f"swap {swap} never served"
    finally:
        stop.set()
        for worker in workers:
            worker.join(10)
    assert errors == []
    assert len(builds) == 7
    assert {build_id for build_id, _, _ in answered} == builds.keys()  # every build served
    for build_id, question, got in answered:  # each answer wholly from the build it was given
        assert got == expected[builds[build_id]][question]


def expected_answers(root: Path, version: str) -> dict[str, tuple[object, ...]]:
    """Each question's answer from one version's index, built on its own."""
    build_index(knowledge(root, version), root / "index.sqlite3")
    index = SearchIndex.load(root / "index.sqlite3")
    return {q: signature(answer_question(index, q)) for q in QUESTIONS}


def signature(answer: Answer) -> tuple[object, ...]:
    """What must come from one index: the answer and every passage shown with it."""
    return (
        answer.answered,
        answer.text,
        tuple((h.passage.id, h.passage.text) for h in answer.hits),
    )


def served(
    answered: list[tuple[str, str, tuple[object, ...]]], build_id: str
) -> Callable[[], bool]:
    """Whether a question was answered from build `build_id` yet."""
    return lambda: any(b == build_id for b, _, _ in answered)


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[object]:
    calls: list[object] = []
    original = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def read_meta_passages(path: Path) -> int:
    return int(read_meta(path)["passages"])
