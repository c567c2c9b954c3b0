"""Questions in Slack: @mentions (reply in the thread), DMs, open channels, `/mutuals QUESTION`,
and the buttons under an answer (Helpful / Not helpful, Share in channel, App Home examples)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.answers import blocks, incoming
from bot.answers.service import answer_again, ask, claim, give_feedback
from bot.data.db import DataBusy
from bot.services import Services
from bot.slack import ids
from bot.slack.blocks import Message, problem_message
from bot.slack.calls import ids_of, log, open_dm, post, respond_safely, safely
from bot.slack.replies import ephemeral
from bot.slack.routing import CommandRequest, Subcommand, actor_of
from bot.slack.text import typed_text, without_mentions


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

    @app.action(ids.HELPFUL)
    def on_helpful(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        record(services, body, respond, helpful=True)

    @app.action(ids.NOT_HELPFUL)
    def on_not_helpful(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        record(services, body, respond, helpful=False)

    @app.action(ids.SHARE)
    def on_share(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        share(services, body, respond)

    @app.action(ids.EXAMPLE_PATTERN)
    def on_example(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        answer_example(services, body, client)


# -- messages -------------------------------------------------------------------------------------


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
        post(client, body, channel, problem_message(), thread_ts)
        return
    if not first_time:
        log.info("already handled (%s)", ids_of(body))
        return
    question = typed_text(event.get("text", ""), bot_user_id)
    if not question or incoming.is_help(question):
        message: Message = blocks.help_message()
    else:
        context = _thread_question(client, body, event, question, bot_user_id)
        asked = ask(services, question, kind, context, log_declined=kind != "channel")
        if kind == "channel" and not asked.answer.answered:
            # In an open channel not every message is meant for us: stay quiet when unsure.
            log.info("no confident answer, not replying (%s)", ids_of(body))
            return
        message = blocks.answer_message(asked.answer, asked.question_id)
    post(client, body, channel, message, thread_ts)
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
    return without_mentions(root.get("text", "")) or None


# -- /mutuals QUESTION and /mutuals help ----------------------------------------------------------


def answer_command(request: CommandRequest) -> None:
    """`/mutuals QUESTION`: the answer privately, with the question restated and Share."""
    started = time.perf_counter()
    asked = ask(request.services, request.args, "command")
    request.reply(blocks.slash_answer_message(asked.answer, asked.question_id))
    log.info(
        "answered (%s) in %.0f ms", ids_of(request.body), (time.perf_counter() - started) * 1000
    )


def show_help(request: CommandRequest) -> None:
    request.reply(blocks.help_message())


HELP = Subcommand("help", show_help, "what I do, the ways to ask, and example questions")
SUBCOMMANDS = (HELP,)


# -- buttons under an answer ----------------------------------------------------------------------


def _value(body: dict) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _ref(body: dict, respond: Respond) -> blocks.AnswerRef | None:
    ref = blocks.AnswerRef.from_value(_value(body))
    if ref is None:
        log.warning("button value not understood (%s)", ids_of(body))
        ephemeral(body, respond)(problem_message())
    return ref


def record(services: Services, body: dict, respond: Respond, helpful: bool) -> None:
    """Store the verdict, thank the person, and replace the buttons so nobody votes twice."""
    ref = _ref(body, respond)
    if ref is None:
        return
    first = give_feedback(services, ref.question_id, ref.question, helpful, list(ref.passage_ids))
    log.info("feedback helpful=%s first=%s (%s)", helpful, first, ids_of(body))
    ephemeral(body, respond)(blocks.thanks_message(helpful, first, ref))
    original: dict[str, Any] = body.get("message") or {}
    if original.get("blocks"):
        text, old = original.get("text") or "Answer", original["blocks"]
    else:
        # An ephemeral /mutuals answer does not come back in the payload: draw it again.
        message = blocks.slash_answer_message(answer_again(services, ref.question), ref.question_id)
        text, old = message["text"], message["blocks"]
    respond_safely("respond", body, respond, replace_original=True, text=text,
                   blocks=blocks.feedback_recorded(old, helpful))  # fmt: skip


def share(services: Services, body: dict, respond: Respond) -> None:
    """Post an ephemeral /mutuals answer publicly in the channel, then remove the private copy."""
    ref = _ref(body, respond)
    if ref is None:
        return
    user_id = actor_of(body).user_id
    message = blocks.shared_message(answer_again(services, ref.question), ref.question_id, user_id)
    if respond_safely("share", body, respond, response_type="in_channel",
                      replace_original=False, **message):  # fmt: skip
        respond_safely("respond", body, respond, delete_original=True)
        log.info("shared (%s)", ids_of(body))


def answer_example(services: Services, body: dict, client: WebClient) -> None:
    """An App Home example question, answered in the person's DM."""
    user_id = actor_of(body).user_id
    question = " ".join(_value(body).split())[:500]
    if not user_id or not question:
        return
    channel = open_dm(client, body, user_id)
    if channel is None:
        return
    asked = ask(services, question, "home")
    if post(client, body, channel, blocks.asked_message(asked.answer, asked.question_id)):
        log.info("example answered (%s)", ids_of(body))
