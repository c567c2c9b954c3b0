"""The Web API client retries against the fake server; logs hold ids, never text or bodies."""

from __future__ import annotations

import logging

import pytest
from fakeslack import FakeSlack
from slack_harness import Slack
from slack_requests import message

from bot.server import configure_logging
from bot.settings import Settings
from bot.slack.client import web_client

pytest_plugins = ["slack_fixtures"]


@pytest.mark.parametrize("mode", ["500", "close"])  # 429: test_rate_limited_answer_...
def test_one_failure_then_success_posts_once(fake_slack: FakeSlack, mode: str) -> None:
    fake_slack.fail_next(mode, methods=("chat.postMessage",))
    client = web_client(Settings(bot_token="xoxb-test", api_url=fake_slack.api_url))
    response = client.chat_postMessage(channel="C0CHANNEL1", text="hello")
    assert response["ok"]
    assert fake_slack.failed == [("chat.postMessage", mode)]
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_rate_limited_answer_is_posted_once(slack: Slack) -> None:
    slack.fake.fail_next("429", methods=("chat.postMessage",))
    slack.event(message("Who owns MyCSP?"))
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    assert slack.fake.failed == [("chat.postMessage", "429")]
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_slack_loggers_stay_quiet_at_debug(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    old_level = root.level
    try:
        configure_logging("DEBUG")
        caplog.set_level(logging.DEBUG)
        for name in ("slack_bolt", "slack_sdk"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
        secret = "my-private-question-about-MyCSP"
        slack.event(message(f"Who owns MyCSP? {secret}"), event_id="Ev0QUIET001")
        slack.fake.wait_for("chat.postMessage")
        slack.fake.settle()
    finally:
        root.setLevel(old_level)
    assert "Ev0QUIET001" in caplog.text  # our own log lines carry the ids
    assert secret not in caplog.text
    assert "xoxb-" not in caplog.text
    chatty = [r for r in caplog.records if r.name.startswith(("slack_bolt", "slack_sdk"))]
    assert all(r.levelno >= logging.INFO for r in chatty)
