"""No token, secret, message text or personal data in the logs, at any level: a mention, a DM,
a slash command, a registration, a feedback click, an admin export and failing Web API calls,
with LOG_LEVEL=DEBUG, first in this process (caplog at DEBUG on the root logger, so every logger
is captured) and then from the real `mutuals serve` process's stderr.

test_slack_client.py::test_slack_loggers_stay_quiet_at_debug covers a DM;
test_slack_registrations.py::test_logs_hold_ids_not_form_values covers our own loggers on a
registration. Here every logger counts, and so does the process as deployed.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write_knowledge
from fakeslack import RESPONSE, FakeSlack
from registration_payloads import submission_body
from serve_process import free_port, serve_env, serving
from slack_harness import PAGES, Slack, make_slack, slack_settings
from slack_requests import (
    ASKER,
    FORM,
    JSON,
    SIGNING_SECRET,
    action_body,
    command_body,
    event_body,
    mention,
    message,
    sign,
)

from bot.answers import blocks
from bot.answers.service import ask
from bot.server import configure_logging
from bot.slack import ids
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
BOT_TOKEN = "xoxb-4242-secret-bot-token"
# Every one of these reaches the app in some request; none may reach a log line.
PRIVATE = {
    "mention": "Who owns MyCSP? asked-by-mention-okapi",
    "dm": "Who owns MyCSP? asked-in-dm-pangolin",
    "command": "Who owns MyCSP? asked-by-command-axolotl",
    "thread root": "What is MyCSP? thread-root-narwhal",
    "organisation": "Tarsier Borough Council",
    "service": "Tarsier lending library",
    "description": "A description with tarsier-secret-words in it.",
    "email": "tarsier.person@example.gov.uk",
}


def _leaked(text: str) -> list[str]:
    secrets = [BOT_TOKEN, SIGNING_SECRET, *PRIVATE.values()]
    return [s for s in secrets if s in text]


@pytest.fixture
def debug_slack(
    fake_slack: FakeSlack, tmp_path: Path, slack_index_path: Path, slack_index: SearchIndex,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Slack]:  # fmt: skip
    """LOG_LEVEL=DEBUG applied as `serve` applies it, then the app built, as `serve` does."""
    names = ("", "slack_bolt", "slack_sdk", "slack_bolt.MutualsAssistant")
    saved = {name: logging.getLogger(name).level for name in names}
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)  # the root logger: every logger's records are captured
    settings = slack_settings(fake_slack, tmp_path, slack_index_path, bot_token=BOT_TOKEN,
                              admin_users=frozenset({ADMIN}))  # fmt: skip
    harness = make_slack(fake_slack, settings, slack_index)
    yield harness
    harness.services.data.close()
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_nothing_private_is_logged_at_debug(
    debug_slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    slack, fake = debug_slack, debug_slack.fake
    fake.thread_root_text = PRIVATE["thread root"]
    slack.event(mention(PRIVATE["mention"], ts="1700004000.000100"), event_id="Ev0LOGS0001")
    slack.event(mention("and the shares?", ts="1700004001.000100", thread_ts="1.0"))
    fake.wait_for("chat.postMessage", count=2, timeout=20)
    fake.fail_next("500", times=2, methods=("chat.postMessage",))  # a failure path too
    slack.event(message(PRIVATE["dm"], ts="1700004002.000100"), event_id="Ev0LOGS0002")
    fake.wait_failed(2, timeout=20)
    slack.event(message(PRIVATE["dm"], ts="1700004003.000100"))
    body = command_body(PRIVATE["command"], fake.response_url("cmd"))
    assert slack.dispatch(body, content_type=FORM).status == 200
    form = {k: PRIVATE[k] for k in ("organisation", "service", "description", "email")}
    assert slack.dispatch(submission_body(**form), FORM).status == 200
    bad = {**form, "email": "not an email " + PRIVATE["email"]}
    assert slack.dispatch(submission_body(**bad), FORM).status == 200
    asked = ask(slack.services, PRIVATE["dm"], "dm")
    value = blocks.AnswerRef.of(asked.answer, asked.question_id).to_value()
    click = action_body(ids.NOT_HELPFUL, value, fake.response_url("fb"))
    assert slack.dispatch(click, content_type=FORM).status == 200
    export = command_body("export", fake.response_url("export"), user=ADMIN)
    assert slack.dispatch(export, content_type=FORM).status == 200
    fake.wait_for("file_upload", timeout=20)
    # two mentions, the second DM and the registration's confirmation; the first DM failed
    fake.wait_for("chat.postMessage", count=4, timeout=20)
    fake.wait_for(RESPONSE, count=4, timeout=20)  # answer, thanks, redraw, export sent
    fake.settle(quiet=0.5)

    logged = caplog.text + "\n".join(json.dumps(r.args, default=repr) for r in caplog.records)
    assert _leaked(logged) == []
    assert "Ev0LOGS0001" in logged and "Ev0LOGS0002" in logged  # ids are logged
    assert "chat.postMessage failed" in logged
    assert {r.name.split(".")[0] for r in caplog.records} >= {"bot"}


def test_the_serve_process_logs_nothing_private_at_debug(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = replace(
        slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3"), bot_token=BOT_TOKEN
    )
    port = free_port()
    env = serve_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=settings.api_url, MUTUALS_KNOWLEDGE_DIR=str(tmp_path / "knowledge"),
        MUTUALS_INDEX_PATH=str(settings.index_path), MUTUALS_DATA_PATH=str(settings.data_path),
        MUTUALS_ADMIN_USERS=ADMIN, LOG_LEVEL="DEBUG", PORT=str(port),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/slack/events"

    def post(body: str, content_type: str = JSON) -> None:
        headers = sign(body, content_type=content_type)
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    with serving(["--http"], env, tmp_path, port) as child:
        post(event_body(mention(PRIVATE["mention"], ts="1700004100.000100")))
        post(event_body(message(PRIVATE["dm"], ts="1700004101.000100")))
        post(command_body(PRIVATE["command"], fake_slack.response_url("c")), FORM)
        form = {k: PRIVATE[k] for k in ("organisation", "service", "description", "email")}
        post(submission_body(**form), FORM)
        fake_slack.wait_for("chat.postMessage", count=3)  # two answers and a confirmation
        fake_slack.wait_for(RESPONSE)
        fake_slack.settle()
        child.terminate()
        _, stderr = child.communicate(timeout=10)
    assert "DEBUG" in stderr or "INFO" in stderr, stderr[-2000:]
    assert "registration stored" in stderr  # the process did log the work, by ids
    assert _leaked(stderr) == [], stderr[-3000:]
    assert ASKER in stderr or "type=" in stderr
