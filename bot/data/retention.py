"""Keeping personal data no longer than needed, and consistent copies of the data file."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from bot.data.db import (
    DEFAULT_BUSY_TIMEOUT_MS,
    Data,
    as_database,
    busy_guard,
    checkpoint,
    iso,
    write,
)

log = logging.getLogger(__name__)

EVENT_RETENTION = timedelta(days=1)
REGISTRATION_RETENTION_MONTHS = 12  # after a registration's last update
REGISTRATION_RETENTION = timedelta(days=365)

_PURGES = {
    "questions": ("DELETE FROM questions WHERE asked_at < ?", "log"),
    "feedback": ("DELETE FROM feedback WHERE created_at < ?", "log"),
    "processed_events": ("DELETE FROM processed_events WHERE claimed_at < ?", "events"),
    "registrations": ("DELETE FROM registrations WHERE updated_at < ?", "registrations"),
    # Answered or closed enquiries go after the log's retention; open ones wait for the team.
    # The team answers stay: they hold nothing of the asker.
    "enquiries": (
        "DELETE FROM enquiries WHERE status != 'open' AND resolved_at < ?",
        "log",
    ),
}


# A purge may delete at most this share of the registrations at once (when there are at least
# GUARDED_MIN_ROWS): more means the clock is probably wrong, not that they all expired.
GUARDED_SHARE = 0.5
GUARDED_MIN_ROWS = 10
_NEWEST = {
    "questions": "SELECT max(asked_at) FROM questions",
    "feedback": "SELECT max(created_at) FROM feedback",
    "processed_events": "SELECT max(claimed_at) FROM processed_events",
    "registrations": "SELECT max(updated_at) FROM registrations",
    "enquiries": "SELECT max(created_at) FROM enquiries",
}
_REGISTRATIONS_OLDER = "SELECT count(*) FROM registrations WHERE updated_at < ?"
_REGISTRATIONS = "SELECT count(*) FROM registrations"


class PurgeRefused(Exception):
    """The purge looked like a wrong clock, not retention: nothing was deleted."""


def purge(
    data: Data, now: datetime, log_retention_days: int, force: bool = False
) -> dict[str, int]:
    """Delete log and feedback rows older than the retention period, enquiries answered or
    closed longer ago than that, event ids older than a day, and registrations not updated for
    twelve months.

    Unless `force`, refuses (PurgeRefused, logged, nothing deleted) when `now` is behind the
    newest row, or when it would delete more than half of ten or more registrations.
    """
    if log_retention_days < 0:
        raise ValueError("log_retention_days must not be negative")
    cutoffs = {
        "log": iso(now - timedelta(days=log_retention_days)),
        "events": iso(now - EVENT_RETENTION),
        "registrations": iso(now - REGISTRATION_RETENTION),
    }
    db = as_database(data)
    with write(db):
        problem = None if force else _purge_problem(db, iso(now), cutoffs["registrations"])
        if problem is not None:
            log.error("retention purge refused: %s; nothing deleted (mutuals purge --force "
                      "purges anyway)", problem)  # fmt: skip
            raise PurgeRefused(problem)
        removed = {
            table: db.execute(sql, [cutoffs[kind]]).rowcount
            for table, (sql, kind) in _PURGES.items()
        }
    if any(removed.values()):
        checkpoint(db)
    log.info("purged %s", removed)
    return removed


def _purge_problem(db: Database, now: str, registrations_cutoff: str) -> str | None:
    """Why a purge at `now` looks like a wrong clock, or None."""
    for table, sql in _NEWEST.items():
        newest = db.execute(sql).fetchone()[0]
        if newest is not None and newest > now:
            return f"the clock ({now}) is behind the newest row in {table}"
    total = db.execute(_REGISTRATIONS).fetchone()[0]
    older = db.execute(_REGISTRATIONS_OLDER, [registrations_cutoff]).fetchone()[0]
    if total >= GUARDED_MIN_ROWS and older > total * GUARDED_SHARE:
        return f"it would delete {older} of {total} registrations at once"
    return None


def backup(
    db_path: str | Path, dest_path: str | Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Path:
    """Copy the data file with SQLite's online backup, consistent while the app writes."""
    dest = Path(dest_path)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(str(db_path), str(partial), busy_timeout_ms)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    # Moved into place only when complete, so `dest` is never a half-written copy.
    os.replace(partial, dest)
    log.info("backup written")
    return dest


def _copy(source_path: str, copy_path: str, busy_timeout_ms: int) -> None:
    # Created 0600 before SQLite opens it: the copy holds personal data.
    os.close(os.open(copy_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path, timeout=busy_timeout_ms / 1000)
    try:
        copy = sqlite3.connect(copy_path)
        try:
            with busy_guard():
                source.backup(copy)
            # The pages copied say WAL: a rollback journal makes the copy one file that needs
            # no -wal or -shm beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
            _check_integrity(copy)
        finally:
            copy.close()
    finally:
        source.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(copy_path + suffix).unlink(missing_ok=True)


def _check_integrity(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise RuntimeError(f"backup failed its integrity check: {result}")
