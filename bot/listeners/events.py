"""Messages: @mentions in channels (reply in the thread), DMs, and open channels."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import blocks, incoming
from bot.data.db import DataBusy
from bot.listeners.common import ids_of, log, safely
from bot.services import Services, ask, claim


def register(app: App, services: Services) -> None:
    @app.event("app_mention")
    def on_mention(
        ack: Ack, body: dict, event: dict, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        if not incoming.from_a_person(event, context.bot_user_id):
            return
        kind = "dm" if incoming.is_dm(event) else "mention"
        answer_message(services, client, body, event, context.bot_user_id, kind)

    @app.event("message")
    def on_message(
        ack: Ack, body: dict, event: dict, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        kind = incoming.message_kind(event, context.bot_user_id, services.settings.open_channels)
        if kind:
            answer_message(services, client, body, event, context.bot_user_id, kind)


def answer_message(
    services: Services, client: WebClient, body: dict, event: dict,
    bot_user_id: str | None, kind: str,
) -> None:  # fmt: skip
    """Answer one Slack message once, however many times and ways it is delivered."""
    started = time.perf_counter()
    channel, thread_ts = event.get("channel"), incoming.reply_thread(event, kind)
    if not isinstance(channel, str) or not channel:
        return  # nowhere to reply
    try:
        first_time = claim(services, *incoming.delivery_keys(body, event))
    except DataBusy:
        # Slack will not retry an acknowledged event: say so rather than stay silent.
        log.warning("data file busy, asked to try again (%s)", ids_of(body))
        _post(client, body, channel, thread_ts, blocks.problem_message())
        return
    if not first_time:
        log.info("already handled (%s)", ids_of(body))
        return
    question = incoming.question_text(event.get("text", ""), bot_user_id)
    if not question or incoming.is_help(question):
        message: blocks.Message = blocks.help_message()
    else:
        context = _thread_question(client, body, event, question, bot_user_id)
        asked = ask(services, question, kind, context, log_declined=kind != "channel")
        if kind == "channel" and not asked.answer.answered:
            # In an open channel not every message is meant for us: stay quiet when unsure.
            log.info("no confident answer, not replying (%s)", ids_of(body))
            return
        message = blocks.answer_message(asked.answer, asked.question_id)
    _post(client, body, channel, thread_ts, message)
    log.info("replied (%s) in %.0f ms", ids_of(body), (time.perf_counter() - started) * 1000)


def _thread_question(
    client: WebClient, body: dict, event: dict, question: str, bot_user_id: str | None
) -> str | None:
    """A short follow-up in a thread borrows the thread's first message as context."""
    if not incoming.in_thread(event) or not incoming.is_short_follow_up(question):
        return None
    replies: Any = safely(
        "conversations.replies", body,
        lambda: client.conversations_replies(
            channel=event["channel"], ts=event["thread_ts"], limit=1
        ),
    )  # fmt: skip
    messages = (replies or {}).get("messages") or []
    if not messages:
        return None
    root = messages[0]
    if root.get("bot_id") or root.get("user") == bot_user_id:
        return None
    return incoming.root_question(root.get("text", "")) or None


def _post(
    client: WebClient, body: dict, channel: str, thread_ts: str | None, message: blocks.Message
) -> None:
    safely(
        "chat.postMessage", body,
        lambda: client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False,
            **message,
        ),
    )  # fmt: skip
