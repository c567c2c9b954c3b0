"""Ask the mutuals team in Slack: the asker's button and modal, the team's Answer and Close,
`/mutuals enquiries` and `/mutuals answers` (with Edit and Retire), and the App Home buttons.

Thin: each listener acks, reads the payload, calls `bot.enquiries.service` (which checks who may
do what), renders with `messages`/`views`, and sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.data.db import DataBusy
from bot.enquiries import messages, service, views
from bot.enquiries.curation import (
    action_of,
    id_value,
    open_edit_modal,
    open_view,
    retire,
    show_team_answers,
    submit_edit,
    view_of,
)
from bot.enquiries.store import ANSWERED, Enquiry
from bot.enquiries.team_answers import tidy
from bot.registrations.views import BUSY_ERROR
from bot.services import NotAllowed, Services
from bot.slack import ids
from bot.slack.blocks import Message, problem_message
from bot.slack.calls import ids_of, log, open_dm, post, post_for_ts, safely
from bot.slack.routing import CommandRequest, Subcommand, action_request, actor_of


def register(app: App, services: Services) -> None:
    @app.action(ids.ASK_TEAM)
    def on_ask_team(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        open_enquiry_modal(action_request(services, body, respond, client))

    @app.view(ids.ENQUIRY_CALLBACK)
    def on_enquiry(ack: Ack, body: dict, client: WebClient) -> None:
        submit_enquiry(services, ack, body, client)

    @app.action(ids.ENQUIRY_ANSWER)
    def on_answer(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        open_answer_modal(action_request(services, body, respond, client))

    @app.view(ids.ANSWER_CALLBACK)
    def on_answer_submit(ack: Ack, body: dict, client: WebClient) -> None:
        submit_answer(services, ack, body, client)

    @app.action(ids.ENQUIRY_CLOSE)
    def on_close(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        close(action_request(services, body, respond, client))

    @app.action(ids.TEAM_ANSWER_EDIT)
    def on_edit(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        open_edit_modal(action_request(services, body, respond, client))

    @app.view(ids.TEAM_ANSWER_CALLBACK)
    def on_edit_submit(ack: Ack, body: dict) -> None:
        submit_edit(services, ack, body)

    @app.action(ids.TEAM_ANSWER_RETIRE)
    def on_retire(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        retire(action_request(services, body, respond, client))

    @app.action(ids.ADMIN_ENQUIRIES)
    def on_panel_enquiries(
        ack: Ack, body: dict, client: WebClient, respond: Respond | None
    ) -> None:
        ack()
        show_enquiries(action_request(services, body, respond, client, "enquiries"))

    @app.action(ids.ADMIN_ANSWERS)
    def on_panel_answers(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        show_team_answers(action_request(services, body, respond, client, "answers"))


# -- the asker ----------------------------------------------------------------------------------


def open_enquiry_modal(request: CommandRequest) -> None:
    """*Ask the mutuals team*: the modal showing exactly what will be shared."""
    asked = views.Asking.from_metadata(action_of(request.body).get("value"))
    question = service.question_of(asked.question) if asked is not None else ""
    if asked is None or not question or not request.actor.user_id:
        log.warning("ask-the-team button not understood (%s)", ids_of(request.body))
        request.reply(problem_message())
        return
    asking = views.Asking(question, asked.reason)
    days = request.services.settings.log_retention_days
    open_view(request, views.enquiry_modal(asking, request.actor.user_id, days), "enquiry")


def submit_enquiry(services: Services, ack: Ack, body: Mapping[str, Any], client: Any) -> None:
    """Store the enquiry, then say so in the modal; only a new one goes to the team."""
    view = view_of(body)
    asking = views.Asking.from_metadata(view.get("private_metadata"))
    if asking is None:
        ack(**views.detail_errors("Something is wrong with this form: ask your question again."))
        return
    actor = actor_of(body)
    sent = service.send_enquiry(services, actor.team_id, actor.user_id, asking.question,
                                views.enquiry_detail(view), asking.reason)  # fmt: skip
    if sent.busy or sent.enquiry is None:
        ack(**views.detail_errors(BUSY_ERROR if sent.busy else
                                  "; ".join(sent.errors.values())))  # fmt: skip
        return
    # Only now, with the enquiry committed: the modal says it went.
    ack(
        response_action="update",
        view=views.sent_view(messages.sent_text(sent.enquiry, sent.created)),
    )
    if not sent.created:
        log.info("enquiry %d already sent (%s)", sent.enquiry.id, ids_of(body))
        return
    post_to_team(services, client, body, sent.enquiry)
    _dm(client, body, sent.enquiry.user_id, messages.confirmation_message(sent.enquiry))


def post_to_team(
    services: Services, client: Any, body: Mapping[str, Any], enquiry: Enquiry
) -> bool:
    """Post the enquiry with Answer and Close; if it cannot go, tell the admins (it is kept)."""
    channel = services.settings.enquiries_channel
    ts, error = ("", "") if not channel else post_for_ts(
        client, body, channel, messages.team_message(enquiry))  # fmt: skip
    if ts:
        service.record_posted(services, enquiry, channel, ts)
        log.info("enquiry %d posted to the team (%s)", enquiry.id, ids_of(body))
        return True
    log.warning("enquiry %d not posted to the team: %s (%s)", enquiry.id, error or "no channel",
                ids_of(body))  # fmt: skip
    notice = messages.not_posted_message(enquiry, channel, error)
    for admin in sorted(services.settings.admin_users):
        _dm(client, body, admin, notice)
    return False


def _dm(client: Any, body: Mapping[str, Any], user_id: str, message: Message) -> bool:
    channel = open_dm(client, body, user_id)
    return channel is not None and post(client, body, channel, message)


# -- the team -----------------------------------------------------------------------------------


def _team_enquiry(request: CommandRequest) -> Enquiry | None:
    """The enquiry a team button names, once the clicker is known to be in the team; None
    (after telling them why) otherwise."""
    enquiry_id = id_value(request.body)
    try:
        enquiry = (service.enquiry_for_team(request.services, request.actor.user_id, enquiry_id)
                   if enquiry_id is not None else None)  # fmt: skip
    except NotAllowed:
        request.reply(messages.refused_message("answering enquiries"))
        return None
    if enquiry is None:
        request.reply(messages.simple_message("That enquiry no longer exists."))
        return None
    if not enquiry.is_open:
        request.reply(message_of(messages.outcome_line(enquiry)))
        return None
    return enquiry


def message_of(mrkdwn: str) -> Message:
    return {
        "text": mrkdwn,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}],
    }


def open_answer_modal(request: CommandRequest) -> None:
    enquiry = _team_enquiry(request)
    if enquiry is None:
        return
    intro = f"*Enquiry {enquiry.id}*\n{views.quoted(enquiry.question)}"
    if enquiry.detail:
        intro += f"\n*They add*\n{views.quoted(enquiry.detail)}"
    modal = views.answer_modal(ids.ANSWER_CALLBACK, str(enquiry.id), enquiry.question, intro)
    open_view(request, modal, "answer")


def submit_answer(services: Services, ack: Ack, body: Mapping[str, Any], client: Any) -> None:
    """Store the answer (and the team answer), close the modal, then tell the asker once."""
    view, user_id = view_of(body), actor_of(body).user_id
    enquiry_id, form = views.metadata_id(view), views.parse_answer(view)
    try:
        done = (service.answer_enquiry(services, user_id, enquiry_id, form)
                if enquiry_id is not None else service.Resolved(missing=True))  # fmt: skip
    except NotAllowed:
        ack(**views.errors_response({"answer": "Only the mutuals team can answer enquiries."}))
        return
    if done.enquiry is None:
        ack(**views.errors_response(_why_not(done)))
        return
    ack()
    deliver(services, client, body, done.enquiry, tidy(form.source_title), tidy(form.source_url))


def _why_not(done: service.Resolved) -> dict[str, str]:
    if done.errors:
        return done.errors
    if done.busy:
        return {"answer": BUSY_ERROR}
    if done.already is not None:
        verb = "answered" if done.already.status == ANSWERED else "closed"
        return {"answer": f"Someone in the team has already {verb} this enquiry."}
    return {"answer": "This enquiry no longer exists."}


def deliver(
    services: Services, client: Any, body: Mapping[str, Any], enquiry: Enquiry,
    source_title: str = "", source_url: str = "",
) -> None:  # fmt: skip
    """Tell the asker how their enquiry ended (once: only the request that resolved it gets
    here), then update the team's message."""
    if enquiry.status == ANSWERED:
        note = messages.answer_message(enquiry, source_title, source_url)
    else:
        note = messages.closed_message(enquiry)
    told = _dm(client, body, enquiry.user_id, note)
    if told:
        service.mark_told(services, enquiry)
    log.info("enquiry %d %s, asker told=%s (%s)", enquiry.id, enquiry.status, told, ids_of(body))
    if enquiry.channel and enquiry.message_ts:
        update = messages.team_message(enquiry, undelivered=not told)
        safely("chat.update", body, lambda: client.chat_update(
            channel=enquiry.channel, ts=enquiry.message_ts, **update))  # fmt: skip


def close(request: CommandRequest) -> None:
    enquiry_id = id_value(request.body)
    try:
        done = (service.close_enquiry(request.services, request.actor.user_id, enquiry_id)
                if enquiry_id is not None else service.Resolved(missing=True))  # fmt: skip
    except NotAllowed:
        request.reply(messages.refused_message("closing enquiries"))
        return
    if done.enquiry is None:
        request.reply(messages.simple_message(_why_not(done)["answer"]))
        return
    deliver(request.services, request.client, request.body, done.enquiry)
    request.reply(message_of(messages.outcome_line(done.enquiry) + " The asker has been told."))


def show_enquiries(request: CommandRequest) -> None:
    """`/mutuals enquiries`: open enquiries with their age; the mutuals team only."""
    try:
        found = service.open_enquiries(request.services, request.actor.user_id)
    except NotAllowed:
        request.reply(messages.refused_message(f"`{ids.COMMAND} enquiries`"))
        return
    except DataBusy:
        request.reply(problem_message())
        return
    request.reply(messages.enquiries_message(found, request.services.now()))


SUBCOMMANDS = (
    Subcommand("enquiries", show_enquiries, "open Ask the mutuals team enquiries, with their age",
               admin=True),  # fmt: skip
    Subcommand("answers", show_team_answers,
               "team answers the assistant serves: edit or retire them", admin=True),
)  # fmt: skip
