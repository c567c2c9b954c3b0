"""Opening the data file: safe settings on each connection, a versioned schema, per-thread use."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.data.db import DataStore, open_data, schema_version
from bot.data.schema import MIGRATIONS


def test_every_connection_gets_the_safe_settings(tmp_path: Path) -> None:
    with open_data(tmp_path / "data.sqlite3", busy_timeout_ms=12_345) as db:
        pragma = {name: db.conn.execute(f"PRAGMA {name}").fetchone()[0]
                  for name in ("journal_mode", "synchronous", "secure_delete", "foreign_keys",
                               "busy_timeout")}  # fmt: skip
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1,
                      "foreign_keys": 1, "busy_timeout": 12_345}  # fmt: skip


def test_the_schema_is_created_once_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    with open_data(path) as db:
        tables = set(db.table_names())
        assert schema_version(db) == len(MIGRATIONS)
    with open_data(path) as db:  # opening again changes nothing
        assert set(db.table_names()) == tables
    assert {"registrations", "questions", "feedback", "processed_events"} <= tables


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        open_data(path)


def test_each_thread_has_its_own_connection(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "data.sqlite3")
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(store.db))
    thread.start()
    thread.join()
    assert store.db is store.db
    assert seen[0] is not store.db
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        seen[0].conn.execute("SELECT 1")  # type: ignore[attr-defined]
    assert store.db.execute("SELECT 1").fetchone() == (1,)  # reopens after close
    store.close()
