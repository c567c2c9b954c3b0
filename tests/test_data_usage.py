"""The question log and feedback: stored without identity, one verdict per question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from data_fixtures import NOW
from sqlite_utils import Database

from bot.data.db import open_data
from bot.data.usage import (
    MAX_LOGGED_CHARS,
    feedback_since,
    log_question,
    questions_since,
    record_feedback,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_data(tmp_path / "data.sqlite3")
    yield database
    database.close()


def test_questions_are_logged_and_read_back(db: Database) -> None:
    first = log_question(db, "What is a mutual?", True, "mycsp#1", 12.5, NOW, "dm")
    second = log_question(db, "Pension 政府?", False, None, 3.0, NOW + timedelta(1), "slash")
    assert second > first

    logged = questions_since(db, NOW)
    assert [q.id for q in logged] == [first, second]
    assert logged[0].question == "What is a mutual?" and logged[0].answered is True
    assert logged[0].top_passage_id == "mycsp#1" and logged[0].took_ms == 12.5
    assert logged[1].asked_at == NOW + timedelta(1) and logged[1].source == "slash"
    assert logged[1].answered is False and logged[1].top_passage_id is None


def test_questions_since_includes_the_boundary(db: Database) -> None:
    log_question(db, "early", True, None, 1.0, NOW - timedelta(microseconds=1), "cli")
    log_question(db, "on time", True, None, 1.0, NOW, "cli")
    assert [q.question for q in questions_since(db, NOW)] == ["on time"]


def test_a_long_question_is_cut_for_the_log(db: Database) -> None:
    log_question(db, "x" * (MAX_LOGGED_CHARS + 50), True, None, 1.0, NOW, "mention")
    assert len(questions_since(db, NOW)[0].question) == MAX_LOGGED_CHARS


def test_one_feedback_per_question(db: Database) -> None:
    question_id = log_question(db, "What is TUPE?", True, "tupe#1", 5.0, NOW, "dm")
    shown = ["tupe#1", "tupe#2"]
    assert record_feedback(db, question_id, "What is TUPE?", True, shown, NOW) is True
    assert record_feedback(db, question_id, "What is TUPE?", False, shown, NOW) is False

    (stored,) = feedback_since(db, NOW)
    assert stored.question_id == question_id and stored.helpful is True
    assert stored.passage_ids == ("tupe#1", "tupe#2") and stored.created_at == NOW


def test_feedback_without_a_question_id_is_kept(db: Database) -> None:
    assert record_feedback(db, None, "q", False, [], NOW) is True
    assert record_feedback(db, None, "q", False, [], NOW) is True
    assert [f.helpful for f in feedback_since(db, NOW)] == [False, False]


def test_feedback_since_excludes_older(db: Database) -> None:
    record_feedback(db, None, "old", True, [], NOW - timedelta(days=1))
    record_feedback(db, None, "new", True, [], NOW)
    assert [f.question for f in feedback_since(db, NOW)] == ["new"]


@pytest.mark.parametrize("table", ["questions", "feedback"])
def test_no_user_identity_is_stored(db: Database, table: str) -> None:
    columns = set(db.table(table).columns_dict)
    assert not {"user_id", "team_id", "user", "email", "channel_id"} & columns
