"""An exception in a listener just after `ack()` is a 200 and one logged error, never Bolt's
404 ("didn't call ack()") or a 500; bodies Bolt cannot route are a 400.

Bolt resets its recorded ack when a listener raises after acking, so without bot.slack.safety
the request thread usually finds no ack and answers 404: each case is sent several times.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from slack_harness import Slack
from slack_requests import FORM, action_body, command_body

from bot.registrations import listeners as registration_listeners
from bot.slack import ids

pytest_plugins = ["slack_fixtures"]

TRIES = 6


def _payload(slack: Slack, action_id: str = ids.WITHDRAW_CONFIRM) -> dict[str, Any]:
    body = action_body(action_id, "", slack.fake.response_url("act"))
    return dict(json.loads(parse_qs(body)["payload"][0]))


def _send(slack: Slack, body: str, caplog: pytest.LogCaptureFixture) -> int:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status = slack.dispatch(body, content_type=FORM).status
    assert not [r for r in caplog.records if "ack()" in r.getMessage()]
    return status


def _failure_logged(caplog: pytest.LogCaptureFixture) -> str:
    """The "listener failed" line, once the listener thread has logged it."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [r.getMessage() for r in caplog.records if "listener failed" in r.getMessage()]
        if found:
            assert len(found) == 1
            return found[0]
        time.sleep(0.01)
    raise AssertionError("no listener failure logged")


def _form(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def test_an_exception_after_ack_is_a_200_and_a_logged_error(
    slack: Slack, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registration_listeners, "withdraw", broken)
    for _ in range(TRIES):
        assert _send(slack, _form(_payload(slack)), caplog) == 200
        failed = _failure_logged(caplog)
        assert "RuntimeError" in failed and "disk on fire" not in failed


@pytest.mark.parametrize("url", ["http://[not-a-url", "http://exa mple.org/\x00"])
def test_a_response_url_that_is_not_a_url_is_a_200(
    slack: Slack, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    for _ in range(TRIES):
        assert _send(slack, command_body("Who owns MyCSP?", url), caplog) == 200


@pytest.mark.parametrize("user_id", ["U\ud800BAD", "U\x00NUL", "U\udfff"])
def test_user_ids_with_nul_or_lone_surrogates_are_a_200(
    slack: Slack, caplog: pytest.LogCaptureFixture, user_id: str
) -> None:
    for action_id in (ids.WITHDRAW_CONFIRM, ids.OPEN_REGISTRATION, ids.ADMIN_EXPORT):
        payload = _payload(slack, action_id)
        payload["user"] = {**payload["user"], "id": user_id}
        for _ in range(TRIES // 2):
            assert _send(slack, _form(payload), caplog) == 200


def test_a_team_that_is_a_string_is_a_200_and_logged_with_its_id(
    slack: Slack, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = {**_payload(slack), "team": "T0000001"}

    def broken(*args: Any) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(registration_listeners, "withdraw", broken)
    for _ in range(TRIES):
        assert _send(slack, _form(payload), caplog) == 200
        assert "team=T0000001" in _failure_logged(caplog)


@pytest.mark.parametrize("actions", [[{}], [{"type": "button", "value": "1"}],
                                     [{"action_id": 7}]])  # fmt: skip
def test_an_action_without_an_action_id_is_a_400(
    slack: Slack, caplog: pytest.LogCaptureFixture, actions: list[dict[str, Any]]
) -> None:
    assert _send(slack, _form({**_payload(slack), "actions": actions}), caplog) == 400
