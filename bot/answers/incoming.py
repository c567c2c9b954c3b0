"""Which Slack messages to answer, and where (pure functions over Slack's event shapes)."""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping
from typing import Any

from bot.answers.compose import SHORT_FOLLOW_UP
from bot.slack.text import as_text

HELP_WORDS = frozenset({"help", "help!", "help?", "?"})

Event = Mapping[str, Any]


def from_a_person(event: Event, bot_user_id: str | None) -> bool:
    """A new message typed by a person: not a bot (us included), an edit, deletion or join."""
    if event.get("subtype") or event.get("bot_id") or event.get("bot_profile"):
        return False
    user = event.get("user")
    return bool(user) and user != bot_user_id and bool(event.get("ts"))


def is_dm(event: Event) -> bool:
    """A direct message (app_mention events carry no channel_type; DM ids start with D)."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def message_kind(
    event: Event, bot_user_id: str | None, open_channels: Collection[str],
    followed: Container[tuple[str, str]] = (),
) -> str:  # fmt: skip
    """ "dm", "thread" (a thread we answered in, no mention of us), "channel" (an open
    channel, no mention of us), or "" to ignore a `message` event."""
    if not from_a_person(event, bot_user_id):
        return ""
    if is_dm(event):
        return "dm"
    # A message that mentions us also arrives as app_mention, which answers it.
    if bot_user_id is not None and f"<@{bot_user_id}" in as_text(event.get("text")):
        return ""
    channel = event.get("channel")
    if not isinstance(channel, str):
        return ""
    if in_thread(event) and (channel, str(event["thread_ts"])) in followed:
        return "thread"
    return "channel" if channel in open_channels else ""


def is_help(question: str) -> bool:
    return question.strip().lower() in HELP_WORDS


def is_short_follow_up(question: str) -> bool:
    """Whether the thread's first message should be read as context (see bot.answers.compose)."""
    return len(question.split()) < SHORT_FOLLOW_UP


def message_key(event: Event) -> str:
    """One key per Slack message, shared by its app_mention and message events."""
    return f"message:{event.get('channel', '')}:{event.get('ts', '')}"


def delivery_keys(body: Event, event: Event) -> list[str]:
    """The keys a delivery claims: its event id (retries) and its message (mention + DM)."""
    keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
    return keys + [message_key(event)]


def thread_key(event: Event, kind: str) -> tuple[str, str] | None:
    """The conversation a message belongs to: its channel and the thread we reply in (None
    for a DM outside a thread, where each message stands alone)."""
    thread_ts = reply_thread(event, kind)
    channel = event.get("channel")
    return (channel, thread_ts) if isinstance(channel, str) and thread_ts else None


def reply_thread(event: Event, kind: str) -> str | None:
    """Where to reply: a DM replies in place (or in its thread); channels reply in a thread."""
    thread_ts = event.get("thread_ts")
    if kind == "dm":
        return thread_ts
    return thread_ts or event.get("ts")


def in_thread(event: Event) -> bool:
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts")
