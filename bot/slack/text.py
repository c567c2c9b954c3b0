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


# Slack's markup, as it reaches us in message text: links (`<url>`, `<url|label>`), user and
# channel references, special mentions (`<!here>`, `<!subteam^S1|@team>`, dates) and emoji codes.
_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]*)(?:\|([^<>]*))?>", re.IGNORECASE)
_REFERENCE = re.compile(r"<[@#!][^<>]*>")
_EMOJI = re.compile(r"(?<![\w:]):[a-z0-9_+'-]+:(?::skin-tone-\d:)?(?![\w:])", re.IGNORECASE)


def readable(text: object) -> str:
    """A question as a person reads it, for search only (what is shown stays as typed).

    A labelled link reads as its label (it names what the question is about), a bare link as
    nothing; mentions, channel references, `<!here>`-style tokens and `:emoji:` codes are not
    words of the question; Slack's `&amp;`, `&lt;` and `&gt;` read as the characters typed.
    """
    said = unescape(as_text(text))
    said = _LINK.sub(lambda m: f" {m.group(2) or ''} ", said)
    said = _REFERENCE.sub(" ", said)
    said = _EMOJI.sub(" ", said)
    return " ".join(said.split())
