"""A wrong clock cannot wipe the registrations: a purge that would delete more than half of ten
or more registrations, or whose clock is behind the newest row, is refused (logged, nothing
deleted) unless forced; at start-up too; `mutuals purge --help` says it purges registrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from data_fixtures import NOW, valid_input
from sqlite_utils import Database

from bot.cli import main
from bot.data.db import open_data
from bot.data.retention import PurgeRefused, purge
from bot.data.usage import log_question
from bot.registrations.store import list_registrations, save_registration

A_YEAR_AHEAD = NOW + timedelta(days=400)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data.sqlite3"


@pytest.fixture
def db(path: Path) -> Iterator[Database]:
    database = open_data(path)
    for i in range(12):
        save_registration(database, "T1", f"U{i:02d}", valid_input(), NOW - timedelta(days=i))
    yield database
    database.close()


def test_a_clock_a_year_ahead_cannot_purge_the_registrations(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(PurgeRefused):
        purge(db, A_YEAR_AHEAD, 90)
    assert len(list_registrations(db)) == 12
    assert any("purge refused" in r.getMessage() for r in caplog.records)


def test_a_clock_behind_the_newest_row_is_refused(db: Database) -> None:
    log_question(db, "asked now", True, None, 1.0, NOW, "dm")
    with pytest.raises(PurgeRefused, match="behind"):
        purge(db, NOW - timedelta(days=30), 90)


def test_force_purges_anyway(db: Database) -> None:
    assert purge(db, A_YEAR_AHEAD, 90, force=True)["registrations"] == 12
    assert list_registrations(db) == []


def test_an_ordinary_purge_of_a_few_registrations_is_allowed(db: Database) -> None:
    for i in range(3):  # 3 of 15 past retention
        save_registration(db, "T1", f"OLD{i}", valid_input(), NOW - timedelta(days=500))
    assert purge(db, NOW, 90)["registrations"] == 3


def test_the_cli_refuses_and_force_purges(db: Database, path: Path) -> None:
    # The rows date from 2025 (NOW); today's clock is well over a year later.
    runner = CliRunner()
    refused = runner.invoke(main, ["purge", "--data", str(path)])
    assert refused.exit_code == 1 and "purge refused, nothing deleted" in refused.output
    assert len(list_registrations(db)) == 12
    forced = runner.invoke(main, ["purge", "--force", "--data", str(path)])
    assert forced.exit_code == 0, forced.output
    assert "registrations: 12" in forced.output
    help_text = runner.invoke(main, ["purge", "--help"]).output
    assert "registrations" in help_text and "--force" in help_text


def test_start_up_purge_with_a_wrong_clock_keeps_the_registrations_and_serves(
    db: Database, path: Path, shipped_index: object
) -> None:
    from bot.admin.housekeeping import purge_now
    from bot.data.db import DataStore
    from bot.services import Services
    from bot.settings import Settings

    with DataStore(path) as store:
        services = Services(Settings(data_path=path), shipped_index, store,  # type: ignore[arg-type]
                            clock=lambda: A_YEAR_AHEAD)  # fmt: skip
        assert purge_now(services) is None
    assert len(list_registrations(db)) == 12
