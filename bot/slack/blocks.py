"""Block Kit primitives shared by every feature: pure functions, escaped, within Slack's limits.

Every text is cut to Slack's limits, so any input renders; mrkdwn passed in must already be
escaped (bot.slack.escape), plain text is cleaned here.
"""

from __future__ import annotations

from typing import Any, TypedDict

from bot.slack.escape import escape, truncate_mrkdwn, truncate_plain

try:  # Slack's feedback buttons (context_actions) came with slack_sdk 3.36; older ones lack them
    from slack_sdk.models.blocks import (
        ContextActionsBlock,
        FeedbackButtonObject,
        FeedbackButtonsElement,
    )

    NATIVE_FEEDBACK = True
except ImportError:  # pragma: no cover - depends on the installed slack_sdk
    NATIVE_FEEDBACK = False

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_CONTEXT = 3000  # a context element's text
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_LABEL = 75  # a button's accessibility_label
MAX_FALLBACK = 3000  # the top-level `text` (notifications, screen readers)

Block = dict[str, Any]


class Message(TypedDict):
    """Keyword arguments for chat.postMessage or respond(): a fallback text and blocks."""

    text: str
    blocks: list[Block]


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _nonempty(mrkdwn, MAX_SECTION)}}


def context(mrkdwn: str) -> Block:
    element = {"type": "mrkdwn", "text": _nonempty(mrkdwn, MAX_CONTEXT)}
    return {"type": "context", "elements": [element]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text, MAX_HEADER)}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain_text(text, MAX_BUTTON_TEXT),
        "action_id": action_id[:255],
        "value": truncate_plain(value, MAX_BUTTON_VALUE),
    }
    if style:
        element["style"] = style
    return element


def feedback_buttons(block_id: str, action_id: str, positive: tuple[str, str],
                     negative: tuple[str, str]) -> Block | None:  # fmt: skip
    """Slack's own thumbs up / down (a context_actions block of feedback_buttons), each
    (label, value), built with slack_sdk.models; None where the installed slack_sdk lacks them.
    Labels and values are cut to Slack's limits (UTF-16) first: the SDK counts characters."""
    if not NATIVE_FEEDBACK:
        return None

    def side(label: str, value: str) -> FeedbackButtonObject:
        return FeedbackButtonObject(
            text=plain_text(label, MAX_BUTTON_TEXT)["text"],
            accessibility_label=truncate_plain(f"Mark this answer {label.lower()}", MAX_LABEL),
            value=truncate_plain(value, MAX_BUTTON_VALUE),
        )

    element = FeedbackButtonsElement(action_id=action_id[:255], positive_button=side(*positive),
                                     negative_button=side(*negative))  # fmt: skip
    block: Block = ContextActionsBlock(block_id=block_id, elements=[element]).to_dict()
    return block


def actions(block_id: str, elements: list[Block]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements[:25]}


def plain(text: str) -> dict[str, Any]:
    """A plain_text object for text of our own (titles, labels) that fits as it is."""
    return {"type": "plain_text", "text": text, "emoji": True}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object for any text, cleaned and cut to `limit`."""
    return {"type": "plain_text", "text": truncate_plain(text, limit) or " ", "emoji": True}


def _nonempty(mrkdwn: str, limit: int) -> str:
    return truncate_mrkdwn(mrkdwn, limit) or " "


def fit(blocks: list[Block]) -> list[Block]:
    """At most 50 blocks; the last kept one says that more were left out."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[: MAX_BLOCKS - 1] + [context("(more not shown)")]


def fallback(text: str) -> str:
    """A plain-text fallback: the top-level `text` is mrkdwn too, so it is escaped."""
    return truncate_mrkdwn(escape(text), MAX_FALLBACK) or " "


def message(text: str, blocks: list[Block]) -> Message:
    """A message whose fallback is `text` (escaped here) and whose blocks fit Slack's limits."""
    return {"text": fallback(text), "blocks": fit(blocks)}


def simple(mrkdwn: str) -> Message:
    """A one-section message of our own words (already mrkdwn: nothing from a user in it)."""
    return {"text": mrkdwn, "blocks": [section(mrkdwn)]}


def problem_message() -> Message:
    return simple("Sorry, something went wrong on my side. Please try again in a moment.")
