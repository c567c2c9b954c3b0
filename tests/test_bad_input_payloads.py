"""Malformed Slack requests through the real Bolt app and the real HTTP server: missing keys,
wrong types, unknown event types, a 1 MB body, invalid JSON, UTF-8 or form encoding. Each gets a
200 or a 4xx, never a 5xx or an exception, no listener crashes on it, and nothing is posted that a
well-formed request would not post."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from blockkit_check import mrkdwn_texts, unsafe_markup, violations
from fakeslack import RESPONSE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from slack_bolt import App
from slack_harness import Served, Slack
from slack_requests import (
    ASKER,
    DM,
    FORM,
    JSON,
    SIGNING_SECRET,
    TEAM_ID,
    bolt_request,
    command_body,
    event_body,
    message,
    sign,
)
from slack_requests import action_body as _action_body

from bot.app import build_app
from bot.services import Services
from bot.slack import ids
from bot.slack.gate import payload_problem

pytest_plugins = ["slack_fixtures"]


def _event(event: Any, **envelope: Any) -> str:
    body = {"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev0BAD00001",
            "event": event, **envelope}  # fmt: skip
    return json.dumps(body)


_DROP = object()  # a field to leave out


def _dm(**fields: Any) -> dict[str, Any]:
    event = message("Who owns MyCSP?", ts="1700002000.000100")
    event.update(fields)
    return {k: v for k, v in event.items() if v is not _DROP}


def _mention(**fields: Any) -> dict[str, Any]:
    event = {"type": "app_mention", "user": ASKER, "channel": "C0CHANNEL1", "ts": "1.6",
             "text": "<@UBOT0001> and the shares?", **fields}  # fmt: skip
    return {k: v for k, v in event.items() if v is not _DROP}


def _payload(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _action(**fields: Any) -> str:
    body = _action_body(ids.HELPFUL, "v", "http://127.0.0.1:9/r")
    payload = json.loads(parse_qs(body)["payload"][0])
    payload.update(fields)
    return _payload({k: v for k, v in payload.items() if v is not _DROP})


def _case(body: str, content_type: str) -> Any:
    return pytest.param(body.encode(), content_type)


_COMMAND = {"command": "/mutuals", "user_id": ASKER, "team_id": TEAM_ID,
            "response_url": "http://127.0.0.1:9/r"}  # fmt: skip
# Well-formed JSON or form bodies, signed, with something wrong inside.
WRONG_SHAPES: dict[str, Any] = {
    "event-text-number": _case(_event(_dm(text=123)), JSON),
    "event-text-list": _case(_event(_dm(text=["Who owns MyCSP?"])), JSON),
    "event-text-object": _case(_event(_dm(text={"a": 1})), JSON),
    "event-user-list": _case(_event(_dm(user=["U1"])), JSON),
    "event-channel-number": _case(
        _event(_dm(channel=5, channel_type="channel")), JSON
    ),  # fmt: skip
    "event-no-channel": _case(_event(_dm(channel=_DROP)), JSON),
    "event-no-ts": _case(_event(_dm(ts=_DROP)), JSON),
    "mention-no-channel": _case(_event(_mention(channel=_DROP)), JSON),
    "mention-thread-ts-number": _case(_event(_mention(thread_ts=1.2)), JSON),
    "event-string": _case(_event("message"), JSON),
    "event-null": _case(_event(None), JSON),
    "event-list": _case(_event([_dm()]), JSON),
    "event-unknown-type": _case(_event({"type": "reaction_added", "user": ASKER}), JSON),
    "event-no-type": _case(_event({"user": ASKER, "text": "hi", "channel": DM}), JSON),
    "event-id-number": _case(_event(_dm(), event_id=42), JSON),
    "home-user-list": _case(
        _event({"type": "app_home_opened", "user": ["U1"], "tab": "home"}), JSON
    ),  # fmt: skip
    "home-tab-number": _case(_event({"type": "app_home_opened", "user": ASKER, "tab": 1}), JSON),
    "envelope-no-type": _case(json.dumps({"event": _dm()}), JSON),
    "json-list": _case(json.dumps([_dm()]), JSON),
    "json-string": _case(json.dumps("event_callback"), JSON),
    "json-number": _case("42", JSON),
    "command-no-response-url": _case(
        urlencode({**_COMMAND, "response_url": "", "text": "Who owns MyCSP?"}), FORM
    ),  # fmt: skip
    "command-no-text": _case(urlencode(_COMMAND), FORM),
    "command-unknown": _case(urlencode({**_COMMAND, "command": "/other", "text": "hi"}), FORM),
    "form-bad-percent": _case(urlencode(_COMMAND) + "&text=%ZZ%", FORM),
    "actions-string": _case(_action(actions="feedback_helpful"), FORM),
    "actions-empty": _case(_action(actions=[]), FORM),
    "actions-of-strings": _case(_action(actions=["feedback_helpful"]), FORM),
    "action-value-number": _case(
        _action(actions=[{"action_id": ids.HELPFUL, "value": 5}]), FORM
    ),  # fmt: skip
    "action-no-user": _case(_action(user=_DROP), FORM),
    "action-user-string": _case(_action(user=ASKER), FORM),
    "view-string": _case(
        _payload({"type": "view_submission", "view": "x", "user": {"id": ASKER}}), FORM
    ),  # fmt: skip
    "view-no-state": _case(
        _payload(
            {
                "type": "view_submission",
                "user": {"id": ASKER},
                "view": {"callback_id": "registration_submit"},
            }
        ),
        FORM,
    ),  # fmt: skip
    "payload-type-unknown": _case(_payload({"type": "shortcut_of_doom"}), FORM),
    "payload-list": _case(_payload([1, 2]), FORM),
}
# Bodies that are not JSON or form data at all.
UNPARSABLE: dict[str, Any] = {
    "invalid-json": _case('{"type": "event_callback", "event": {', JSON),
    "invalid-utf8-json": pytest.param(b'{"type": "\xff\xfe"}', JSON),
    "invalid-utf8-form": pytest.param(b"payload=\xff\xfe", FORM),
    "payload-not-json": _case("payload=%7Bnot-json", FORM),
    "empty": _case("", JSON),
    "nested-too-deep": _case("[" * 100_000 + "]" * 100_000, JSON),  # RecursionError in json
}


def _listener_crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "listener failed" in r.getMessage()]


@pytest.mark.parametrize(("body", "content_type"), WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_wrong_shapes_are_refused_or_ignored_without_a_crash(
    slack: Slack, served: Served, caplog: pytest.LogCaptureFixture, body: bytes,
    content_type: str,
) -> None:  # fmt: skip
    status = _http(served.url + "/slack/events", body, _signed_bytes(body, content_type))
    assert 200 <= status < 500
    calls = slack.fake.settle(quiet=0.15)
    assert _listener_crashes(caplog) == []
    for call in calls[1:]:  # whatever was posted is a well-formed, safe message
        if call.method in ("chat.postMessage", RESPONSE):
            assert violations(dict(call.params)) == []


def _http(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _signed_bytes(body: bytes, content_type: str) -> dict[str, str]:
    """Headers as Slack signs a raw body (which need not be valid UTF-8)."""
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}"}  # fmt: skip


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize(("body", "content_type"), UNPARSABLE.values(), ids=UNPARSABLE.keys())
def test_unparsable_bodies_get_a_4xx(
    slack: Slack, served: Served, body: bytes, content_type: str, signed: bool
) -> None:
    headers = _signed_bytes(body, content_type) if signed else {"Content-Type": content_type}
    status = _http(served.url + "/slack/events", body, headers)
    assert 400 <= status < 500
    assert [c.method for c in slack.fake.settle()] == ["auth.test"]


def test_a_1_mb_message_is_answered_within_limits(slack: Slack, served: Served) -> None:
    text = "Who owns MyCSP? " + "<!channel> &amp; x " * 55_000  # over 1 MB as JSON
    body = event_body(message(text, ts="1700002100.000100"))
    assert len(body.encode()) > 1_000_000
    status = _http(served.url + "/slack/events", body.encode(), sign(body))
    assert status == 200
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert violations(dict(post.params)) == []
    for text_ in [*mrkdwn_texts(post.params["blocks"]), post.params["text"]]:
        assert unsafe_markup(text_, urls={"https://example.org/mycsp"}) == []


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["type", "text", "user", "channel", "ts", "thread_ts",
                                         "event", "event_id", "tab", "channel_type", "subtype",
                                         "bot_id", "actions", "view", "value"]),
                        inner, max_size=6),
    ),
    max_leaves=25,
)  # fmt: skip


class _Inline(Executor):
    """Runs each listener inside dispatch(), so a crash is logged before dispatch returns."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed back as Executor does
            future.set_exception(error)
        return future


@pytest.fixture
def inline_app(slack: Slack) -> App:
    return build_app(slack.settings, slack.services, executor=_Inline())


@settings(
    max_examples=50, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    event=st.fixed_dictionaries(
        {"type": st.sampled_from(["message", "app_mention", "app_home_opened"])},
        optional={
            k: _json
            for k in (
                "text",
                "user",
                "channel",
                "ts",
                "thread_ts",
                "tab",
                "channel_type",
                "subtype",
                "bot_id",
                "event_ts",
            )
        },
    )  # an object with one of our event types; anything at all in its fields
)
@example(event={"type": "message", "user": False})  # slack_bolt's extract_user_id raises
@example(event={"type": "app_mention", "user": ASKER, "ts": "1.0", "text": "hi"})  # no channel
def test_any_event_shape_is_survived(
    inline_app: App, caplog: pytest.LogCaptureFixture, event: Any
) -> None:
    """Every shape is refused in front of Bolt (bot.gate, as over HTTP) or handled by it."""
    caplog.clear()
    body = _event(event)
    if payload_problem(json.loads(body)) is not None:
        return  # answered 400 before Bolt reads it
    try:
        response = inline_app.dispatch(bolt_request(body))
    except Exception as error:  # noqa: BLE001 - over HTTP this would be a 500
        pytest.fail(f"dispatch raised {type(error).__name__} on {json.dumps(event)[:200]}")
    assert 200 <= response.status < 500
    assert _listener_crashes(caplog) == [], json.dumps(event)[:300]


ADMIN = "U0ADMIN01"
SUBCOMMAND_NAMES = ["", "help", "register", "status", "withdraw", "reindex", "registrations",
                    "export", "gaps", "stats", "Help", "GAPS"]  # fmt: skip
_COMMAND_TEXT = st.builds(
    lambda name, rest: f"{name} {rest}".strip(),
    st.sampled_from(SUBCOMMAND_NAMES),
    st.one_of(st.text(max_size=60), st.sampled_from(["30", "0", "-1", "3651", "１２", "<!here>",
                                                     "9" * 40, "<@U1> &amp; <https://x|y>"])),
)  # fmt: skip


@pytest.fixture
def admin_inline(slack: Slack) -> Iterator[App]:
    settings = replace(slack.settings, admin_users=frozenset({ADMIN}))
    services = Services(settings, slack.services.index, slack.services.data)
    yield build_app(settings, services, executor=_Inline())


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(text=_COMMAND_TEXT, user=st.sampled_from([ASKER, ADMIN]))
def test_any_command_text_gets_a_safe_reply(
    slack: Slack, admin_inline: App, caplog: pytest.LogCaptureFixture, text: str, user: str
) -> None:
    caplog.clear()
    before = len(slack.fake.calls)
    body = command_body(text, slack.fake.response_url("any"), user=user)
    response = admin_inline.dispatch(bolt_request(body, content_type=FORM))
    assert response.status == 200
    assert _listener_crashes(caplog) == []
    sent = slack.fake.settle(quiet=0.05)[before:]
    urls = {p.url for p in slack.services.index.passages}
    urls |= {s.url for p in slack.services.index.passages for s in p.sources}
    for call in sent:
        if call.method in (RESPONSE, "chat.postMessage", "views.open"):
            payload = call.params.get("view") or call.params
            assert violations(dict(payload)) == [], (text, call.method)
            for mrkdwn in [*mrkdwn_texts(payload.get("blocks")), call.params.get("text", "")]:
                assert unsafe_markup(mrkdwn, urls, users={user}) == [], (text, mrkdwn[:200])


def test_nothing_logged_above_warning_for_a_well_formed_question(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    slack.event(message("Who owns MyCSP?"))
    slack.fake.wait_for("chat.postMessage")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
