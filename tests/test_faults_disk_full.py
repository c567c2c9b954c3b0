"""A full disk (SQLite: "database or disk is full") on every Slack surface: a polite "try
again", never a 500, a 404 or silence; a question is still answered; nothing stored is lost.

The fault is injected, not a real full file system: every connection the data store opens
refuses writes (BEGIN IMMEDIATE, INSERT, UPDATE, DELETE) the way SQLite does on SQLITE_FULL,
while reads work, as they do on a full disk.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from data_fixtures import NOW, valid_input
from fakeslack import RESPONSE
from registration_payloads import submission_body
from slack_harness import Slack
from slack_requests import ASKER, FORM, TEAM_ID, action_body, message
from sqlite_utils import Database

from bot.answers import blocks
from bot.answers.service import ask
from bot.data import db as db_module
from bot.data.db import DataBusy, DataWriteFailed, busy_guard
from bot.registrations.store import get_registration, list_registrations, save_registration
from bot.registrations.views import BUSY_ERROR
from bot.registrations.views import block_id as form_block
from bot.slack import ids

pytest_plugins = ["slack_fixtures"]

_WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE", "REPLACE")


class FullDisk:
    """A sqlite3 connection whose writes fail as on a full disk; everything else passes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(_WRITES):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.fixture
def full(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Slack]:
    """The harness, with one registration stored before the disk filled up."""
    save_registration(slack.services.data, TEAM_ID, ASKER, valid_input(), NOW)
    real_open = db_module.open_data

    def open_full(path: Any, busy_timeout_ms: int = db_module.DEFAULT_BUSY_TIMEOUT_MS) -> Database:
        opened = real_open(path, busy_timeout_ms)
        return Database(FullDisk(opened.conn), execute_plugins=False)  # type: ignore[arg-type]

    slack.services.data.close()  # every thread reopens through the full disk
    monkeypatch.setattr(db_module, "open_data", open_full)
    yield slack
    monkeypatch.undo()
    slack.services.data.close()
    # space freed: what was stored before is all there, and the file is sound
    (kept,) = list_registrations(slack.services.data)
    assert kept.user_id == ASKER and kept.organisation == valid_input().organisation
    integrity = slack.services.data.db.conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"


def _click(slack: Slack, action_id: str, value: str = "", **kwargs: Any) -> None:
    body = action_body(action_id, value, slack.fake.response_url("act"), **kwargs)
    assert slack.dispatch(body, content_type=FORM).status == 200


def test_sqlite_errors_other_than_locks_are_data_busy_to_callers() -> None:
    with pytest.raises(DataWriteFailed) as raised, busy_guard():
        raise sqlite3.OperationalError("database or disk is full")
    assert isinstance(raised.value, DataBusy)  # every "try again" handler catches it


def test_a_registration_submitted_to_a_full_disk_says_try_again(full: Slack) -> None:
    response = full.dispatch(submission_body(organisation="Changed Ltd"), FORM)
    assert response.status == 200
    assert json.loads(response.body) == {
        "response_action": "errors",
        "errors": {form_block("organisation"): BUSY_ERROR},
    }
    stored = get_registration(full.services.data, TEAM_ID, ASKER)
    assert stored is not None and stored.organisation != "Changed Ltd"


def test_a_slash_question_is_answered_though_its_log_line_cannot_be_written(full: Slack) -> None:
    assert full.command("Who owns MyCSP?").status == 200
    (reply,) = full.fake.wait_for(RESPONSE)
    assert "private partner" in reply.params["text"]


def test_a_dm_to_a_full_disk_gets_a_try_again_reply(full: Slack) -> None:
    full.event(message("Who owns MyCSP?"))
    (post,) = full.fake.wait_for("chat.postMessage")
    assert "try again" in post.params["text"]


def test_helpful_on_a_full_disk_says_try_again(full: Slack) -> None:
    full.services.data.close()
    asked = ask(full.services, "Who owns MyCSP?", "dm")
    posted = {"type": "message", "ts": "1700000700.000100",
              **blocks.answer_message(asked.answer, asked.question_id)}  # fmt: skip
    block = next(b for b in posted["blocks"] if b.get("block_id") == ids.FEEDBACK_BLOCK)
    thumbs = block["elements"][0]  # Slack's feedback buttons: the value names the verdict
    _click(full, ids.FEEDBACK, str(thumbs["positive_button"]["value"]), message=posted)
    (reply,) = full.fake.wait_for(RESPONSE)
    assert "try again" in reply.params["text"]


def test_withdraw_on_a_full_disk_says_try_again_and_keeps_the_row(full: Slack) -> None:
    _click(full, ids.WITHDRAW_CONFIRM)
    (reply,) = full.fake.wait_for(RESPONSE)
    assert "try again" in reply.params["text"]
    assert get_registration(full.services.data, TEAM_ID, ASKER) is not None
