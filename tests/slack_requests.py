"""Requests built and signed exactly as Slack builds and signs them.

Events are JSON `event_callback` bodies; slash commands are form-encoded; interactivity is a
form-encoded `payload=` of JSON. Each is signed: `X-Slack-Signature: v0=` + hex
HMAC-SHA256(signing secret, `v0:{timestamp}:{body}`), with `X-Slack-Request-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0000001"
API_APP_ID = "A0000001"
ASKER = "U0ASKER1"
CHANNEL = "C0CHANNEL1"
DM = "D0ASKERDM"

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_ids = itertools.count(1)


def sign(
    body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None,
    content_type: str = JSON, retry: int | None = None,
) -> dict[str, str]:  # fmt: skip
    """Headers Slack sends with `body`: content type, timestamp, `v0=` signature, retry number."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    """An Events API `event_callback` envelope around `event`."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0001", "is_bot": True}],
        }
    )


def message(
    text: str, channel: str = DM, channel_type: str = "im", user: str = ASKER,
    ts: str = "1700000100.000100", **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    """A `message` event as Slack sends it (text escaped as Slack escapes it)."""
    event = {"type": "message", "channel": channel, "channel_type": channel_type,
             "user": user, "text": slack_escape(text), "ts": ts, "event_ts": ts}  # fmt: skip
    event.update(extra)
    return event


def mention(
    text: str, channel: str = CHANNEL, user: str = ASKER, ts: str = "1700000200.000100",
    bot_user_id: str = "UBOT0001", **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    """An `app_mention` event: the text starts with the bot's mention."""
    text = f"<@{bot_user_id}> {slack_escape(text)}"
    event = {"type": "app_mention", "channel": channel, "user": user, "text": text,
             "ts": ts, "event_ts": ts}  # fmt: skip
    event.update(extra)
    return event


def command_body(text: str, response_url: str, user: str = ASKER, channel: str = CHANNEL) -> str:
    """A form-encoded /mutuals slash command."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "asker",
            "command": "/mutuals",
            "text": slack_escape(text),
            "api_app_id": API_APP_ID,
            "response_url": response_url,
            "trigger_id": "1337.42.abcd",
        }
    )


def action_body(
    action_id: str, value: str, response_url: str, user: str = ASKER, channel: str = CHANNEL,
    message: dict[str, Any] | None = None, view: dict[str, Any] | None = None,
    block_id: str = "b",
) -> str:  # fmt: skip
    """A form-encoded `payload=` block_actions request for one button click."""
    container: dict[str, Any]
    if view is not None:
        container = {"type": "view", "view_id": "V0000001"}
    elif message is not None:
        container = {"type": "message", "message_ts": message.get("ts", "1.0"),
                     "channel_id": channel, "is_ephemeral": False}  # fmt: skip
    else:
        container = {"type": "message", "message_ts": "1.0", "channel_id": channel,
                     "is_ephemeral": True}  # fmt: skip
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1337.43.abcd",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": str(time.time()),
            }
        ],  # fmt: skip
    }
    if view is not None:
        payload["view"] = view
    else:
        payload["channel"] = {"id": channel, "name": "general"}
    if message is not None:
        payload["message"] = message
    return urlencode({"payload": json.dumps(payload)})


def slack_escape(text: str) -> str:
    """Slack sends user text with `&`, `<` and `>` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bolt_request(body: str, content_type: str = JSON, **sign_args: Any) -> BoltRequest:
    """A signed BoltRequest, for `app.dispatch`."""
    headers: dict[str, str | Sequence[str]] = {**sign(body, content_type=content_type, **sign_args)}
    return BoltRequest(body=body, headers=headers)
