"""Web API calls that cannot kill a listener, and log lines that carry ids only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.keepalive import PooledWebhookClient

log = logging.getLogger("bot.listeners")
T = TypeVar("T")
# A response_url post may hold a listener thread this long (see bot.slack.pool).
RESPONSE_URL_TIMEOUT_S = 5


def ids_of(body: Mapping[str, Any]) -> str:
    """The ids of a request, for logs: never text, names or tokens. Survives any shape (a
    `team` that is a string, ids with control characters), since error handlers call it."""
    if not isinstance(body, Mapping):
        return "type= team= channel= event="
    event = _obj(body.get("event"))
    team = body.get("team")
    team = body.get("team_id") or (team if isinstance(team, str) else _obj(team).get("id"))
    channel = (
        event.get("channel")
        or body.get("channel_id")
        or _obj(body.get("channel")).get("id")
        or _obj(body.get("container")).get("channel_id")
    )
    kind = event.get("type") or body.get("command") or body.get("type")
    return (f"type={_id(kind)} team={_id(team)} channel={_id(channel)} "
            f"event={_id(body.get('event_id'))}")  # fmt: skip


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _id(value: object) -> str:
    """An id as logged: printable ASCII only, at most 64 characters."""
    text = value if isinstance(value, str) else ""
    return "".join(c for c in text[:64] if " " < c < "\x7f")


def safely(what: str, body: Mapping[str, Any], call: Callable[[], T]) -> T | None:
    """Run a Web API call; on failure log what failed and the ids, and return None."""
    try:
        return call()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "unknown"
        log.warning("%s failed: %s (%s)", what, code, ids_of(body))
    except (SlackClientError, OSError, ValueError) as error:
        # ValueError: a URL that is not one (a forged response_url), text that cannot be sent
        # (NUL, lone surrogates); UnicodeError is one of these.
        log.warning("%s failed: %s (%s)", what, type(error).__name__, ids_of(body))
    return None


def respond_safely(what: str, body: Mapping[str, Any], respond: Any, **message: Any) -> bool:
    """Post to the request's response_url; log (ids only) and return False if it failed.

    Bolt's `respond` waits 30 s for a response_url; this waits `RESPONSE_URL_TIMEOUT_S`, over
    the process's shared keep-alive connections.
    """
    url = getattr(respond, "response_url", None) if isinstance(respond, Respond) else None
    if isinstance(url, str):
        hook = PooledWebhookClient(url=url, timeout=RESPONSE_URL_TIMEOUT_S, ssl=respond.ssl,
                             proxy=respond.proxy)  # fmt: skip
        result = safely(what, body, lambda: hook.send(**message))
    else:
        result = safely(what, body, lambda: respond(**message))
    status = getattr(result, "status_code", None)
    if result is not None and status != 200:
        log.warning("%s failed: HTTP %s (%s)", what, status, ids_of(body))
    return result is not None and status == 200


def open_dm(client: Any, body: Mapping[str, Any], user_id: str) -> str | None:
    """The id of this person's DM with the app, or None (logged) if it could not be opened."""
    if not user_id:
        return None
    opened: Any = safely(
        "conversations.open", body, lambda: client.conversations_open(users=user_id)
    )
    channel = ((opened.get("channel") if opened else None) or {}).get("id")
    return channel if isinstance(channel, str) and channel else None


REFUSED_BLOCKS = frozenset({"invalid_blocks", "invalid_blocks_format"})


def post(client: Any, body: Mapping[str, Any], channel: str, message: Mapping[str, Any],
         thread_ts: str | None = None,
         fallback: Mapping[str, Any] | None = None) -> bool:  # fmt: skip
    """chat.postMessage without link unfurls; False (logged) if it failed. If Slack refuses
    the blocks (a newer block this surface lacks), `fallback` is posted instead."""

    def send(content: Mapping[str, Any]) -> Any:
        return client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False,
                                       unfurl_media=False, **content)  # fmt: skip

    def call() -> Any:
        try:
            return send(message)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            if fallback is None or fallback == message or code not in REFUSED_BLOCKS:
                raise
            log.info("blocks refused (%s), posting the fallback (%s)", code, ids_of(body))
            return send(fallback)

    return bool(safely("chat.postMessage", body, call))


def post_for_ts(client: Any, body: Mapping[str, Any], channel: str,
                message: Mapping[str, Any]) -> tuple[str, str]:  # fmt: skip
    """chat.postMessage without unfurls: (the message's ts, "") or ("", Slack's error code),
    logged; for a message the app updates later, or whose failure someone must hear of."""
    try:
        sent = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                       **message)  # fmt: skip
    except SlackApiError as error:
        code = str(error.response.get("error") if error.response is not None else "unknown")
        log.warning("chat.postMessage failed: %s (%s)", code, ids_of(body))
        return "", code
    except (SlackClientError, OSError, ValueError) as error:
        log.warning("chat.postMessage failed: %s (%s)", type(error).__name__, ids_of(body))
        return "", type(error).__name__
    ts = sent.get("ts")
    return (ts, "") if isinstance(ts, str) and ts else ("", "no_ts")
