"""Buttons: Helpful / Not helpful, Share in channel, and App Home's example questions."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import blocks, ids
from bot.listeners.common import ids_of, log, respond_safely, safely
from bot.services import Services, answer_again, ask, give_feedback


def register(app: App, services: Services) -> None:
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


def _value(body: dict) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _ref(body: dict, respond: Respond) -> blocks.AnswerRef | None:
    ref = blocks.AnswerRef.from_value(_value(body))
    if ref is None:
        log.warning("button value not understood (%s)", ids_of(body))
        respond_safely("respond", body, respond, response_type="ephemeral",
                       replace_original=False, **blocks.problem_message())  # fmt: skip
    return ref


def record(services: Services, body: dict, respond: Respond, helpful: bool) -> None:
    """Store the verdict, thank the person, and replace the buttons so nobody votes twice."""
    ref = _ref(body, respond)
    if ref is None:
        return
    first = give_feedback(services, ref.question_id, ref.question, helpful, list(ref.passage_ids))
    log.info("feedback helpful=%s first=%s (%s)", helpful, first, ids_of(body))
    thanks = blocks.thanks_message(helpful, first)
    respond_safely("respond", body, respond, response_type="ephemeral", replace_original=False,
                   **thanks)  # fmt: skip
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
    user_id = (body.get("user") or {}).get("id", "")
    message = blocks.shared_message(answer_again(services, ref.question), ref.question_id, user_id)
    if respond_safely("share", body, respond, response_type="in_channel",
                      replace_original=False, **message):  # fmt: skip
        respond_safely("respond", body, respond, delete_original=True)
        log.info("shared (%s)", ids_of(body))


def answer_example(services: Services, body: dict, client: WebClient) -> None:
    """An App Home example question, answered in the person's DM."""
    user_id = (body.get("user") or {}).get("id", "")
    question = " ".join(_value(body).split())[:500]
    if not user_id or not question:
        return
    opened: Any = safely(
        "conversations.open", body, lambda: client.conversations_open(users=user_id)
    )
    if not opened:
        return
    channel = opened["channel"]["id"]
    asked = ask(services, question, "home")
    message = blocks.asked_message(asked.answer, asked.question_id)
    safely("chat.postMessage", body, lambda: client.chat_postMessage(
        channel=channel, unfurl_links=False, unfurl_media=False, **message))  # fmt: skip
    log.info("example answered (%s)", ids_of(body))
