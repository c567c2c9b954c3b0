"""Signed requests only, through the real HTTP server: tampered, future-dated, malformed and
replayed signatures.

Forged (wrong secret), stale (over 5 minutes old) and unsigned requests are refused in
test_slack_http.py::test_bad_signature_is_refused_and_nothing_posted; an event retried by Slack
(X-Slack-Retry-Num) is answered once in test_slack_events.py::test_retry_is_answered_once, also
after a restart (test_retry_after_restart_is_answered_once).

Replays. Slack signs `v0:{timestamp}:{body}` and the app refuses timestamps more than 5 minutes
from now, so a captured request can be replayed only unchanged and only within 5 minutes.
- Events carry an event id and a message (channel, ts); both are claimed in the data file before
  answering, so a replayed event is never answered twice.
- Slash commands carry no event id and Slack does not retry them; a replay within the window
  can only make the app answer the same person again, ephemerally, at the same response_url
  (user, channel and response_url are all inside the signed body).
- Buttons: feedback is stored once per answer (test_slack_actions.py::
  test_second_click_does_not_count_twice); a replayed modal submission leaves one row and one
  notice (test_slack_registrations.py::test_a_retried_submission_leaves_one_row_and_one_notice).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import replace
from urllib.parse import parse_qs, urlencode

import pytest
from fakeslack import RESPONSE
from slack_harness import Served, Slack, make_slack
from slack_requests import FORM, JSON, SIGNING_SECRET, command_body, event_body, message, sign

from bot.data.usage import questions_since

pytest_plugins = ["slack_fixtures"]

QUESTION = "Who owns MyCSP?"


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _events(served: Served) -> str:
    return served.url + "/slack/events"


def _nothing_sent(slack: Slack) -> bool:
    return [c.method for c in slack.fake.settle()] == ["auth.test"]


def test_a_body_changed_after_signing_is_refused(slack: Slack, served: Served) -> None:
    body = command_body(QUESTION, slack.fake.response_url("sig"))
    headers = sign(body, content_type=FORM)
    tampered = body.replace("user_id=U0ASKER1", "user_id=U0ADMIN01")
    assert tampered != body
    assert _post(_events(served), tampered, headers) == 401
    assert _nothing_sent(slack)


@pytest.mark.parametrize(
    "change",
    [
        {"X-Slack-Request-Timestamp": str(int(time.time()) + 301)},  # from the future
        {"X-Slack-Request-Timestamp": "yesterday"},
        {"X-Slack-Request-Timestamp": ""},
        {"X-Slack-Signature": ""},
        {"X-Slack-Signature": "v0="},
        {"X-Slack-Signature": "v1=" + "0" * 64},
        {"X-Slack-Signature": "v0=" + "0" * 64},
    ],
    ids=["future", "words", "no-timestamp", "no-signature", "empty-digest", "v1", "zeros"],
)
def test_malformed_signature_headers_are_refused(
    slack: Slack, served: Served, change: dict[str, str]
) -> None:
    body = event_body(message(QUESTION))
    headers = {**sign(body), **change}
    assert _post(_events(served), body, headers) == 401
    assert _nothing_sent(slack)


def test_the_timestamp_is_part_of_what_is_signed(slack: Slack, served: Served) -> None:
    body = event_body(message(QUESTION))
    old = sign(body, timestamp=int(time.time()) - 3600)
    fresh = {**old, "X-Slack-Request-Timestamp": str(int(time.time()))}  # old signature
    assert _post(_events(served), body, fresh) == 401
    assert _nothing_sent(slack)


def test_without_a_signing_secret_an_empty_key_cannot_sign(slack: Slack) -> None:
    # Socket Mode needs no signing secret; the app then uses a random one, never "".
    unsigned = make_slack(slack.fake, replace(slack.settings, signing_secret=""),
                          slack.services.index)  # fmt: skip
    try:
        body = event_body(message(QUESTION))
        for secret in ("", SIGNING_SECRET):
            assert unsigned.dispatch(body, secret=secret).status == 401
    finally:
        unsigned.services.data.close()
    assert {c.method for c in slack.fake.settle()} == {"auth.test"}  # one per app built


def test_a_replayed_event_is_answered_once(slack: Slack, served: Served) -> None:
    body = event_body(message(QUESTION, ts="1700003000.000100"))
    headers = sign(body)
    for _ in range(3):  # the very same bytes and signature, within the 5 minutes
        assert _post(_events(served), body, headers) == 200
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_a_replayed_event_under_a_new_event_id_needs_a_new_signature(
    slack: Slack, served: Served
) -> None:
    body = event_body(message(QUESTION, ts="1700003100.000100"), event_id="Ev0REPLAY01")
    headers = sign(body)
    assert _post(_events(served), body, headers) == 200
    slack.fake.wait_for("chat.postMessage")
    renamed = body.replace("Ev0REPLAY01", "Ev0REPLAY02")
    assert _post(_events(served), renamed, headers) == 401
    # ...and even re-signed (Slack sending one message under two ids), the message is claimed
    assert _post(_events(served), renamed, sign(renamed)) == 200
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_a_replayed_slash_command_can_only_reach_its_own_response_url(
    slack: Slack, served: Served
) -> None:
    body = command_body(QUESTION, slack.fake.response_url("mine"))
    headers = sign(body, content_type=FORM)
    for _ in range(2):
        assert _post(_events(served), body, headers) == 200
    slack.fake.wait_for(RESPONSE)
    calls = slack.fake.settle()
    replies = [c for c in calls if c.method == RESPONSE]
    assert 1 <= len(replies) <= 2
    assert {c.path for c in replies} == {"/response/mine"}
    assert all(c.params["response_type"] == "ephemeral" for c in replies)
    assert [c.method for c in calls if c.method != RESPONSE] == ["auth.test"]
    fields = parse_qs(body)
    assert fields["user_id"] == ["U0ASKER1"]  # inside the signed body: a replay cannot change it
    logged = questions_since(slack.services.data, slack.services.now().replace(year=2000))
    assert len(logged) == len(replies)  # the log counts what was answered, no more


def test_signature_checked_on_interactivity_and_json_alike(slack: Slack, served: Served) -> None:
    payload = urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})})
    assert _post(_events(served), payload, sign(payload, secret="nope", content_type=FORM)) == 401
    body = event_body(message(QUESTION))
    assert _post(_events(served), body, sign(body, secret="nope", content_type=JSON)) == 401
    assert _nothing_sent(slack)
