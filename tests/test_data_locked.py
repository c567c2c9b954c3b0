"""A busy data file: writers wait for the lock, or fail cleanly with DataBusy."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from data_fixtures import NOW, valid_input
from sqlite_utils import Database

from bot.data.db import DataBusy, open_data
from bot.data.events import claim_event
from bot.data.usage import log_question
from bot.registrations.store import (
    delete_registration,
    get_registration,
    list_registrations,
    save_registration,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    open_data(path).close()
    return path


@pytest.fixture
def holder(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection that holds the write lock until it commits."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def test_a_writer_waits_for_the_lock_then_succeeds(path: Path, holder: sqlite3.Connection) -> None:
    db = open_data(path)
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    saved, created, _ = save_registration(db, "T1", "U1", valid_input(), NOW)
    waited = time.monotonic() - started
    release.join()
    assert created and waited >= 0.8
    assert get_registration(db, "T1", "U1") == saved
    db.close()


WRITES: list[Callable[[Database], object]] = [
    lambda db: save_registration(db, "T1", "U1", valid_input(), NOW),
    lambda db: claim_event(db, "Ev1", NOW),
    lambda db: log_question(db, "q", True, None, 1.0, NOW, "dm"),
]


@pytest.mark.parametrize("write", WRITES, ids=["registration", "event", "question"])
def test_a_lock_held_too_long_raises_data_busy(
    path: Path, holder: sqlite3.Connection, write: Callable[[Database], object]
) -> None:
    db = open_data(path, busy_timeout_ms=200)
    started = time.monotonic()
    with pytest.raises(DataBusy):
        write(db)
    assert 0.15 <= time.monotonic() - started < 2
    assert not db.conn.in_transaction
    holder.execute("ROLLBACK")

    assert list_registrations(db) == []
    assert db.table("questions").count == db.table("processed_events").count == 0
    write(db)  # the connection is still usable once the lock is gone
    db.close()


def test_a_delete_still_succeeds_when_a_reader_blocks_the_checkpoint(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = open_data(path, busy_timeout_ms=200)
    save_registration(db, "T1", "U1", valid_input(), NOW)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM registrations").fetchone()
    try:
        assert delete_registration(db, "T1", "U1") is True
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert get_registration(db, "T1", "U1") is None
    assert "checkpoint could not finish" in caplog.text
    db.close()
