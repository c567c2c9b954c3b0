"""Slack's Block Kit limits and mrkdwn safety, checked over any message or view we build.

`violations(message_or_view)` lists every limit broken (empty when the payload would be accepted);
`unsafe_markup(text, urls, users)` lists the `<...>` controls in mrkdwn that we did not put there.
Limits are Slack's documented ones; lengths are counted in UTF-16 code units, as Slack may.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from bot.slack.escape import slack_length, unescape

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000

# element type -> {field: limit} for plain strings; text objects are checked by _text_object.
_STRING_LIMITS: dict[str, dict[str, int]] = {
    "button": {"action_id": 255, "value": 2000, "url": 3000},
    "plain_text_input": {"action_id": 255, "initial_value": 3000},
    "email_text_input": {"action_id": 255, "initial_value": 320},
    "static_select": {"action_id": 255},
    "radio_buttons": {"action_id": 255},
    "checkboxes": {"action_id": 255},
}
# where a text object sits -> its limit
_TEXT_LIMITS = {
    "header": 150,
    "button": 75,
    "option": 75,
    "placeholder": 150,
    "label": 2000,
    "hint": 2000,
    "section": 3000,
    "field": 2000,
    "context": 3000,
    "title": 24,
    "submit": 24,
    "close": 24,
    "confirm.title": 100,
    "confirm.text": 300,
    "confirm.confirm": 30,
    "confirm.deny": 30,
}
_MAX_OPTIONS = {"static_select": 100, "radio_buttons": 10, "checkboxes": 10}


def violations(payload: dict[str, Any]) -> list[str]:
    """Every Block Kit limit `payload` (a message or a modal/home view) breaks."""
    found: list[str] = []
    is_view = payload.get("type") in ("modal", "home")
    blocks = payload.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return ["no blocks"]
    limit = MAX_VIEW_BLOCKS if is_view else MAX_MESSAGE_BLOCKS
    if len(blocks) > limit:
        found.append(f"{len(blocks)} blocks (limit {limit})")
    if is_view:
        for key in ("title", "submit", "close"):
            if key in payload:
                found += _text_object(payload[key], key, plain_only=True)
        if slack_length(payload.get("private_metadata", "")) > 3000:
            found.append("private_metadata over 3000")
        if len(payload.get("callback_id", "")) > 255:
            found.append("callback_id over 255")
    elif "text" in payload:
        text = payload["text"]
        if not isinstance(text, str) or slack_length(text) > MAX_MESSAGE_TEXT:
            found.append("fallback text missing or over 40,000")
    for block in blocks:
        found += _block(block)
    return found


def _block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    found = [f"{kind}: block_id over 255"] if len(block.get("block_id", "")) > 255 else []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            found.append("section without text or fields")
        if "text" in block:
            found += _text_object(block["text"], "section")
        fields = block.get("fields", [])
        if len(fields) > 10:
            found.append(f"section with {len(fields)} fields")
        for field in fields:
            found += _text_object(field, "field")
        if "accessory" in block:
            found += _element(block["accessory"])
    elif kind == "header":
        found += _text_object(block.get("text"), "header", plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 10:
            found.append(f"context with {len(elements)} elements")
        for element in elements:
            if element.get("type") in ("mrkdwn", "plain_text"):
                found += _text_object(element, "context")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 25:
            found.append(f"actions with {len(elements)} elements")
        for element in elements:
            found += _element(element)
    elif kind == "context_actions":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 5:
            found.append(f"context_actions with {len(elements)} elements")
        for element in elements:
            if element.get("type") != "feedback_buttons":
                found.append(f"context_actions element {element.get('type')!r}")
                continue
            if len(element.get("action_id", "")) > 255:
                found.append("feedback_buttons.action_id over 255")
            for side in ("positive_button", "negative_button"):
                found += _feedback_button(element.get(side) or {}, side)
    elif kind == "input":
        found += _text_object(block.get("label"), "label", plain_only=True)
        if "hint" in block:
            found += _text_object(block["hint"], "hint", plain_only=True)
        found += _element(block.get("element") or {})
    elif kind not in ("divider", "image", "rich_text"):
        found.append(f"unknown block type {kind!r}")
    return found


def _feedback_button(button: dict[str, Any], side: str) -> list[str]:
    found = _text_object(button.get("text"), "button", plain_only=True)
    value = button.get("value")
    if not isinstance(value, str) or not 0 < slack_length(value) <= 2000:
        found.append(f"{side}.value missing or over 2000")
    if slack_length(button.get("accessibility_label", "")) > 75:
        found.append(f"{side}.accessibility_label over 75")
    return found


def _element(element: dict[str, Any]) -> list[str]:
    kind = str(element.get("type"))
    found: list[str] = []
    for key, limit in _STRING_LIMITS.get(kind, {}).items():
        value = element.get(key)
        if value is not None and (not isinstance(value, str) or slack_length(value) > limit):
            found.append(f"{kind}.{key} over {limit}")
    if kind == "button":
        found += _text_object(element.get("text"), "button", plain_only=True)
        confirm = element.get("confirm")
        if confirm:
            for key in ("title", "text", "confirm", "deny"):
                found += _text_object(confirm.get(key), f"confirm.{key}")
    if "placeholder" in element:
        found += _text_object(element["placeholder"], "placeholder", plain_only=True)
    if kind == "plain_text_input":
        max_length = element.get("max_length", 3000)
        if not 0 < max_length <= 3000:
            found.append(f"plain_text_input.max_length {max_length}")
        if slack_length(element.get("initial_value", "")) > max_length:
            found.append("plain_text_input.initial_value longer than max_length")
    options = element.get("options")
    if options is not None:
        if not 0 < len(options) <= _MAX_OPTIONS.get(kind, 100):
            found.append(f"{kind} with {len(options)} options")
        for option in options:
            found += _text_object(option.get("text"), "option")
            if not 0 < slack_length(option.get("value", "")) <= 150:
                found.append(f"{kind}: option value empty or over 150")
    return found


def _text_object(obj: Any, where: str, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"{where}: not a text object"]
    if plain_only and obj.get("type") != "plain_text":
        return [f"{where}: must be plain_text"]
    length = slack_length(obj["text"])
    limit = _TEXT_LIMITS[where]
    if not 0 < length <= limit:
        return [f"{where}: text length {length} (limit {limit})"]
    return []


def mrkdwn_texts(payload: Any) -> Iterator[str]:
    """Every mrkdwn text object's text, anywhere in a message, view or block list."""
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" and isinstance(payload.get("text"), str):
            yield payload["text"]
        for value in payload.values():
            yield from mrkdwn_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from mrkdwn_texts(item)


_LINK = re.compile(r"<(https?://[^|<>\s]+)\|[^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def unsafe_markup(text: str, urls: Collection[str] = (), users: Collection[str] = ()) -> list[str]:
    """What in a mrkdwn text could ping, link or break: any `<` that is not one of our links
    (to `urls`) or mentions (of `users`), a bare `&`, or a control character."""
    rest = _LINK.sub(lambda m: "" if unescape(m.group(1)) in urls else m.group(0), text)
    for user in users:
        rest = rest.replace(f"<@{user}>", "")
    found = [rest[i : i + 40] for i in [m.start() for m in re.finditer("<", rest)][:3]]
    if re.search(r"&(?!amp;|lt;|gt;)", rest):
        found.append("a bare or broken &")
    if _CONTROL.search(rest):
        found.append("a control character")
    return found
