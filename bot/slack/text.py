"""Slack message text as the person typed it: Slack's escaping undone, our mention dropped."""

from __future__ import annotations

import re

from bot.slack.escape import clean, unescape

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def as_text(value: object) -> str:
    """A message's text as sent: a string without control characters; "" if it is not text."""
    return clean(value) if isinstance(value, str) else ""


def typed_text(text: object, bot_user_id: str | None = None) -> str:
    """What the person typed: a mention of us removed, Slack's escaping undone, spaces tidied."""
    said = as_text(text)
    if bot_user_id:
        said = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", said)
    return " ".join(unescape(said).split())


def without_mentions(text: object) -> str:
    """Text with every user mention removed (a thread's first message read as context)."""
    return " ".join(unescape(MENTION.sub(" ", as_text(text))).split())
