"""Registrations of interest: the modal (open, submit), status, withdraw, admin summary, export.

`/mutuals register|status|withdraw|registrations|export` are in SUBCOMMANDS (commands.py adds
them to its table); the buttons and the modal's submission are registered by `register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import ids
from bot import registration_messages as messages
from bot import registration_views as views
from bot.blocks import Message, section
from bot.data.db import DataBusy
from bot.data.registrations import Registration
from bot.listeners.common import ids_of, log, respond_safely, safely
from bot.registrations_service import (
    NotAllowed,
    export_for,
    registration_of,
    submit_registration,
    summary_for,
    unexpected_form,
    withdraw,
)
from bot.services import Services

if TYPE_CHECKING:
    from bot.listeners.commands import CommandRequest, Subcommand

# users.info may not hold up the modal: Slack's trigger_id expires 3 s after the click.
EMAIL_LOOKUP_TIMEOUT_S = 1
Tell = Callable[[str], None]
T = TypeVar("T")


def register(app: App, services: Services) -> None:
    @app.action(ids.OPEN_REGISTRATION)
    def on_open(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        open_modal(services, client, body, body.get("trigger_id"))

    @app.view(views.REGISTRATION_CALLBACK)
    def on_submit(ack: Ack, body: dict, client: WebClient) -> None:
        submit(services, ack, body, client)

    @app.action(views.WITHDRAW_CONFIRM)
    def on_withdraw(ack: Ack, body: dict, respond: Respond | None) -> None:
        ack()
        confirm_withdraw(services, body, respond)

    @app.action(ids.ADMIN_REGISTRATIONS)
    def on_admin_summary(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        send_summary(services, client, body, respond)

    @app.action(ids.ADMIN_EXPORT)
    def on_admin_export(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        send_export(services, client, body, _teller(body, respond))


# -- who is asking ------------------------------------------------------------------------------


def _user_id(body: Mapping[str, Any]) -> str:
    """The person acting: a slash command's user_id, else an interaction's user.id (never a
    user_id that merely sits beside it in an interaction payload)."""
    user = body.get("user")
    if "command" in body:
        found = body.get("user_id")
    else:
        found = user.get("id") if isinstance(user, Mapping) else ""
    return found if isinstance(found, str) else ""


def _team_id(body: Mapping[str, Any]) -> str:
    team, user = body.get("team"), body.get("user")
    found = (
        body.get("team_id")
        or (team.get("id") if isinstance(team, Mapping) else "")
        or (user.get("team_id") if isinstance(user, Mapping) else "")
    )
    return found if isinstance(found, str) else ""


def _message(text: str) -> Message:
    return {"text": text, "blocks": [section(text)]}


def _can_reply(body: Mapping[str, Any], respond: Respond | None) -> bool:
    # Bolt hands every listener a `respond`, but it only works with a response_url, which
    # buttons in App Home do not have.
    return respond is not None and bool(body.get("response_url"))


def _teller(body: Mapping[str, Any], respond: Respond | None) -> Tell:
    """Tell the person privately, where the request allows (App Home buttons have no reply)."""

    def tell(text: str) -> None:
        if not _can_reply(body, respond):
            log.info("no response_url to reply to (%s)", ids_of(body))
            return
        respond_safely("respond", body, respond, response_type="ephemeral",
                       replace_original=False, **_message(text))  # fmt: skip

    return tell


# -- the modal ---------------------------------------------------------------------------------


def open_modal(
    services: Services, client: WebClient, body: Mapping[str, Any], trigger_id: object
) -> None:
    """Open the form, prefilled from this person's registration or else their profile email."""
    user_id, team_id = _user_id(body), _team_id(body)
    if not isinstance(trigger_id, str) or not trigger_id or not user_id:
        log.warning("cannot open the registration modal: no trigger or user (%s)", ids_of(body))
        return
    try:
        existing = registration_of(services, team_id, user_id)
    except DataBusy:  # a blank form beats none: sending it updates the registration anyway
        log.warning("registration read busy; modal opened blank (%s)", ids_of(body))
        existing = None
    email = None if existing else _profile_email(client, body, user_id)
    view = views.registration_modal(existing, email, private_metadata="")
    if safely("views.open", body, lambda: client.views_open(trigger_id=trigger_id, view=view)):
        log.info("registration modal opened update=%s (%s)", existing is not None, ids_of(body))


def _profile_email(client: WebClient, body: Mapping[str, Any], user_id: str) -> str | None:
    """The Slack profile's email, or None; gives up after about a second (no retries)."""
    quick = WebClient(
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
    if unexpected_form(state.get("values") if isinstance(state, Mapping) else None):
        log.warning("registration form not ours: unexpected fields (%s)", ids_of(body))
        ack(**views.errors_response({}))
        return
    user_id, team_id = _user_id(body), _team_id(body)
    outcome = submit_registration(services, team_id, user_id, views.parse_submission(view))
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
    channel = _dm(client, body, reg.user_id)
    if channel:
        safely("chat.postMessage", body, lambda: client.chat_postMessage(
            channel=channel, text=messages.confirmation_text(reg),
            blocks=messages.confirmation_blocks(reg), unfurl_links=False, unfurl_media=False,
        ))  # fmt: skip
    admin_channel = services.settings.admin_channel
    if admin_channel and changed:
        safely("chat.postMessage", body, lambda: client.chat_postMessage(
            channel=admin_channel, text=messages.admin_notice_text(reg, created),
            blocks=messages.admin_notice_blocks(reg, created),
            unfurl_links=False, unfurl_media=False,
        ))  # fmt: skip


def _dm(client: WebClient, body: Mapping[str, Any], user_id: str) -> str | None:
    """The id of this person's DM with the app, or None if it could not be opened."""
    opened: Any = safely(
        "conversations.open", body, lambda: client.conversations_open(users=user_id)
    )
    channel = ((opened.get("channel") if opened else None) or {}).get("id")
    return channel if isinstance(channel, str) and channel else None


# -- self service ------------------------------------------------------------------------------


def confirm_withdraw(services: Services, body: Mapping[str, Any], respond: Respond | None) -> None:
    """The confirmed Withdraw button: delete for real, then replace the question with the result."""
    try:
        deleted = withdraw(services, _team_id(body), _user_id(body))
    except DataBusy:
        _teller(body, respond)(messages.busy_text())
        return
    log.info("registration withdrawn deleted=%s (%s)", deleted, ids_of(body))
    if _can_reply(body, respond):
        respond_safely("respond", body, respond, replace_original=True,
                       **_message(messages.withdrawn_text(deleted)))  # fmt: skip


def _register(request: CommandRequest) -> None:
    open_modal(request.services, request.client, request.body, request.body.get("trigger_id"))


def _own_registration(request: CommandRequest) -> Registration | None | DataBusy:
    """The asker's registration, None if they have none, or DataBusy (already told to retry)."""
    try:
        return registration_of(request.services, _team_id(request.body), _user_id(request.body))
    except DataBusy as busy:
        _reply(request, _message(messages.busy_text()))
        return busy


def _status(request: CommandRequest) -> None:
    reg = _own_registration(request)
    if not isinstance(reg, DataBusy):
        _reply(request, {"text": messages.status_text(reg), "blocks": messages.status_blocks(reg)})


def _withdraw(request: CommandRequest) -> None:
    reg = _own_registration(request)
    if isinstance(reg, DataBusy):
        return
    if reg is None:
        _reply(request, _message(messages.nothing_to_withdraw_text()))
        return
    blocks = messages.withdraw_confirm_blocks()
    _reply(request, {"text": "Withdraw your registration of interest?", "blocks": blocks})


# -- admin only --------------------------------------------------------------------------------


def _as_admin(tell: Tell, fetch: Callable[[], T]) -> T | None:
    """`fetch()`, or None once a non-admin has been refused or a busy data file explained."""
    try:
        return fetch()
    except NotAllowed:
        tell(messages.refused_text())
    except DataBusy:
        tell(messages.busy_text())
    return None


def send_summary(
    services: Services, client: WebClient, body: Mapping[str, Any], respond: Respond | None
) -> None:
    """The admin summary, privately: in reply, or in the admin's DM from App Home."""
    tell = _teller(body, respond)
    summary = _as_admin(tell, lambda: summary_for(services, _user_id(body)))
    if summary is None:
        return
    message: Message = {
        "text": messages.summary_text(summary),
        "blocks": messages.summary_blocks(summary),
    }
    if _can_reply(body, respond):
        respond_safely("respond", body, respond, response_type="ephemeral",
                       replace_original=False, **message)  # fmt: skip
        return
    channel = _dm(client, body, _user_id(body))
    if channel:
        safely("chat.postMessage", body, lambda: client.chat_postMessage(
            channel=channel, **message))  # fmt: skip


def send_export(services: Services, client: WebClient, body: Mapping[str, Any], tell: Tell) -> None:
    """Upload every registration as CSV to the admin's DM; tell them where it went."""
    user_id = _user_id(body)
    export = _as_admin(tell, lambda: export_for(services, user_id))
    if export is None:
        return
    channel = _dm(client, body, user_id)
    uploaded = channel and safely("files_upload_v2", body, lambda: client.files_upload_v2(
        channel=channel, filename=export.filename, content=export.content,
        title=export.filename, initial_comment="Registrations of interest (personal data).",
    ))  # fmt: skip
    log.info("registrations export uploaded=%s rows=%d (%s)", bool(uploaded), export.count,
             ids_of(body))  # fmt: skip
    tell(messages.export_sent_text(export.count) if uploaded else messages.export_failed_text())


def _registrations(request: CommandRequest) -> None:
    send_summary(request.services, request.client, request.body, request.respond)


def _export(request: CommandRequest) -> None:
    send_export(request.services, request.client, request.body, lambda text: _reply(request,
                _message(text)))  # fmt: skip


def _reply(request: CommandRequest, message: Message) -> None:
    respond_safely("respond", request.body, request.respond, response_type="ephemeral", **message)


SUBCOMMANDS: dict[str, Subcommand] = {
    "register": _register,
    "status": _status,
    "withdraw": _withdraw,
    "registrations": _registrations,
    "export": _export,
}
