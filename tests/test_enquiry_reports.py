"""The loop is visible: stats count enquiries and the median time to answer, gaps mark what a
team answer now covers, App Home shows the open count; retention keeps team answers only."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.admin import reports
from bot.admin.blocks import stats_message
from bot.admin.service import IndexStatus
from bot.data.db import DataStore
from bot.data.retention import purge
from bot.data.usage import log_question
from bot.enquiries import store
from bot.enquiries.team_answers import NewTeamAnswer, add_team_answer, list_team_answers
from bot.home.blocks import home_view
from bot.home.service import HomeInfo

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def data(tmp_path: Path) -> Iterator[DataStore]:
    with DataStore(tmp_path / "data.sqlite3") as opened:
        yield opened


def enquiry(data: DataStore, question: str, asked: datetime, status: str = "",
            after: timedelta = timedelta(hours=1)) -> store.Enquiry:  # fmt: skip
    made, _ = store.open_enquiry(data, "T1", "U0ASKER1", question, "", "declined", asked)
    if status:
        store.resolve(data, made.id, status, "U0TEAMER1", "An answer.", asked + after)
    return made


def test_stats_count_enquiries_and_the_median_time_to_answer(data: DataStore) -> None:
    enquiry(data, "one", NOW - timedelta(days=2), store.ANSWERED, timedelta(hours=1))
    enquiry(data, "two", NOW - timedelta(days=2), store.ANSWERED, timedelta(hours=3))
    enquiry(data, "three", NOW - timedelta(days=1), store.CLOSED)
    enquiry(data, "four", NOW - timedelta(hours=1))
    enquiry(data, "old", NOW - timedelta(days=60), store.ANSWERED)  # outside the period
    stats = reports.usage_stats(data, NOW, days=30)
    assert (stats.enquiries_opened, stats.enquiries_answered, stats.enquiries_closed) == (4, 2, 1)
    assert stats.median_hours_to_answer == 2.0
    table = reports.format_stats(stats)
    assert "enquiries opened" in table and "2.0 hours" in table
    shown = json.dumps(stats_message(stats)["blocks"])
    assert "Median time to answer" in shown and "2 answered, 1 closed" in shown
    assert all(len(b.get("fields", [])) <= 10 for b in stats_message(stats)["blocks"])


def test_no_answered_enquiry_says_so(data: DataStore) -> None:
    assert reports.format_stats(reports.usage_stats(data, NOW)).count("none answered") == 1


def test_gaps_mark_what_a_team_answer_now_covers(data: DataStore) -> None:
    for question in ("Can a mutual bid for Shared Prosperity Fund money?",
                     "How do I file my expenses?"):  # fmt: skip
        log_question(data, question, False, None, 1.0, NOW - timedelta(days=1), "dm")
    team = NewTeamAnswer("Can mutuals bid for Shared Prosperity Fund money?", "Yes, they can.",
                         "", "", dt.date(2026, 3, 9), "U0TEAMER1")  # fmt: skip
    add_team_answer(data, team, NOW)
    groups = {g.wording: g.covered for g in reports.knowledge_gaps(data, NOW)}
    assert groups == {
        "Can a mutual bid for Shared Prosperity Fund money?": True,
        "How do I file my expenses?": False,
    }
    assert "team answer" in reports.format_gaps(reports.knowledge_gaps(data, NOW), 30)


def test_retention_purges_resolved_enquiries_and_keeps_team_answers(data: DataStore) -> None:
    old = enquiry(data, "old and answered", NOW - timedelta(days=100))
    store.resolve(data, old.id, store.ANSWERED, "U0TEAMER1", "Yes.", NOW - timedelta(days=99),
                  NewTeamAnswer("old and answered", "Yes.", "", "", dt.date(2025, 12, 1),
                                "U0TEAMER1", old.id))  # fmt: skip
    waiting = enquiry(data, "old but open", NOW - timedelta(days=100))
    recent = enquiry(data, "recent", NOW - timedelta(days=5), store.CLOSED)
    removed = purge(data, NOW, log_retention_days=90)
    assert removed["enquiries"] == 1
    assert store.get_enquiry(data, old.id) is None
    assert store.get_enquiry(data, waiting.id) is not None  # still waiting for the team
    assert store.get_enquiry(data, recent.id) is not None
    (kept,) = list_team_answers(data)
    assert kept.question == "old and answered"


def test_app_home_admin_panel_shows_the_open_count() -> None:
    status = IndexStatus("2026-03-01T10:00:00+00:00", 5, 9, "b1", False, True)
    view = home_view(HomeInfo("2026-03-01", 5, 9, status, 3))
    shown = json.dumps(view["blocks"])
    assert "Open enquiries to the mutuals team*: 3" in shown
    assert '"admin_enquiries"' in shown and '"admin_team_answers"' in shown
    assert "Open enquiries" not in json.dumps(home_view(HomeInfo("2026-03-01", 5, 9))["blocks"])
