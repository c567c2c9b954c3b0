"""Open the data file with safe settings, migrate its schema, and run write transactions."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

from sqlite_utils import Database

from bot.data.schema import MIGRATIONS

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 10_000
_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")


class DataBusy(Exception):
    """The data file cannot take this read or write now, and nothing of it was stored: ask the
    person to try again. Raised as itself when another writer held the lock beyond the busy
    timeout; its subclasses say why else."""


class DataWriteFailed(DataBusy):
    """SQLite refused the data file for another reason: full disk, I/O error, read-only."""


class DataFileGone(DataBusy):
    """The data file was deleted or replaced while open: a write would go to a file nobody
    will read again, so none is made (fail closed) until the app is restarted."""


class DataFileError(RuntimeError):
    """The data file cannot be used: not SQLite, corrupt, or written by newer code."""


def open_data(path: str | Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Database:
    """Open the data file (WAL, synchronous=FULL, secure_delete) and bring its schema up to date."""
    if busy_timeout_ms < 0:
        raise ValueError("busy_timeout_ms must not be negative")
    make_private(Path(path))
    # check_same_thread=False only so DataStore.close() can close every thread's connection;
    # each connection is still used by one thread at a time.
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    conn.isolation_level = None  # autocommit: one statement is one transaction (write_one)
    try:
        with busy_guard():
            _configure(conn, busy_timeout_ms)
            db = Database(conn, execute_plugins=False)
            _migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DataFileError(f"{path}: not a usable data file ({exc})") from exc
    except BaseException:
        conn.close()
        raise
    _remember_file(db, Path(path))
    return db


def make_private(path: Path) -> None:
    """The data file (created empty if missing), its -wal and -shm readable by their owner only
    (0600), and a directory created for it 0700, whatever the umask: they hold personal data.
    SQLite gives the -wal and -shm it creates the main file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
        os.chmod(path.parent, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if each.stat().st_mode & 0o077:
                os.chmod(each, 0o600)
        except FileNotFoundError:
            pass


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _remember_file(db: Database, path: Path) -> None:
    # Which file this connection writes to: checked before every write (check_file).
    db._mutuals_file = (path, _identity(path))  # type: ignore[attr-defined]


def check_file(db: Database) -> None:
    """Raise DataFileGone (logged) if the data file this connection opened is no longer at its
    path: deleted (`rm var/data.sqlite3*`) or replaced. SQLite would keep writing to the
    unlinked file, and every such write would be lost."""
    path, identity = getattr(db, "_mutuals_file", (None, None))
    if path is None or identity is None or _identity(path) == identity:
        return
    log.error("data file %s was deleted or replaced while open: writes refused; restore it "
              "(mutuals backup) and restart", path)  # fmt: skip
    raise DataFileGone("the data file is gone; try again later")


def _configure(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    # PRAGMA values cannot be bound as parameters; busy_timeout_ms is an int checked above.
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise DataFileError(f"could not enable WAL on the data file (journal_mode={mode})")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA foreign_keys = ON")


def schema_version(db: Database) -> int:
    """The schema version stored in the data file (`PRAGMA user_version`)."""
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(db: Database) -> None:
    if schema_version(db) == len(MIGRATIONS):
        return
    with write(db):
        # Re-read inside the write lock: another process may have migrated meanwhile.
        current = schema_version(db)
        if current > len(MIGRATIONS):
            raise DataFileError(f"data file schema {current} is newer than this code")
        for script in MIGRATIONS[current:]:
            db.executescript(script)
        db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        log.info("data file migrated from schema %d to %d", current, len(MIGRATIONS))


def is_busy_error(error: BaseException) -> bool:
    """Whether an exception is SQLite reporting a lock it could not get in time."""
    if not isinstance(error, sqlite3.OperationalError):
        return False
    message = str(error).lower()
    return any(text in message for text in _BUSY_MESSAGES)


@contextmanager
def busy_guard() -> Iterator[None]:
    """Turn SQLite's operational errors into DataBusy so callers can ask the user to retry:
    "database is locked" as DataBusy itself, anything else ("database or disk is full", a disk
    I/O error) as DataWriteFailed, logged here (SQLite's message holds no user data)."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if is_busy_error(error):
            raise DataBusy("the data file is busy; try again in a moment") from error
        log.error("data file unusable: %s", error)
        raise DataWriteFailed(f"the data file failed ({error}); try again later") from error


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """Run a block in one transaction that holds the write lock and is committed on exit."""
    check_file(db)
    with busy_guard():
        # IMMEDIATE takes the write lock up front, where the busy timeout applies; a deferred
        # transaction that reads first can fail at once when it later upgrades to write.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            check_file(db)  # again, just before the commit that would make it "stored"
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise


def write_one(db: Database, sql: str, params: Sequence[object]) -> sqlite3.Cursor:
    """Run one INSERT/UPDATE/DELETE as its own transaction, in a single call into SQLite.

    The write lock is taken and released inside that call, with the GIL released: no other
    thread can keep this one from committing while it holds the lock.
    """
    check_file(db)
    with busy_guard():
        return db.conn.execute(sql, params)


def checkpoint(db: Database) -> bool:
    """Copy the WAL into the data file and truncate it; False if readers kept it from finishing."""
    try:
        busy, _, _ = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as error:
        # The write before this is already committed: report it as done, not as DataBusy.
        if not is_busy_error(error):
            log.error("WAL checkpoint failed: %s", error)
        busy = 1
    if busy:
        log.warning("WAL checkpoint could not finish; deleted rows may remain in the WAL")
    return not busy


def iso(moment: datetime) -> str:
    """A timezone-aware datetime as a fixed-width ISO-8601 UTC string (sorts as it compares)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes stored in the data file must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    """Parse a timestamp written by `iso`."""
    return datetime.fromisoformat(text)


class DataStore:
    """The data file's path, handing each thread its own connection.

    `close()` never closes a connection another live thread may be using (SQLite may crash
    the process if a connection is closed under a running statement): it closes the calling
    thread's and those of threads that have ended, and every other thread closes its own on
    its next use, then opens a fresh one.
    """

    def __init__(self, path: str | Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[Database, threading.Thread]] = []
        self._generation = 0
        _ = self.db  # open now, so a bad path or schema fails at start-up

    @property
    def db(self) -> Database:
        """This thread's connection, opened on first use (again after `close`)."""
        db: Database | None = getattr(self._local, "db", None)
        if db is not None and getattr(self._local, "generation", None) != self._generation:
            self._forget(db)
            db.close()
            db = None
        if db is None:
            db = open_data(self.path, self.busy_timeout_ms)
            self._local.db = db
            self._local.generation = self._generation
            with self._lock:
                self._open.append((db, threading.current_thread()))
        return db

    def _forget(self, db: Database) -> None:
        with self._lock:
            self._open = [(d, t) for d, t in self._open if d is not db]

    def close(self) -> None:
        """Close the connections no other live thread holds; the rest close on their next use."""
        me = threading.current_thread()
        with self._lock:
            self._generation += 1
            keep = []
            for db, owner in self._open:
                if owner is me or not owner.is_alive():
                    db.close()
                else:
                    keep.append((db, owner))
            self._open = keep
        self._local.db = None

    def __enter__(self) -> DataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Data: TypeAlias = Database | DataStore


def as_database(data: Data) -> Database:
    """The connection to use: the Database itself, or the calling thread's from a DataStore."""
    return data.db if isinstance(data, DataStore) else data
