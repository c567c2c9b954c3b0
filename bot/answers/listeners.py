"""Questions in Slack: @mentions (reply in the thread), follow-ups in threads we answered in,
DMs, open channels, the assistant pane, the message shortcut, `/mutuals QUESTION`, and the
buttons under an answer (feedback, Share in channel / in thread, App Home examples). Each
listener acks and hands over to conversation.py or a function below."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Respond
from slack_bolt.context.set_status import SetStatus
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_bolt.context.set_title import SetTitle
from slack_bolt.middleware import CustomMiddleware
from slack_sdk import WebClient

from bot.answers import blocks, incoming
from bot.answers.conversation import Conversations, answer_message, pane_message, pane_started
from bot.answers.service import Asked, answer_again, ask, give_feedback, topic_of
from bot.services import Services
from bot.slack import ids
from bot.slack.blocks import Message, problem_message
from bot.slack.calls import ids_of, log, open_dm, post, respond_safely
from bot.slack.pace import Pacer, Slot
from bot.slack.replies import Reply, ephemeral
from bot.slack.routing import CommandRequest, Subcommand, actor_of
from bot.slack.text import typed_text


def register(app: App, services: Services, pacer: Pacer | None = None) -> None:
    talk = Conversations.of(services, pacer)

    def mention_kind(event: dict, bot_user_id: str | None) -> str:
        if not incoming.from_a_person(event, bot_user_id):
            return ""
        return "dm" if incoming.is_dm(event) else "mention"

    def message_kind(event: dict, bot_user_id: str | None) -> str:
        open_channels = services.settings.open_channels
        return incoming.message_kind(event, bot_user_id, open_channels, talk.threads)

    @app.event("app_mention", middleware=[in_line(talk, mention_kind)])
    def on_mention(
        ack: Ack, body: dict, event: dict, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        answer_in_line(talk, client, body, event, context)

    @app.event("message", middleware=[in_line(talk, message_kind)])
    def on_message(
        ack: Ack, body: dict, event: dict, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        answer_in_line(talk, client, body, event, context)

    app.assistant(pane(talk))

    @app.shortcut(ids.ASK_SHORTCUT)
    def on_ask_shortcut(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        ask_about_message(services, body, respond)

    @app.action(ids.FEEDBACK)
    def on_feedback(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        helpful = blocks.verdict_of(_value(body))
        if helpful is None:
            log.warning("feedback value not understood (%s)", ids_of(body))
            ephemeral(body, respond)(problem_message())
            return
        record(services, body, respond, helpful=helpful)

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

    @app.action(ids.SHARE_IN_THREAD)
    def on_share_in_thread(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        share_in_thread(talk, body, respond, client)

    @app.action(ids.EXAMPLE_PATTERN)
    def on_example(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        answer_example(services, body, client)


SLOT, KIND = "mutuals_slot", "mutuals_kind"  # what `in_line` leaves in the Bolt context


def in_line(talk: Conversations, kind_of: Callable[[dict, str | None], str]) -> Callable[..., None]:
    """Listener middleware: a message we will answer takes its place in its channel's line.

    Bolt acks events itself and runs listeners on its thread pool, where they race; listener
    middleware runs first, on the thread that received the request, so places are taken in the
    order the requests arrived (in memory, no I/O) and answers leave in that order.
    """

    def middleware(body: dict, context: BoltContext, next: Callable[[], None]) -> None:
        event = body.get("event") or {}
        kind = kind_of(event, context.bot_user_id)
        if kind:  # most messages in a channel are not for us: they take no place
            context[KIND] = kind
            context[SLOT] = talk.pacer.reserve(str(event.get("channel", "")))
        next()

    return middleware


def answer_in_line(talk: Conversations, client: WebClient, body: dict, event: dict,
                   context: BoltContext) -> None:  # fmt: skip
    """Answer a message that `in_line` gave a place; the place is freed whatever happens."""
    slot: Slot | None = context.get(SLOT)
    if slot is None:
        return
    with slot:
        answer_message(talk, client, body, event, context.bot_user_id, context[KIND], slot)


def pane(talk: Conversations) -> Assistant:
    """Slack's assistant pane (Agents & AI Apps), through Bolt's Assistant middleware. Where a
    workspace has no pane these events never come, and DMs are answered by `on_message`."""
    assistant = Assistant()

    @assistant.thread_started
    def on_started(body: dict, event: dict, client: WebClient,
                   set_suggested_prompts: SetSuggestedPrompts) -> None:  # fmt: skip
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not channel or not thread_ts:
            return
        pane_started(
            talk, body,
            lambda message: client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                                    **message),
            lambda prompts: set_suggested_prompts(prompts, title="Try asking"),
        )  # fmt: skip

    @assistant.thread_context_changed
    def on_context_changed(body: dict) -> None:
        # The channel the person is viewing: answers do not depend on it, so nothing to keep.
        log.info("assistant thread context changed (%s)", ids_of(body))

    # Bolt's Assistant takes listener middleware as Middleware objects, not bare functions.
    pane_line = CustomMiddleware(app_name="assistant", func=in_line(talk, lambda e, b: "pane"))

    @assistant.user_message(middleware=[pane_line])  # type: ignore[arg-type]
    def on_pane_message(body: dict, event: dict, client: WebClient, context: BoltContext,
                        set_status: SetStatus, set_title: SetTitle) -> None:  # fmt: skip
        slot: Slot | None = context.get(SLOT)
        if slot is not None:
            with slot:
                pane_message(talk, client, body, event, context.bot_user_id, set_status,
                             set_title, slot)  # fmt: skip

    return assistant


# -- /mutuals QUESTION and /mutuals help ----------------------------------------------------------


def answer_command(request: CommandRequest) -> None:
    """`/mutuals QUESTION`: the answer privately, with the question restated and Share."""
    started = time.perf_counter()
    asked = ask(request.services, request.args, "command")
    reply_with_fallback(request.reply, blocks.slash_answer_message(asked.answer, asked.question_id))
    log.info(
        "answered (%s) in %.0f ms", ids_of(request.body), (time.perf_counter() - started) * 1000
    )


def reply_with_fallback(reply: Reply, message: Message) -> bool:
    """Reply; if that failed and the message has Slack's newer feedback blocks, once more with
    plain buttons (a response_url refuses blocks it does not know; a failure posts nothing)."""
    if reply(message):
        return True
    plain = blocks.with_buttons(message)
    return plain != message and reply(plain)


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

    def public(content: Message) -> bool:
        return respond_safely("share", body, respond, response_type="in_channel",
                              replace_original=False, **content)  # fmt: skip

    if reply_with_fallback(public, message):
        respond_safely("respond", body, respond, delete_original=True)
        log.info("shared (%s)", ids_of(body))


def ask_about_message(services: Services, body: dict, respond: Respond) -> None:
    """The message shortcut: that message's text answered privately, with Share in thread."""
    message: dict = body.get("message") or {}
    question = typed_text(message.get("text", ""))
    reply = ephemeral(body, respond)
    if not question:
        reply(blocks.nothing_to_ask_message())
        return
    thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
    asked = ask(services, question, "shortcut")
    reply_with_fallback(reply, blocks.shortcut_answer_message(asked.answer, asked.question_id,
                                                              thread_ts))  # fmt: skip
    log.info("shortcut answered (%s)", ids_of(body))


def share_in_thread(talk: Conversations, body: dict, respond: Respond, client: WebClient) -> None:
    """Post a shortcut's private answer in the message's thread, then remove the private copy."""
    ref = _ref(body, respond)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    if ref is None or not isinstance(channel, str) or not ref.thread_ts:
        return
    user_id = actor_of(body).user_id
    shared = Asked(answer_again(talk.services, ref.question), ref.question_id)
    message = blocks.shared_message(shared.answer, shared.question_id, user_id)

    def send() -> None:
        if post(client, body, channel, message, ref.thread_ts, blocks.with_buttons(message)):
            talk.threads.remember((channel, str(ref.thread_ts)), topic_of(shared), ref.question)
            respond_safely("respond", body, respond, delete_original=True)
            log.info("shared in thread (%s)", ids_of(body))
        else:
            ephemeral(body, respond)(blocks.cannot_share_message())

    talk.pacer.send(channel, send)


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
    message = blocks.asked_message(asked.answer, asked.question_id)
    if post(client, body, channel, message, fallback=blocks.with_buttons(message)):
        log.info("example answered (%s)", ids_of(body))
