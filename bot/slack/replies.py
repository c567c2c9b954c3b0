"""Private replies to the person acting: through the request's response_url, or in their DM.

A slash command and a button in a message carry a response_url; a button in App Home does not,
so its reply goes to the person's DM with the app. Service results are rendered to a `Message`
and handed to a `Reply`; no handler needs to know which way the reply goes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.slack.blocks import Message
from bot.slack.calls import ids_of, log, open_dm, post, respond_safely

Reply = Callable[[Message], bool]


def has_response_url(body: Mapping[str, Any]) -> bool:
    return isinstance(body.get("response_url"), str) and bool(body.get("response_url"))


def ephemeral(body: Mapping[str, Any], respond: Any) -> Reply:
    """Reply privately at the request's response_url (a new message, never replacing one)."""

    def reply(message: Message) -> bool:
        return respond_safely("respond", body, respond, response_type="ephemeral",
                              replace_original=False, **message)  # fmt: skip

    return reply


def direct_message(client: Any, body: Mapping[str, Any], user_id: str) -> Reply:
    """Reply in the person's DM with the app (the DM is opened on the first reply)."""
    channel: list[str] = []

    def reply(message: Message) -> bool:
        if not channel:
            opened = open_dm(client, body, user_id)
            if opened is None:
                return False
            channel.append(opened)
        return post(client, body, channel[0], message)

    return reply


def private(body: Mapping[str, Any], respond: Any, client: Any, user_id: str) -> Reply:
    """Ephemeral in the message the request came from (its response_url), else in the
    person's DM: a click in a view (App Home) has no message to reply under."""
    from_message = not isinstance(body.get("view"), Mapping)
    if from_message and respond is not None and has_response_url(body):
        return ephemeral(body, respond)
    if not user_id:
        log.info("nowhere to reply (%s)", ids_of(body))
        return lambda message: False
    return direct_message(client, body, user_id)
