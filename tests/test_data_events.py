"""Processed Slack event ids: each event is claimed once, across threads, processes and restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from data_fixtures import NOW
from sqlite_utils import Database

from bot.data.db import DataStore, open_data
from bot.data.events import claim_event, claim_events


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_data(tmp_path / "data.sqlite3")
    yield database
    database.close()


def test_an_event_is_claimed_once(db: Database) -> None:
    assert claim_event(db, "Ev001", NOW) is True
    assert claim_event(db, "Ev001", NOW) is False
    assert claim_event(db, "Ev002", NOW) is True


def test_a_claim_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    with open_data(path) as db:
        assert claim_event(db, "Ev001", NOW) is True
    with open_data(path) as db:
        assert claim_event(db, "Ev001", NOW) is False


def test_ids_claimed_together_are_claimed_in_one_write(db: Database) -> None:
    assert claim_events(db, ["event:Ev1", "msg:C1:1.0"], NOW) is True
    assert claim_events(db, ["event:Ev1", "msg:C1:1.0"], NOW) is False  # a retry
    # Another delivery of the same message: its new id is claimed, and it is not answered.
    assert claim_events(db, ["event:Ev2", "msg:C1:1.0"], NOW) is False
    assert claim_event(db, "event:Ev2", NOW) is False
    assert claim_events(db, [], NOW) is True
    assert claim_events(db, ["event:Ev3", "event:Ev3"], NOW) is True  # named twice, new once


def test_an_empty_event_id_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        claim_event(db, "", NOW)


def test_exactly_one_of_many_threads_wins(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "data.sqlite3")
    start = threading.Barrier(8)
    results: list[bool] = []

    def claim() -> None:
        db = store.db  # each thread opens its own connection before the race starts
        start.wait()
        results.append(claim_event(db, "EvRace", NOW))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert sorted(results) == [False] * 7 + [True]
