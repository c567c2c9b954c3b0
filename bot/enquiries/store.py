"""Enquiries to the mutuals team in the data file: one per person and question, really deletable.

An enquiry is personal data (who asked, their words, when). It moves once from open to answered
or closed; that single guarded UPDATE is what makes an answer reach the asker exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.data.db import Data, as_database, busy_guard, checkpoint, from_iso, iso, write, write_one
from bot.enquiries.team_answers import NewTeamAnswer, insert_team_answer

log = logging.getLogger(__name__)

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"

_INSERT = """
INSERT INTO enquiries (ask_key, team_id, user_id, question, detail, reason, status, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'open', ?)
ON CONFLICT (ask_key) DO NOTHING
"""
_RESOLVE = """
UPDATE enquiries SET status = ?, resolved_at = ?, resolved_by = ?, answer = ?
WHERE id = ? AND status = 'open'
"""
_POSTED = "UPDATE enquiries SET channel = ?, message_ts = ? WHERE id = ?"
_TOLD = "UPDATE enquiries SET told_at = ? WHERE id = ? AND told_at IS NULL"
_BY_ID = "SELECT * FROM enquiries WHERE id = ?"
_BY_KEY = "SELECT * FROM enquiries WHERE ask_key = ?"
_OPEN = "SELECT * FROM enquiries WHERE status = 'open' ORDER BY created_at, id"
_SINCE = "SELECT * FROM enquiries WHERE created_at >= ? ORDER BY created_at, id"
_FORGET = "DELETE FROM enquiries WHERE user_id = ?"
_COUNT_OPEN = "SELECT count(*) FROM enquiries WHERE status = 'open'"


@dataclass(frozen=True)
class Enquiry:
    """A question someone sent to the mutuals team, and what became of it."""

    id: int
    team_id: str
    user_id: str
    question: str
    detail: str
    reason: str  # why the assistant could not help: "declined" or "not helpful"
    status: str
    created_at: datetime
    channel: str  # where the team's message is ("" if it could not be posted)
    message_ts: str
    resolved_at: datetime | None
    resolved_by: str
    answer: str
    told_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


def ask_key(team_id: str, user_id: str, question: str) -> str:
    """The same person asking the same question (case and spacing aside) is one enquiry."""
    said = " ".join(question.casefold().split())
    digest = hashlib.sha256(said.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{team_id}:{user_id}:{digest}"


def _enquiry(row: Mapping[str, Any]) -> Enquiry:
    def moment(name: str) -> datetime | None:
        return from_iso(row[name]) if row[name] else None

    return Enquiry(
        id=row["id"], team_id=row["team_id"], user_id=row["user_id"], question=row["question"],
        detail=row["detail"], reason=row["reason"], status=row["status"],
        created_at=from_iso(row["created_at"]), channel=row["channel"],
        message_ts=row["message_ts"], resolved_at=moment("resolved_at"),
        resolved_by=row["resolved_by"], answer=row["answer"], told_at=moment("told_at"),
    )  # fmt: skip


def _select(data: Data, sql: str, params: list[object]) -> list[Enquiry]:
    with busy_guard():
        return [_enquiry(row) for row in as_database(data).query(sql, params)]


def open_enquiry(
    data: Data, team_id: str, user_id: str, question: str, detail: str, reason: str,
    now: datetime,
) -> tuple[Enquiry, bool]:  # fmt: skip
    """Store an enquiry (committed before return); (it, True) the first time, (the stored one,
    False) when this person already asked this question, however often the form was sent."""
    if not team_id or not user_id or not question:
        raise ValueError("team_id, user_id and question are required")
    key = ask_key(team_id, user_id, question)
    params = [key, team_id, user_id, question, detail, reason, iso(now)]
    created = write_one(as_database(data), _INSERT, params).rowcount == 1
    found = _select(data, _BY_KEY, [key])
    assert found, "an enquiry just inserted or already there"
    return found[0], created


def get_enquiry(data: Data, enquiry_id: int) -> Enquiry | None:
    found = _select(data, _BY_ID, [enquiry_id])
    return found[0] if found else None


def set_posted(data: Data, enquiry_id: int, channel: str, message_ts: str) -> None:
    """Remember where the team's message about this enquiry is, to update it later."""
    write_one(as_database(data), _POSTED, [channel, message_ts, enquiry_id])


def resolve(
    data: Data, enquiry_id: int, status: str, by: str, answer: str, now: datetime,
    team_answer: NewTeamAnswer | None = None,
) -> Enquiry | None:  # fmt: skip
    """Move an open enquiry to answered or closed, with the team answer to keep (if any), in
    one transaction; None if it is not open (answered, closed or gone): nothing changes."""
    if status not in (ANSWERED, CLOSED):
        raise ValueError(f"not a resolved status: {status!r}")
    db = as_database(data)
    with write(db):
        changed = db.execute(_RESOLVE, [status, iso(now), by, answer, enquiry_id]).rowcount
        if changed != 1:
            return None
        if team_answer is not None:
            insert_team_answer(db, team_answer, now)
    log.info("enquiry %d %s", enquiry_id, status)
    return get_enquiry(db, enquiry_id)


def mark_told(data: Data, enquiry_id: int, now: datetime) -> bool:
    """Record that the asker was told the outcome; False if that was recorded before."""
    return write_one(as_database(data), _TOLD, [iso(now), enquiry_id]).rowcount == 1


def open_enquiries(data: Data) -> list[Enquiry]:
    """Every open enquiry, oldest first."""
    return _select(data, _OPEN, [])


def count_open(data: Data) -> int:
    with busy_guard():
        return int(as_database(data).execute(_COUNT_OPEN).fetchone()[0])


def enquiries_since(data: Data, since: datetime) -> list[Enquiry]:
    """Enquiries opened at or after `since`, oldest first."""
    return _select(data, _SINCE, [iso(since)])


def forget_asker(data: Data, user_id: str) -> int:
    """Delete, for real, every enquiry this person made (WAL checkpointed); how many. Team
    answers that came from them stay: they hold nothing of the asker."""
    db = as_database(data)
    with write(db):
        count = db.execute(_FORGET, [user_id]).rowcount
    if count:
        checkpoint(db)
        log.info("enquiries deleted: %d", count)
    return count
