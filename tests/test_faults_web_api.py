"""Slack's Web API failing (429 with Retry-After, 500, a dropped connection): each answer is
retried or its failure logged with ids only, nothing is posted twice, and the app keeps serving.

Already covered elsewhere: one 500 or dropped connection then success posts once
(test_slack_client.py::test_one_failure_then_success_posts_once), one 429 then success through the
app (test_slack_client.py::test_rate_limited_answer_is_posted_once), and 500s beyond the retries
logged with ids (test_slack_events.py::test_web_api_failure_is_logged_with_ids_only).
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from fakeslack import RESPONSE
from slack_harness import Served, Slack
from slack_requests import FORM, command_body, mention, message, sign

pytest_plugins = ["slack_fixtures"]

QUESTION = "Who owns MyCSP?"
SECRET_WORDS = "marmalade-teapot-7"  # in every question: must never reach the log
# Attempts web_client() makes before giving up: RateLimitErrorRetryHandler(2),
# ConnectionErrorRetryHandler(2), ServerErrorRetryHandler(1).
ATTEMPTS = {"429": 3, "close": 3, "500": 2}


@pytest.mark.parametrize("mode", ["429", "close"])
def test_post_failing_beyond_the_retries_is_logged_and_the_next_message_answered(
    slack: Slack, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    slack.fake.fail_next(mode, times=ATTEMPTS[mode], methods=("chat.postMessage",))
    slack.event(message(f"{QUESTION} {SECRET_WORDS}"), event_id="Ev0GIVEUP01")
    slack.fake.wait_failed(ATTEMPTS[mode], timeout=15)
    slack.fake.settle()
    assert slack.fake.of("chat.postMessage") == []
    assert "chat.postMessage failed" in caplog.text and "Ev0GIVEUP01" in caplog.text
    assert SECRET_WORDS not in caplog.text and "xoxb-" not in caplog.text

    slack.event(message(QUESTION, ts="1700000900.000100"))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert "private partner" in post.params["text"]


@pytest.mark.parametrize("mode", ["500", "close"])  # 429: test_rate_limited_answer_is_...
def test_one_failure_of_a_thread_reply_is_retried_and_posted_once(slack: Slack, mode: str) -> None:
    slack.fake.fail_next(mode, methods=("chat.postMessage",))
    slack.event(mention(QUESTION, ts="1700001000.000100"))
    slack.fake.wait_for("chat.postMessage", timeout=15)
    slack.fake.settle()
    assert slack.fake.failed == [("chat.postMessage", mode)]
    (post,) = slack.fake.of("chat.postMessage")
    assert post.params["thread_ts"] == "1700001000.000100"


def test_thread_context_lookup_failing_still_answers(slack: Slack) -> None:
    slack.fake.fail_next("500", times=2, methods=("conversations.replies",))
    slack.event(mention("and the shares?", ts="1700000300.000100", thread_ts="1700000200.000100"))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000200.000100"
    assert slack.fake.failed == [("conversations.replies", "500")] * 2


@pytest.mark.parametrize("mode", ["429", "500"])
def test_slash_answer_lost_at_the_response_url_is_logged_with_ids_only(
    slack: Slack, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    # Bolt's respond() has no retry for 429 or 500 on a response_url: the loss is logged.
    slack.fake.fail_next(mode, methods=(RESPONSE,))
    assert slack.command(f"{QUESTION} {SECRET_WORDS}").status == 200
    slack.fake.wait_failed(1)
    slack.fake.settle()
    assert slack.fake.of(RESPONSE) == []
    assert f"respond failed: HTTP {mode}" in caplog.text and "type=/mutuals" in caplog.text
    assert SECRET_WORDS not in caplog.text

    slack.command(QUESTION, response_name="next")
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert reply.path == "/response/next"


def test_slash_answer_survives_a_dropped_connection_once(slack: Slack) -> None:
    slack.fake.fail_next("close", methods=(RESPONSE,))
    slack.command(QUESTION)
    slack.fake.wait_for(RESPONSE)
    slack.fake.settle()
    assert slack.fake.failed == [(RESPONSE, "close")]
    assert len(slack.fake.of(RESPONSE)) == 1


def test_app_home_publish_failing_is_logged(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    slack.fake.fail_next("500", times=2, methods=("views.publish",))
    home = {"type": "app_home_opened", "user": "U0ASKER1", "tab": "home", "event_ts": "1.0"}
    slack.event(home, event_id="Ev0HOMEFAIL")
    slack.fake.wait_failed(2)
    slack.fake.settle()
    assert "views.publish failed" in caplog.text and "Ev0HOMEFAIL" in caplog.text


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status), time.perf_counter() - started


def test_requests_are_acked_and_answered_while_a_rate_limited_post_waits(
    slack: Slack, served: Served
) -> None:
    # The first answer is rate limited three times (Retry-After: 1 s each) and finally dropped;
    # meanwhile the server must keep acking and answering everyone else.
    slack.fake.fail_next("429", times=ATTEMPTS["429"], methods=("chat.postMessage",))
    from slack_requests import event_body  # local: only this test needs the raw envelope

    first = event_body(message(QUESTION, ts="1700001100.000100"))
    status, _ = _post(served.url + "/slack/events", first, sign(first))
    assert status == 200
    slack.fake.wait_failed(1)

    started = time.monotonic()
    for n in range(3):
        body = command_body(QUESTION, slack.fake.response_url(f"other{n}"))
        status, took = _post(served.url + "/slack/events", body, sign(body, content_type=FORM))
        assert status == 200 and took < 1.0
    replies = slack.fake.wait_for(RESPONSE, count=3)
    assert time.monotonic() - started < 1.5, "answers waited for the rate-limited post"
    assert sorted(r.path for r in replies) == [f"/response/other{n}" for n in range(3)]

    slack.fake.wait_failed(ATTEMPTS["429"], timeout=15)
    slack.fake.settle(quiet=0.5)
    assert slack.fake.of("chat.postMessage") == []  # given up: no late duplicate either
