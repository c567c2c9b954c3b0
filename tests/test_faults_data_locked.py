"""The data file locked by ANOTHER PROCESS (a child holding `BEGIN IMMEDIATE`): writers wait and
succeed; past the busy timeout they fail cleanly (DataBusy, "try again") and nothing is written.

The same-process cases are in test_data_locked.py and
test_slack_registrations.py::test_a_locked_data_file_asks_to_try_again_and_stores_nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from data_fixtures import NOW, valid_input
from fakeslack import FakeSlack
from lock_holder import hold_write_lock
from registration_payloads import submission_body
from slack_harness import Slack, slack_settings
from slack_requests import ASKER, FORM, TEAM_ID, message

from bot.app import build_app
from bot.data.db import DataBusy, DataStore, open_data
from bot.registrations.store import get_registration, list_registrations, save_registration
from bot.registrations.views import BUSY_ERROR
from bot.registrations.views import block_id as form_block
from bot.services import Services
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    open_data(path).close()
    return path


def _integrity(path: Path) -> str:
    with open_data(path) as db:
        return str(db.conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_registration_waits_two_seconds_for_another_process_then_is_saved(path: Path) -> None:
    store = DataStore(path)  # the server's default busy timeout (10 s)
    try:
        with hold_write_lock(path, seconds=2.0) as holder:
            started = time.monotonic()
            saved, created, _ = save_registration(store, "T1", "U1", valid_input(), NOW)
            waited = time.monotonic() - started
            assert holder.stdout is not None and holder.stdout.readline().strip() == "released"
        assert created and 1.5 <= waited < 8
        assert get_registration(store, "T1", "U1") == saved
    finally:
        store.close()
    assert _integrity(path) == "ok"


def test_locked_beyond_the_busy_timeout_is_data_busy_and_nothing_is_written(path: Path) -> None:
    store = DataStore(path, busy_timeout_ms=300)
    try:
        with hold_write_lock(path, seconds=30.0):
            started = time.monotonic()
            with pytest.raises(DataBusy):
                save_registration(store, "T1", "U1", valid_input(), NOW)
            assert 0.25 <= time.monotonic() - started < 3
            assert not store.db.conn.in_transaction
        # the holder is gone (killed): nothing of the refused write was kept, or appears later
        assert list_registrations(store) == []
        save_registration(store, "T1", "U1", valid_input(), NOW)  # the same store works again
        assert [r.user_id for r in list_registrations(store)] == ["U1"]
    finally:
        store.close()
    assert _integrity(path) == "ok"


@pytest.fixture
def slack(
    fake_slack: FakeSlack, tmp_path: Path, slack_index_path: Path, slack_index: SearchIndex
) -> Iterator[Slack]:
    settings = slack_settings(fake_slack, tmp_path, slack_index_path)
    services = Services(settings, slack_index, DataStore(settings.data_path))
    yield Slack(fake_slack, settings, services, build_app(settings, services))
    services.data.close()


def _submit(slack: Slack) -> tuple[dict, float]:
    started = time.monotonic()
    response = slack.dispatch(submission_body(), FORM)
    took = time.monotonic() - started
    assert response.status == 200
    return (json.loads(response.body) if response.body else {}), took


def test_the_modal_waits_out_a_short_lock_held_by_another_process(slack: Slack) -> None:
    with hold_write_lock(slack.settings.data_path, seconds=1.0):
        reply, took = _submit(slack)
    assert reply == {} and 0.7 <= took < 3.0  # stored, and the modal closes within Slack's 3 s
    assert get_registration(slack.services.data, TEAM_ID, ASKER) is not None
    slack.fake.wait_for("chat.postMessage")  # the confirmation DM


def test_the_modal_says_try_again_when_another_process_holds_the_lock_too_long(
    slack: Slack,
) -> None:
    with hold_write_lock(slack.settings.data_path, seconds=30.0):
        reply, took = _submit(slack)
    assert took < 3.0
    assert reply == {
        "response_action": "errors",
        "errors": {form_block("organisation"): BUSY_ERROR},
    }
    assert get_registration(slack.services.data, TEAM_ID, ASKER) is None
    assert [c.method for c in slack.fake.settle()] == ["auth.test"]  # no confirmation, no notice
    assert _submit(slack)[0] == {}  # the lock gone, the same form goes through
    assert len(list_registrations(slack.services.data)) == 1


@pytest.fixture
def impatient(slack: Slack) -> Iterator[Slack]:
    """The harness with a 300 ms busy timeout, so "locked too long" comes quickly."""
    slack.services.data.close()
    settings = replace(slack.settings)
    services = Services(settings, slack.services.index, DataStore(settings.data_path, 300))
    yield Slack(slack.fake, settings, services, build_app(settings, services))
    services.data.close()


def test_a_slash_question_is_answered_while_the_question_log_is_locked(impatient: Slack) -> None:
    with hold_write_lock(impatient.settings.data_path, seconds=30.0):
        impatient.command("Who owns MyCSP?")
        (reply,) = impatient.fake.wait_for("response_url")
    assert "private partner" in reply.params["text"]


def test_a_dm_while_the_data_file_is_locked_too_long_gets_a_try_again_reply(
    impatient: Slack,
) -> None:
    with hold_write_lock(impatient.settings.data_path, seconds=30.0):
        impatient.event(message("Who owns MyCSP?"))
        (post,) = impatient.fake.wait_for("chat.postMessage", timeout=3)
    assert "try again" in post.params["text"]
