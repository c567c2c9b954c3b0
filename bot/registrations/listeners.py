"""Registrations of interest in Slack: the modal (open, submit), status, withdraw, and the
admins' summary and export; `/mutuals register|status|withdraw|registrations|export`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.data.db import DataBusy
from bot.registrations import messages, views
from bot.registrations.service import (
    export_for,
    registration_of,
    submit_registration,
    summary_for,
    withdraw,
)
from bot.registrations.store import Registration
from bot.services import NotAllowed, Services
from bot.slack import ids
from bot.slack.blocks import simple
from bot.slack.calls import ids_of, log, open_dm, post, respond_safely, safely
from bot.slack.keepalive import PooledWebClient
from bot.slack.replies import has_response_url
from bot.slack.routing import CommandRequest, Subcommand, action_request, actor_of

# users.info may not hold up the modal: Slack's trigger_id expires 3 s after the click.
EMAIL_LOOKUP_TIMEOUT_S = 1
T = TypeVar("T")


def register(app: App, services: Services) -> None:
    @app.action(ids.OPEN_REGISTRATION)
    def on_open(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        open_modal(action_request(services, body, respond, client))

    @app.view(ids.REGISTRATION_CALLBACK)
    def on_submit(ack: Ack, body: dict, client: WebClient) -> None:
        submit(services, ack, body, client)

    @app.action(ids.WITHDRAW_CONFIRM)
    def on_withdraw(ack: Ack, body: dict, respond: Respond | None) -> None:
        ack()
        confirm_withdraw(services, body, respond)

    @app.action(ids.ADMIN_REGISTRATIONS)
    def on_admin_summary(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        send_summary(action_request(services, body, respond, client, "registrations"))

    @app.action(ids.ADMIN_EXPORT)
    def on_admin_export(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        send_export(action_request(services, body, respond, client, "export"))


def _tell(request: CommandRequest, text: str) -> None:
    request.reply(simple(text))


# -- the modal ---------------------------------------------------------------------------------


def open_modal(request: CommandRequest) -> None:
    """Open the form, prefilled from this person's registration or else their profile email."""
    actor, client, body = request.actor, request.client, request.body
    if not request.trigger_id or not actor.user_id:
        log.warning("cannot open the registration modal: no trigger or user (%s)", ids_of(body))
        return
    try:
        existing = registration_of(request.services, actor.team_id, actor.user_id)
    except DataBusy:  # a blank form beats none: sending it updates the registration anyway
        log.warning("registration read busy; modal opened blank (%s)", ids_of(body))
        existing = None
    email = None if existing else _profile_email(client, body, actor.user_id)
    view = views.registration_modal(existing, email, private_metadata="")
    trigger_id = request.trigger_id
    if safely("views.open", body, lambda: client.views_open(trigger_id=trigger_id, view=view)):
        log.info("registration modal opened update=%s (%s)", existing is not None, ids_of(body))


def _profile_email(client: WebClient, body: Mapping[str, Any], user_id: str) -> str | None:
    """The Slack profile's email, or None; gives up after about a second (no retries)."""
    quick = PooledWebClient(
        token=client.token, base_url=client.base_url, timeout=EMAIL_LOOKUP_TIMEOUT_S,
        ssl=client.ssl, proxy=client.proxy, retry_handlers=[],
    )  # fmt: skip
    info: Any = safely("users.info", body, lambda: quick.users_info(user=user_id))
    user = (info.get("user") if info else None) or {}
    email = (user.get("profile") or {}).get("email")
    return email if isinstance(email, str) and email else None


def submit(services: Services, ack: Ack, body: Mapping[str, Any], client: WebClient) -> None:
    """Store a valid form and close the modal, or show each field's error; then confirm."""
    view = body.get("view")
    view = view if isinstance(view, Mapping) else {}
    state = view.get("state")
    if views.unexpected_form(state.get("values") if isinstance(state, Mapping) else None):
        log.warning("registration form not ours: unexpected fields (%s)", ids_of(body))
        ack(**views.errors_response({}))
        return
    actor = actor_of(body)
    outcome = submit_registration(services, actor.team_id, actor.user_id,
                                  views.parse_submission(view))  # fmt: skip
    if outcome.busy:
        ack(**views.busy_errors())
        return
    if outcome.registration is None:
        log.info("registration form errors in %s (%s)", sorted(outcome.errors), ids_of(body))
        ack(**views.errors_response(outcome.errors))
        return
    ack()  # only now, with the row committed: the modal closes as the person's "done"
    log.info("registration stored created=%s (%s)", outcome.created, ids_of(body))
    confirm(services, client, body, outcome.registration, outcome.created, outcome.changed)


def confirm(
    services: Services, client: WebClient, body: Mapping[str, Any], reg: Registration,
    created: bool, changed: bool,
) -> None:  # fmt: skip
    """A DM summarising what was stored; a short notice to the admin channel if it changed."""
    channel = open_dm(client, body, reg.user_id)
    if channel:
        confirmation = {"text": messages.confirmation_text(reg),
                        "blocks": messages.confirmation_blocks(reg)}  # fmt: skip
        post(client, body, channel, confirmation)
    admin_channel = services.settings.admin_channel
    if admin_channel and changed:
        notice = {"text": messages.admin_notice_text(reg, created),
                  "blocks": messages.admin_notice_blocks(reg, created)}  # fmt: skip
        post(client, body, admin_channel, notice)


# -- self service ------------------------------------------------------------------------------


def confirm_withdraw(services: Services, body: Mapping[str, Any], respond: Respond | None) -> None:
    """The confirmed Withdraw button: delete for real, then replace the question with the result."""
    actor = actor_of(body)
    can_reply = respond is not None and has_response_url(body)
    try:
        deleted = withdraw(services, actor.team_id, actor.user_id)
    except DataBusy:
        if can_reply:
            respond_safely("respond", body, respond, response_type="ephemeral",
                           replace_original=False, **simple(messages.busy_text()))  # fmt: skip
        return
    log.info("registration withdrawn deleted=%s (%s)", deleted, ids_of(body))
    if can_reply:
        respond_safely("respond", body, respond, replace_original=True,
                       **simple(messages.withdrawn_text(deleted)))  # fmt: skip


def _own_registration(request: CommandRequest) -> Registration | None | DataBusy:
    """The asker's registration, None if they have none, or DataBusy (already told to retry)."""
    try:
        return registration_of(request.services, request.actor.team_id, request.actor.user_id)
    except DataBusy as busy:
        _tell(request, messages.busy_text())
        return busy


def show_status(request: CommandRequest) -> None:
    reg = _own_registration(request)
    if not isinstance(reg, DataBusy):
        request.reply({"text": messages.status_text(reg), "blocks": messages.status_blocks(reg)})


def ask_to_withdraw(request: CommandRequest) -> None:
    reg = _own_registration(request)
    if isinstance(reg, DataBusy):
        return
    if reg is None:
        _tell(request, messages.nothing_to_withdraw_text())
        return
    request.reply({"text": "Withdraw your registration of interest?",
                   "blocks": messages.withdraw_confirm_blocks()})  # fmt: skip


# -- admin only --------------------------------------------------------------------------------


def _as_admin(request: CommandRequest, fetch: Callable[[], T]) -> T | None:
    """`fetch()`, or None once a non-admin has been refused or a busy data file explained."""
    try:
        return fetch()
    except NotAllowed:
        _tell(request, messages.refused_text())
    except DataBusy:
        _tell(request, messages.busy_text())
    return None


def send_summary(request: CommandRequest) -> None:
    """The admin summary, privately."""
    summary = _as_admin(request, lambda: summary_for(request.services, request.actor.user_id))
    if summary is not None:
        request.reply({"text": messages.summary_text(summary),
                       "blocks": messages.summary_blocks(summary)})  # fmt: skip


def send_export(request: CommandRequest) -> None:
    """Upload every registration as CSV to the admin's DM; tell them where it went."""
    user_id, client, body = request.actor.user_id, request.client, request.body
    export = _as_admin(request, lambda: export_for(request.services, user_id))
    if export is None:
        return
    channel = open_dm(client, body, user_id)
    uploaded = channel and safely("files_upload_v2", body, lambda: client.files_upload_v2(
        channel=channel, filename=export.filename, content=export.content,
        title=export.filename, initial_comment="Registrations of interest (personal data).",
    ))  # fmt: skip
    log.info("registrations export uploaded=%s rows=%d (%s)", bool(uploaded), export.count,
             ids_of(body))  # fmt: skip
    _tell(request, messages.export_sent_text(export.count) if uploaded
          else messages.export_failed_text())  # fmt: skip


SUBCOMMANDS = (
    Subcommand("register", open_modal, "register your interest in forming a mutual (a form)"),
    Subcommand("status", show_status, "show your registration of interest"),
    Subcommand("withdraw", ask_to_withdraw, "delete your registration of interest, for real"),
    Subcommand(
        "registrations",
        send_summary,
        "registrations of interest: totals and the newest",
        admin=True,
    ),  # fmt: skip
    Subcommand(
        "export", send_export, "registrations of interest as a CSV file in your DM", admin=True
    ),  # fmt: skip
)
