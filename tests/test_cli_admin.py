"""`mutuals report`, `purge` and `backup`: exact output, clean errors, consistent backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from data_fixtures import NOW, questions_being_logged, valid_input

from bot.cli import admin, main
from bot.data.db import open_data
from bot.data.events import claim_event
from bot.data.usage import feedback_since, log_question, questions_since, record_feedback
from bot.registrations.store import save_registration

TICK = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin, "utcnow", lambda: NOW)
    monkeypatch.setenv("MUTUALS_LOG_RETENTION_DAYS", "90")


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    open_data(path).close()
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_purge_prints_counts_and_removes_exactly_what_is_past_the_cutoff(data_path: Path) -> None:
    cutoff = NOW - timedelta(days=90)
    with open_data(data_path) as db:
        for when, label in [(cutoff - TICK, "old"), (cutoff, "edge"), (NOW, "new")]:
            log_question(db, label, True, None, 1.0, when, "dm")
            record_feedback(db, None, label, True, [], when)
        claim_event(db, "Ev-old", NOW - timedelta(days=1) - TICK)
        claim_event(db, "Ev-edge", NOW - timedelta(days=1))

    result = run("purge", "--data", str(data_path))

    assert result.exit_code == 0, result.output
    assert "older than 90 days" in result.output
    assert "  questions: 1\n  feedback: 1\n  processed_events: 1\n" in result.output
    with open_data(data_path) as db:
        assert [q.question for q in questions_since(db, cutoff - timedelta(days=9))] == [
            "edge",
            "new",
        ]
        assert [f.question for f in feedback_since(db, cutoff - timedelta(days=9))] == [
            "edge",
            "new",
        ]
        assert claim_event(db, "Ev-edge", NOW) is False  # still remembered
    again = run("purge", "--data", str(data_path))
    assert "  questions: 0\n  feedback: 0\n  processed_events: 0\n" in again.output


def test_purge_uses_the_retention_setting(data_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUTUALS_LOG_RETENTION_DAYS", "7")
    with open_data(data_path) as db:
        log_question(db, "q", True, None, 1.0, NOW - timedelta(days=8), "dm")
    result = run("purge", "--data", str(data_path))
    assert "older than 7 days" in result.output and "  questions: 1\n" in result.output


def test_report_gaps_prints_a_table_and_writes_csv(data_path: Path, tmp_path: Path) -> None:
    with open_data(data_path) as db:
        for text in ["What is the travel policy?", "what is the travel policy", "Travel policy??"]:
            log_question(db, text, False, None, 1.0, NOW - timedelta(days=1), "dm")
        log_question(db, "=cmd|' /C calc'!A0", False, None, 1.0, NOW, "dm")
        log_question(db, "too old", False, None, 1.0, NOW - timedelta(days=8), "dm")
    out = tmp_path / "gaps.csv"

    result = run("report", "gaps", "--days", "7", "--csv", str(out), "--data", str(data_path))

    assert result.exit_code == 0, result.output
    assert "Knowledge gaps, last 7 days (4 questions)" in result.output
    assert "too old" not in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"question","count","last_asked","declined","not_helpful","from"'
    assert lines[1].startswith('"Travel policy??","3",')
    assert lines[2].startswith("\"'=cmd")
    assert "wrote 2 groups" in result.output


def test_report_stats(data_path: Path) -> None:
    with open_data(data_path) as db:
        for took, ok in [(10.0, True), (20.0, True), (30.0, False)]:
            log_question(db, "q", ok, None, took, NOW, "dm")
        save_registration(db, "T1", "U1", valid_input(), NOW)

    result = run("report", "stats", "--data", str(data_path))

    assert result.exit_code == 0, result.output
    assert "Usage, last 30 days" in result.output
    for expected in ["questions asked", "3", "2 (67%)", "20.0 ms", "30.0 ms"]:
        assert expected in result.output


def test_backup_during_writes_is_consistent_and_complete(data_path: Path, tmp_path: Path) -> None:
    with questions_being_logged(data_path) as committed:
        before = list(committed)
        result = run("backup", str(tmp_path / "copy.sqlite3"), "--data", str(data_path))
        during = len(committed)

    assert result.exit_code == 0, result.output
    assert f"backup written to {tmp_path / 'copy.sqlite3'}" in result.output
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = sorted(row[0] for row in copy.execute("SELECT id FROM questions"))
    finally:
        copy.close()
    assert set(before) <= set(ids)
    assert ids == list(range(1, len(ids) + 1))  # a snapshot: no gaps, nothing half-written
    assert len(before) <= len(ids) <= during + 1
    assert f"  questions: {len(ids)} rows" in result.output
    assert "  registrations: 0 rows" in result.output


def test_backup_into_a_directory_names_the_file(data_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    result = run("backup", str(folder), "--data", str(data_path))
    assert result.exit_code == 0, result.output
    assert (folder / "data-20250301T120000Z.sqlite3").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["purge", "--data", "{tmp}/missing/data.sqlite3"],
        ["report", "gaps", "--data", "{tmp}/missing.sqlite3"],
        ["report", "stats", "--data", "{tmp}/missing.sqlite3"],
        ["backup", "{tmp}/copy.sqlite3", "--data", "{tmp}/missing.sqlite3"],
        ["backup", "{tmp}/no/such/dir/copy.sqlite3", "--data", "{data}"],
        ["backup", "{data}", "--data", "{data}"],
        ["report", "gaps", "--data", "{notdb}"],
    ],
)
def test_bad_paths_give_a_clean_error(args: list[str], data_path: Path, tmp_path: Path) -> None:
    notdb = tmp_path / "notes.txt"
    notdb.write_text("not a database\n" * 100)
    values = {"tmp": str(tmp_path), "data": str(data_path), "notdb": str(notdb)}
    result = run(*[a.format(**values) for a in args])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing.sqlite3").exists()  # a typo does not create a data file


@pytest.fixture
def holder(data_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock, as a busy app might."""
    conn = sqlite3.connect(data_path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


def test_a_locked_data_file_gives_a_clean_error(
    data_path: Path, holder: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "CLI_BUSY_TIMEOUT_MS", 100)
    result = run("purge", "--data", str(data_path))
    assert result.exit_code == 1
    assert "locked by another writer" in result.output
    assert "Traceback" not in result.output
