"""Retention purges exactly what is past its period; backups are consistent during writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from data_fixtures import NOW, questions_being_logged, valid_input
from sqlite_utils import Database

from bot.data.db import open_data
from bot.data.events import claim_event
from bot.data.retention import REGISTRATION_RETENTION, backup, purge
from bot.data.usage import feedback_since, log_question, questions_since, record_feedback
from bot.registrations.store import list_registrations, save_registration

TICK = timedelta(microseconds=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_data(tmp_path / "data.sqlite3")
    yield database
    database.close()


def test_purge_removes_exactly_what_is_older_than_the_cutoff(db: Database) -> None:
    cutoff = NOW - timedelta(days=90)
    for when, label in [(cutoff - TICK, "old"), (cutoff, "edge"), (NOW, "new")]:
        log_question(db, label, True, None, 1.0, when, "dm")
        record_feedback(db, None, label, True, [], when)
    for when, event in [
        (NOW - timedelta(days=1) - TICK, "Ev-old"),
        (NOW - timedelta(days=1), "Ev-edge"),
    ]:
        claim_event(db, event, when)

    removed = purge(db, NOW, log_retention_days=90)

    assert removed == {"questions": 1, "feedback": 1, "processed_events": 1, "registrations": 0,
                       "enquiries": 0}  # fmt: skip
    assert [q.question for q in questions_since(db, cutoff - timedelta(days=1))] == ["edge", "new"]
    assert [f.question for f in feedback_since(db, cutoff - timedelta(days=1))] == ["edge", "new"]
    assert claim_event(db, "Ev-old", NOW) is True
    assert claim_event(db, "Ev-edge", NOW) is False
    assert set(purge(db, NOW, 90).values()) == {0}


def test_registrations_are_kept_twelve_months_after_their_last_update(db: Database) -> None:
    cutoff = NOW - REGISTRATION_RETENTION
    save_registration(db, "T1", "U-old", valid_input(), cutoff - TICK)
    save_registration(db, "T1", "U-edge", valid_input(), cutoff)
    save_registration(db, "T1", "U-updated", valid_input(), NOW - timedelta(days=900))
    save_registration(db, "T1", "U-updated", valid_input(), NOW - timedelta(days=10))
    assert purge(db, NOW, 1)["registrations"] == 1
    assert sorted(r.user_id for r in list_registrations(db)) == ["U-edge", "U-updated"]


def test_purged_question_ids_are_never_reused(db: Database) -> None:
    old = log_question(db, "q", True, None, 1.0, NOW - timedelta(days=100), "dm")
    purge(db, NOW, 90)
    assert log_question(db, "q", True, None, 1.0, NOW, "dm") > old


def test_negative_retention_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        purge(db, NOW, -1)


def test_backup_during_writes_has_every_row_committed_before_it(tmp_path: Path) -> None:
    source = tmp_path / "data.sqlite3"
    with questions_being_logged(source) as committed:
        before = list(committed)
        dest = backup(source, tmp_path / "backup.sqlite3")

    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in copy.execute("SELECT id FROM questions")}
    finally:
        copy.close()
    assert set(before) <= ids
    assert not (tmp_path / "backup.sqlite3.partial").exists()


def test_backup_replaces_an_older_backup(tmp_path: Path) -> None:
    source, dest = tmp_path / "data.sqlite3", tmp_path / "backup.sqlite3"
    dest.write_bytes(b"not a database")
    with open_data(source) as db:
        claim_event(db, "Ev1", NOW)
    backup(source, dest)
    with open_data(dest) as copy:
        assert claim_event(copy, "Ev1", NOW) is False
