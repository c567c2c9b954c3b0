"""Answering Slack messages as a conversation: mentions, DMs, threads we answered in, open
channels and the assistant pane. The listeners (listeners.py) ack and hand over to these.

Every answer to a channel goes out through its `Slot` in the channel's line (bot.slack.pace),
so a burst is posted in order at Slack's pace without holding up anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.answers import blocks, incoming
from bot.answers.service import ask_follow_up, claim, suggested_questions, topic_of
from bot.answers.threads import (
    Earlier,
    ThreadKey,
    Threads,
    addressed_elsewhere,
    asks_something,
    is_social,
    leans_on_earlier,
)
from bot.data.db import DataBusy
from bot.services import Services
from bot.slack.blocks import Message, problem_message
from bot.slack.calls import ids_of, log, post, safely
from bot.slack.escape import truncate_plain
from bot.slack.pace import Pacer, Slot
from bot.slack.text import as_text, typed_text, without_mentions

SEARCHING = "is searching the guidance…"
MAX_TITLE = 80  # a pane thread's title: the first question, shortened


@dataclass
class Conversations:
    """What answering messages needs besides Services: the threads we follow, Slack's pace."""

    services: Services
    threads: Threads
    pacer: Pacer

    @classmethod
    def of(cls, services: Services, pacer: Pacer | None = None) -> Conversations:
        return cls(services, Threads(services.now), pacer or Pacer())


def answer_message(
    talk: Conversations, client: Any, body: dict, event: dict, bot_user_id: str | None,
    kind: str, slot: Slot,
) -> None:  # fmt: skip
    """Answer one Slack message once, however many times and ways it is delivered."""
    started = time.perf_counter()
    channel, thread_ts = event.get("channel"), incoming.reply_thread(event, kind)
    if not isinstance(channel, str) or not channel or not _first_time(talk, client, body, event):
        return
    question = typed_text(event.get("text", ""), bot_user_id)
    if kind == "thread" and _not_for_us(as_text(event.get("text")), question, bot_user_id):
        log.info("addressed to others, not replying (%s)", ids_of(body))
        return
    key = incoming.thread_key(event, kind)
    message = _reply(talk, client, body, event, question, kind, key, bot_user_id)
    if message is None:
        return
    slot.send(lambda: _post_timed(client, body, channel, message, thread_ts, started))


def _first_time(talk: Conversations, client: Any, body: dict, event: dict) -> bool:
    """Claim the message (its event id and its channel and ts); False if claimed before."""
    try:
        first = claim(talk.services, *incoming.delivery_keys(body, event))
    except DataBusy:
        # Slack will not retry an acknowledged event: say so rather than stay silent.
        log.warning("data file busy, asked to try again (%s)", ids_of(body))
        post(client, body, event["channel"], problem_message(),
             incoming.reply_thread(event, "mention"))  # fmt: skip
        return False
    if not first:
        log.info("already handled (%s)", ids_of(body))
    return first


def _not_for_us(raw: str, question: str, bot_user_id: str | None) -> bool:
    """In a thread we follow, a message to someone else, or to everyone ("thanks all")."""
    return addressed_elsewhere(raw, bot_user_id) or is_social(question)


def _reply(
    talk: Conversations, client: Any, body: dict, event: dict, question: str, kind: str,
    key: ThreadKey | None, bot_user_id: str | None,
) -> Message | None:  # fmt: skip
    """The reply to a message (None: stay quiet), the thread remembered as one we follow."""
    if not question or incoming.is_help(question):
        if key:
            talk.threads.remember(key, None)
        return blocks.help_message()
    earlier = talk.threads.context_for(key) if key else None
    if earlier is None and kind == "mention" and incoming.in_thread(event):
        if leans_on_earlier(question):  # a thread we did not follow yet: read its first message
            root = _thread_root(client, body, event, bot_user_id)
            earlier = Earlier(None, root) if root else None
    # Where not every message is meant for us, only a question is worth an "I don't know".
    unsure_is_quiet = kind == "channel" or (kind == "thread" and not asks_something(question))
    asked = ask_follow_up(talk.services, question, earlier, kind, log_declined=not unsure_is_quiet)
    if unsure_is_quiet and not asked.answer.answered:
        log.info("no confident answer, not replying (%s)", ids_of(body))
        return None
    if key:
        talk.threads.remember(key, topic_of(asked), question, asked.leaned)
    return blocks.answer_message(asked.answer, asked.question_id)


def _post_timed(client: Any, body: dict, channel: str, message: Message, thread_ts: str | None,
                started: float) -> None:  # fmt: skip
    if post(client, body, channel, message, thread_ts, fallback=blocks.with_buttons(message)):
        log.info("replied (%s) in %.0f ms", ids_of(body), (time.perf_counter() - started) * 1000)


def _thread_root(client: Any, body: dict, event: dict, bot_user_id: str | None) -> str | None:
    """The first message of a thread we have not followed, as context for a follow-up."""
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
    return without_mentions(root.get("text", "")) or None


# -- the assistant pane ---------------------------------------------------------------------------


def pane_started(talk: Conversations, body: dict, say_hello: Callable[[Message], Any],
                 set_prompts: Callable[[list[str]], Any]) -> None:  # fmt: skip
    """A new thread in the assistant pane: a greeting and up to four suggested questions."""
    safely("chat.postMessage", body, lambda: say_hello(blocks.pane_greeting()))
    prompts = suggested_questions(talk.services)
    if prompts:
        safely("assistant.threads.setSuggestedPrompts", body, lambda: set_prompts(prompts))


def pane_message(
    talk: Conversations, client: Any, body: dict, event: dict, bot_user_id: str | None,
    set_status: Callable[[str], Any], set_title: Callable[[str], Any], slot: Slot,
) -> None:  # fmt: skip
    """A message in an assistant pane thread: a status while searching, then the answer in
    the thread; the thread's first question becomes its title."""
    if not incoming.from_a_person(event, bot_user_id):
        return
    key = incoming.thread_key(event, "pane")
    question = typed_text(event.get("text", ""), bot_user_id)
    if key is None or not _first_time(talk, client, body, event):
        return
    if question and not incoming.is_help(question) and not talk.threads.context_for(key):
        safely("assistant.threads.setTitle", body,
               lambda: set_title(truncate_plain(question, MAX_TITLE)))  # fmt: skip
    safely("assistant.threads.setStatus", body, lambda: set_status(SEARCHING))
    started = time.perf_counter()
    message = _reply(talk, client, body, event, question, "pane", key, bot_user_id)
    if message is not None:
        slot.send(lambda: _post_timed(client, body, key[0], message, key[1], started))
