"""The question log and answer feedback, kept without any user identity."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.data.db import Data, as_database, busy_guard, from_iso, iso, write_one

# The log serves gap analysis; a pasted essay adds nothing to it, so it is cut to this length.
MAX_LOGGED_CHARS = 2000

_LOG_QUESTION = """
INSERT INTO questions (asked_at, question, answered, top_passage_id, took_ms, source)
VALUES (?, ?, ?, ?, ?, ?)
"""
_RECORD_FEEDBACK = """
INSERT INTO feedback (question_id, question, helpful, passage_ids, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (question_id) DO NOTHING
"""
_QUESTIONS_SINCE = "SELECT * FROM questions WHERE asked_at >= ? ORDER BY asked_at, id"
_FEEDBACK_SINCE = "SELECT * FROM feedback WHERE created_at >= ? ORDER BY created_at, id"


@dataclass(frozen=True)
class LoggedQuestion:
    """A question someone asked, and how it went."""

    id: int
    asked_at: datetime
    question: str
    answered: bool
    top_passage_id: str | None
    took_ms: float
    source: str


@dataclass(frozen=True)
class Feedback:
    """A Helpful / Not helpful verdict on an answer."""

    id: int
    question_id: int | None
    question: str
    helpful: bool
    passage_ids: tuple[str, ...]
    created_at: datetime


def _storable(question: str) -> str:
    """The question as logged: cut to length; a lone surrogate (UTF-8 has none) becomes "?"."""
    return question[:MAX_LOGGED_CHARS].encode("utf-8", "replace").decode("utf-8")


def log_question(
    data: Data,
    question: str,
    answered: bool,
    top_passage_id: str | None,
    took_ms: float,
    now: datetime,
    source: str,
) -> int:
    """Log a question asked (no user identity); its id, for feedback buttons to refer to."""
    params = [iso(now), _storable(question), int(answered), top_passage_id, took_ms, source]
    db = as_database(data)
    question_id = write_one(db, _LOG_QUESTION, params).lastrowid
    assert question_id is not None
    return question_id


def record_feedback(
    data: Data,
    question_id: int | None,
    question: str,
    helpful: bool,
    passage_ids: list[str],
    now: datetime,
) -> bool:
    """Store feedback on an answer; False if that question already has feedback."""
    shown = json.dumps(list(passage_ids))
    params = [question_id, _storable(question), int(helpful), shown, iso(now)]
    db = as_database(data)
    inserted = write_one(db, _RECORD_FEEDBACK, params).rowcount
    return inserted == 1


def questions_since(data: Data, since: datetime) -> list[LoggedQuestion]:
    """Questions asked at or after `since`, oldest first."""
    rows = _rows(data, _QUESTIONS_SINCE, since)
    return [
        LoggedQuestion(
            **{**row, "asked_at": from_iso(row["asked_at"]), "answered": bool(row["answered"])}
        )
        for row in rows
    ]


def feedback_since(data: Data, since: datetime) -> list[Feedback]:
    """Feedback given at or after `since`, oldest first."""
    return [_feedback(row) for row in _rows(data, _FEEDBACK_SINCE, since)]


def _feedback(row: dict[str, Any]) -> Feedback:
    return Feedback(
        id=row["id"],
        question_id=row["question_id"],
        question=row["question"],
        helpful=bool(row["helpful"]),
        passage_ids=tuple(json.loads(row["passage_ids"])),
        created_at=from_iso(row["created_at"]),
    )


def _rows(data: Data, sql: str, since: datetime) -> list[dict[str, Any]]:
    with busy_guard():
        return list(as_database(data).query(sql, [iso(since)]))
