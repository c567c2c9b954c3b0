"""Curating the team answers in Slack (`/mutuals answers`, Edit, Retire; admins only), and the
payload readers every enquiry handler shares. Handlers over already acknowledged requests; the
service checks who may do what."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.data.db import DataBusy
from bot.enquiries import messages, service, views
from bot.registrations.views import BUSY_ERROR
from bot.services import NotAllowed, Services
from bot.slack import ids
from bot.slack.blocks import problem_message
from bot.slack.calls import ids_of, log, safely
from bot.slack.routing import CommandRequest, actor_of

Ack = Callable[..., Any]


def action_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The clicked element of a block_actions payload ({} if there is none)."""
    found = body.get("actions")
    first = found[0] if isinstance(found, list) and found else {}
    return first if isinstance(first, Mapping) else {}


def id_value(body: Mapping[str, Any]) -> int | None:
    """The record id a button carries (an enquiry's, a team answer's), or None."""
    value = action_of(body).get("value")
    return views.metadata_id({"private_metadata": value})


def view_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """A view_submission's view ({} if there is none)."""
    view = body.get("view")
    return view if isinstance(view, Mapping) else {}


def open_view(request: CommandRequest, view: dict[str, Any], what: str) -> None:
    """Open a modal on the request's trigger (it expires 3 s after the click)."""
    trigger_id, client = request.trigger_id, request.client
    if not trigger_id:
        log.warning("cannot open the %s modal: no trigger (%s)", what, ids_of(request.body))
        return
    if safely("views.open", request.body, lambda: client.views_open(trigger_id=trigger_id,
                                                                    view=view)):  # fmt: skip
        log.info("%s modal opened (%s)", what, ids_of(request.body))


# -- team answers (admins) ----------------------------------------------------------------------


def show_team_answers(request: CommandRequest) -> None:
    """`/mutuals answers`: the team answers served, with Edit and Retire; admins only."""
    try:
        found = service.team_answers(request.services, request.actor.user_id)
    except NotAllowed:
        request.reply(messages.refused_message(f"`{ids.COMMAND} answers`", admins=True))
        return
    except DataBusy:
        request.reply(problem_message())
        return
    request.reply(messages.team_answers_message(found))


def open_edit_modal(request: CommandRequest) -> None:
    answer_id = id_value(request.body)
    try:
        found = (service.team_answer_for(request.services, request.actor.user_id, answer_id)
                 if answer_id is not None else None)  # fmt: skip
    except NotAllowed:
        request.reply(messages.refused_message("editing team answers", admins=True))
        return
    if found is None or found.retired_at is not None:
        request.reply(messages.simple_message("That team answer is no longer served."))
        return
    modal = views.answer_modal(ids.TEAM_ANSWER_CALLBACK, str(found.id), found.question,
                               answer=found.answer, source_title=found.source_title,
                               source_url=found.source_url, offer_add=False)  # fmt: skip
    open_view(request, modal, "team answer")


def submit_edit(services: Services, ack: Ack, body: Mapping[str, Any]) -> None:
    view, user_id = view_of(body), actor_of(body).user_id
    answer_id = views.metadata_id(view)
    try:
        outcome = (service.edit_team_answer(services, user_id, answer_id, views.parse_answer(view))
                   if answer_id is not None else False)  # fmt: skip
    except NotAllowed:
        ack(**views.errors_response({"answer": "Only admins can edit team answers."}))
        return
    except DataBusy:
        ack(**views.errors_response({"answer": BUSY_ERROR}))
        return
    if isinstance(outcome, dict):
        ack(**views.errors_response(outcome))
        return
    if not outcome:
        ack(**views.errors_response({"answer": "That team answer is no longer served."}))
        return
    ack()
    log.info("team answer %s edited (%s)", answer_id, ids_of(body))


def retire(request: CommandRequest) -> None:
    answer_id = id_value(request.body)
    try:
        retired = answer_id is not None and service.retire(
            request.services, request.actor.user_id, answer_id)  # fmt: skip
    except NotAllowed:
        request.reply(messages.refused_message("retiring team answers", admins=True))
        return
    text = (f"Team answer {answer_id} retired: the assistant stops serving it at the next "
            "reindex (at once on a live server)." if retired
            else "That team answer was not being served.")  # fmt: skip
    request.reply(messages.simple_message(text))
