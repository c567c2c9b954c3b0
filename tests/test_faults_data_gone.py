"""The data file deleted while the app runs (`rm var/data.sqlite3*`): every later write is
refused (DataFileGone, a DataBusy: "try again") with a logged error, never a write that returns
as stored and is lost with the unlinked file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from data_fixtures import NOW, valid_input
from registration_payloads import submission_body
from slack_harness import Slack
from slack_requests import FORM

from bot.data.db import DataBusy, DataFileGone, DataStore
from bot.data.usage import log_question
from bot.registrations.store import list_registrations, save_registration
from bot.registrations.views import BUSY_ERROR
from bot.registrations.views import block_id as form_block

pytest_plugins = ["slack_fixtures"]


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_writes_after_the_file_is_deleted_are_refused_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data.sqlite3"
    with DataStore(path) as store:
        save_registration(store, "T1", "U1", valid_input(), NOW)
        _remove(path)
        with caplog.at_level(logging.ERROR), pytest.raises(DataFileGone) as raised:
            save_registration(store, "T1", "U2", valid_input(), NOW)
        assert isinstance(raised.value, DataBusy)
        with pytest.raises(DataFileGone):
            log_question(store, "Who owns MyCSP?", True, "p1", 1.0, NOW, "dm")
    assert any("deleted or replaced" in r.getMessage() for r in caplog.records)
    assert not path.exists()  # nothing recreated an empty file in its place


def test_a_replaced_data_file_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    with DataStore(path) as store:
        save_registration(store, "T1", "U1", valid_input(), NOW)
        other = tmp_path / "other.sqlite3"
        DataStore(other).close()
        _remove(path)
        other.rename(path)
        with pytest.raises(DataFileGone):
            save_registration(store, "T1", "U2", valid_input(), NOW)
    with DataStore(path) as fresh:
        assert list_registrations(fresh) == []


def test_a_registration_after_the_file_vanished_says_try_again(slack: Slack) -> None:
    assert slack.dispatch(submission_body(), FORM).status == 200  # stored
    _remove(slack.settings.data_path)
    response = slack.dispatch(submission_body(organisation="After the rm"), FORM)
    assert response.status == 200
    assert json.loads(response.body) == {
        "response_action": "errors",
        "errors": {form_block("organisation"): BUSY_ERROR},
    }
