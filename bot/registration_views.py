"""Block Kit for registrations of interest: the modal, its submission, and the messages about it.

Pure functions, no Slack client. The modal uses plain_text objects for everything a person
typed (they need no escaping); every stored value shown in mrkdwn goes through `bot.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot import ids
from bot.answer import format_as_of
from bot.blocks import Block, actions, button, context, fit, header, register_button, section
from bot.data.registration_form import (
    MAX_DESCRIPTION_CHARS,
    MAX_EMAIL_CHARS,
    MAX_NAME_CHARS,
    MAX_STAFF_COUNT,
)
from bot.data.registrations import (
    REGIONS,
    STAGE_LABELS,
    STAGES,
    Registration,
    RegistrationSummary,
)
from bot.data.retention import REGISTRATION_RETENTION_MONTHS
from bot.escape import escape, slack_length, truncate_mrkdwn, truncate_plain

# How long a registration is kept; the modal, the README and the CLI all say it this way.
RETENTION = (
    f"until it is withdrawn, or for {REGISTRATION_RETENTION_MONTHS} months after its last "
    "update at the latest"
)

# Ids shared with the listeners; the button that opens the modal is on answers too (bot.ids).
REGISTRATION_CALLBACK = "registration_submit"
OPEN_REGISTRATION = ids.OPEN_REGISTRATION  # the Register interest / Update button
REGISTER_BLOCK = ids.REGISTER_BLOCK
WITHDRAW_BLOCK = "registration_withdraw"
WITHDRAW_CONFIRM = "registration_withdraw_confirm"

ORGANISATION_BLOCK, ORGANISATION_ACTION = "reg_organisation", "organisation"
SERVICE_BLOCK, SERVICE_ACTION = "reg_service", "service"
STAFF_BLOCK, STAFF_ACTION = "reg_staff_count", "staff_count"
REGION_BLOCK, REGION_ACTION = "reg_region", "region"
STAGE_BLOCK, STAGE_ACTION = "reg_stage", "stage"
DESCRIPTION_BLOCK, DESCRIPTION_ACTION = "reg_description", "description"
EMAIL_BLOCK, EMAIL_ACTION = "reg_email", "email"
CONSENT_BLOCK, CONSENT_ACTION = "reg_consent", "consent"
CONSENT_VALUE = "consent_given"

# Form field (as validate_registration names it) -> (block id, action id).
FIELDS: dict[str, tuple[str, str]] = {
    "organisation": (ORGANISATION_BLOCK, ORGANISATION_ACTION),
    "service": (SERVICE_BLOCK, SERVICE_ACTION),
    "staff_count": (STAFF_BLOCK, STAFF_ACTION),
    "region": (REGION_BLOCK, REGION_ACTION),
    "stage": (STAGE_BLOCK, STAGE_ACTION),
    "description": (DESCRIPTION_BLOCK, DESCRIPTION_ACTION),
    "email": (EMAIL_BLOCK, EMAIL_ACTION),
    "consent": (CONSENT_BLOCK, CONSENT_ACTION),
}

COMMAND = ids.COMMAND
CONSENT_TEXT = "The mutuals team may contact me about forming a mutual"
CONSENT_HINT = (
    f"We keep your registration {RETENTION}. Check or withdraw it at any time with "
    f"{COMMAND} status and {COMMAND} withdraw."
)
MAX_PRIVATE_METADATA = 3000
MAX_FIELD = 2000  # a section field's text
MAX_ERROR = 300
MAX_NEWEST = 10
_STAFF_INPUT_CHARS = 12  # "1,000,000" and some spaces
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


# -- the modal --------------------------------------------------------------------------------


def registration_modal(
    existing: Registration | None, email_prefill: str | None, private_metadata: str
) -> dict[str, Any]:
    """The register-interest modal, prefilled from an earlier registration or the profile email."""
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata is longer than Slack allows (3,000 characters)")
    prior = _prefill(existing)
    email = existing.email if existing else (email_prefill or "")
    blocks = [
        section(
            "Tell the mutuals team about a service that might become a public service mutual. "
            "You have one registration: sending this form again updates it."
        ),
        _text_input("organisation", "Organisation", MAX_NAME_CHARS, prior,
                    hint="Your department, agency, council or NHS body."),
        _text_input("service", "Service or team", MAX_NAME_CHARS, prior),
        _text_input("staff_count", "Approximate number of staff in the service",
                    _STAFF_INPUT_CHARS, prior, placeholder="120",
                    hint=f"A whole number from 1 to {MAX_STAFF_COUNT:,}."),
        _region_input(prior.get("region")),
        _stage_input(prior.get("stage")),
        _text_input("description", "Short description", MAX_DESCRIPTION_CHARS, prior,
                    multiline=True, optional=True,
                    hint=f"What the service does, and why a mutual (at most "
                         f"{MAX_DESCRIPTION_CHARS:,} characters)."),
        _email_input(email),
        _consent_input(),
    ]  # fmt: skip
    return {
        "type": "modal",
        "callback_id": REGISTRATION_CALLBACK,
        "title": _plain("Update registration" if existing else "Register interest"),
        "submit": _plain("Update" if existing else "Register"),
        "close": _plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _prefill(existing: Registration | None) -> dict[str, str]:
    if existing is None:
        return {}
    return {
        "organisation": existing.organisation,
        "service": existing.service,
        "staff_count": f"{existing.staff_count:,}",
        "region": existing.region,
        "stage": existing.stage,
        "description": existing.description,
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(field: str, label: str, element: Block, hint: str = "", optional: bool = False) -> Block:
    block_id, action_id = FIELDS[field]
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": action_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(
    field: str, label: str, max_length: int, prior: Mapping[str, str], hint: str = "",
    placeholder: str = "", multiline: bool = False, optional: bool = False,
) -> Block:  # fmt: skip
    element: Block = {"type": "plain_text_input", "max_length": max_length, "multiline": multiline}
    if prior.get(field):
        element["initial_value"] = _cut(prior[field], max_length)
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return _input(field, label, element, hint, optional)


def _cut(text: str, units: int) -> str:
    # Slack refuses a view whose initial value is longer than the element allows, and may
    # count an emoji as two (UTF-16); a stored value is never cut unless it would not fit.
    text = text[:units]
    while slack_length(text) > units:
        text = text[:-1]
    return text


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(truncate_plain(text, 75)), "value": value[:75]}


def _region_input(current: str | None) -> Block:
    options = [_option(region, region) for region in REGIONS]
    element: Block = {
        "type": "static_select",
        "placeholder": _plain("Choose a region or nation"),
        "options": options,
    }
    if current in REGIONS:
        element["initial_option"] = options[REGIONS.index(current)]
    return _input("region", "Region or nation", element)


def _stage_input(current: str | None) -> Block:
    options = [_option(label, value) for value, label in STAGES]
    element: Block = {"type": "radio_buttons", "options": options}
    for option in options:
        if option["value"] == current:
            element["initial_option"] = option
    return _input("stage", "Stage", element)


def _email_input(email: str) -> Block:
    # email_text_input: Slack checks the address and phones show an email keyboard.
    element: Block = {"type": "email_text_input", "placeholder": _plain("name@example.gov.uk")}
    if _plausible_email(email):
        element["initial_value"] = email
    return _input("email", "Contact email", element)


def _plausible_email(text: str) -> bool:
    # A profile email Slack would reject as an initial value is left out, not sent.
    return (
        0 < len(text) <= MAX_EMAIL_CHARS
        and text.count("@") == 1
        and not any(ch.isspace() or ord(ch) < 32 for ch in text)
    )


def _consent_input() -> Block:
    element: Block = {"type": "checkboxes", "options": [_option(CONSENT_TEXT, CONSENT_VALUE)]}
    # Never ticked in advance: consent is given afresh with each submission.
    return _input("consent", "Consent", element, hint=CONSENT_HINT)


# -- the submission ---------------------------------------------------------------------------


def parse_submission(view: Mapping[str, Any]) -> dict[str, object]:
    """The submitted form as validate_registration takes it; anything missing or odd is empty."""
    values = _mapping(_mapping(_mapping(view).get("state")).get("values"))

    def element(field: str) -> Mapping[str, Any]:
        block_id, action_id = FIELDS[field]
        return _mapping(_mapping(values.get(block_id)).get(action_id))

    return {
        "organisation": _value(element("organisation")),
        "service": _value(element("service")),
        "staff_count": _value(element("staff_count")),
        "region": _selected(element("region")),
        "stage": _selected(element("stage")),
        "description": _value(element("description")),
        "email": _value(element("email")),
        "consent": CONSENT_VALUE in _selected_values(element("consent")),
    }


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _value(element: Mapping[str, Any]) -> str:
    return _string(element.get("value"))


def _selected(element: Mapping[str, Any]) -> str:
    return _string(_mapping(element.get("selected_option")).get("value"))


def _selected_values(element: Mapping[str, Any]) -> list[str]:
    chosen = element.get("selected_options")
    if not isinstance(chosen, list | tuple):
        return []
    return [_string(_mapping(option).get("value")) for option in chosen]


def errors_response(errors: Mapping[str, str]) -> dict[str, Any]:
    """The view_submission reply that shows each field's error under its input block."""
    shown = {
        FIELDS[field][0]: truncate_plain(message, MAX_ERROR)
        for field, message in errors.items()
        if field in FIELDS
    }
    if not shown:
        # An error Slack cannot place would close the modal as if all went well.
        shown[ORGANISATION_BLOCK] = "Something is wrong with the form: check it and try again."
    return {"response_action": "errors", "errors": shown}


# -- messages about a registration ------------------------------------------------------------


def _date(moment: datetime) -> str:
    return format_as_of(moment.astimezone(UTC).date().isoformat())


def _field(label: str, value: str) -> dict[str, str]:
    text = truncate_mrkdwn(f"*{label}*\n{escape(value)}", MAX_FIELD)
    return {"type": "mrkdwn", "text": text}


def _details(reg: Registration) -> list[Block]:
    fields = [
        _field("Organisation", reg.organisation),
        _field("Service or team", reg.service),
        _field("Staff", f"{reg.staff_count:,}"),
        _field("Region or nation", reg.region),
        _field("Stage", reg.stage_label),
        _field("Contact email", reg.email),
    ]
    blocks: list[Block] = [{"type": "section", "fields": fields}]
    if reg.description:
        blocks.append(section(f"*Description*\n{escape(reg.description)}"))
    return blocks


def _kept_line(reg: Registration) -> str:
    return (
        f"Registered {_date(reg.created_at)}, last updated {_date(reg.updated_at)}. "
        f"We keep it {RETENTION}."
    )


_SELF_SERVICE = f"`{COMMAND} status` shows it, `{COMMAND} withdraw` deletes it."


def confirmation_text(reg: Registration, escape: Callable[[str], str] = escape) -> str:
    """The confirmation DM's fallback text (mrkdwn, escaped)."""
    text = (
        f"Thank you: your registration of interest for {escape(reg.organisation)} "
        f"({escape(reg.service)}) is stored. {_SELF_SERVICE}"
    )
    return truncate_mrkdwn(text, 3000)


def confirmation_blocks(reg: Registration) -> list[Block]:
    """The confirmation DM: what was stored, how long it is kept, how to check or withdraw it."""
    blocks = [
        header("Registration of interest stored"),
        section("Thank you. The mutuals team will be in touch. This is what we stored:"),
        *_details(reg),
        context(f"{_kept_line(reg)} {_SELF_SERVICE}"),
    ]
    return fit(blocks)


def status_text(reg: Registration | None) -> str:
    """The fallback text of `/mutuals status`."""
    if reg is None:
        return f"You have no registration of interest. `{COMMAND} register` opens the form."
    return truncate_mrkdwn(f"Your registration of interest: {escape(reg.organisation)}.", 3000)


def status_blocks(reg: Registration | None) -> list[Block]:
    """`/mutuals status`: this person's registration, or that there is none."""
    if reg is None:
        return [
            section(status_text(None)),
            actions(REGISTER_BLOCK, [register_button()]),
        ]
    blocks = [
        header("Your registration of interest"),
        *_details(reg),
        context(_kept_line(reg)),
        section(f"`{COMMAND} register` updates it; `{COMMAND} withdraw` deletes it."),
        actions(REGISTER_BLOCK, [register_button("Update registration")]),
    ]
    return fit(blocks)


def withdraw_confirm_blocks() -> list[Block]:
    """`/mutuals withdraw`: a delete button behind a confirmation dialog."""
    withdraw = button("Withdraw my registration", WITHDRAW_CONFIRM, "withdraw", style="danger")
    withdraw["confirm"] = {
        "title": _plain("Withdraw your registration?"),
        "text": _plain("It is deleted for good. You can register again at any time."),
        "confirm": _plain("Delete it"),
        "deny": _plain("Keep it"),
        "style": "danger",
    }
    return [
        section(
            "Withdraw your registration of interest? It is deleted straight away, with no copy "
            "kept, and the mutuals team will no longer contact you about it."
        ),
        actions(WITHDRAW_BLOCK, [withdraw]),
    ]


def withdrawn_text(deleted: bool = True) -> str:
    """What to say once the withdraw button was pressed."""
    if not deleted:
        return "You have no registration of interest, so there was nothing to delete."
    return (
        "Your registration of interest is deleted; nothing of it is kept. "
        f"`{COMMAND} register` starts a new one at any time."
    )


def admin_notice_text(reg: Registration, created: bool) -> str:
    """The admin channel notice's fallback text."""
    what = "New registration of interest" if created else "Registration of interest updated"
    return truncate_mrkdwn(f"{what}: {escape(reg.organisation)}", 3000)


def admin_notice_blocks(reg: Registration, created: bool) -> list[Block]:
    """A short notice for the admin channel: who, which service, size, region and stage."""
    # No email or description here: the channel may have more members than the admins.
    who = f"<@{reg.user_id}>" if _USER_ID.match(reg.user_id) else escape(reg.user_id)
    what = "New registration of interest" if created else "Registration of interest updated"
    lines = [
        f"*{what}* from {who}",
        f"*{escape(reg.organisation)}*: {escape(reg.service)}",
        f"{reg.staff_count:,} staff · {escape(reg.region)} · {escape(reg.stage_label)}",
    ]
    return [
        section("\n".join(lines)),
        context(f"Details: `{COMMAND} registrations` or `mutuals registrations list --emails`."),
    ]


def summary_text(summary: RegistrationSummary) -> str:
    """The fallback text of `/mutuals registrations`."""
    return f"Registrations of interest: {summary['total']:,}."


def summary_blocks(summary: RegistrationSummary) -> list[Block]:
    """`/mutuals registrations`: the total, counts by stage and by region, the ten newest."""
    blocks = [header("Registrations of interest"), section(f"*Total:* {summary['total']:,}")]
    if not summary["total"]:
        return blocks
    blocks.append(section("*By stage*\n" + _counts(summary["by_stage"], STAGE_LABELS)))
    blocks.append(section("*By region or nation*\n" + _counts(summary["by_region"], {})))
    blocks.append({"type": "divider"})
    blocks.append(section(f"*Newest {min(len(summary['newest']), MAX_NEWEST)}*"))
    blocks.extend(section(_newest_line(reg)) for reg in summary["newest"][:MAX_NEWEST])
    return fit(blocks)


def _counts(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    return "\n".join(f"• {escape(labels.get(k, k))}: {n:,}" for k, n in counts.items())


def _newest_line(reg: Registration) -> str:
    return (
        f"*{escape(reg.organisation)}*: {escape(reg.service)}\n"
        f"{reg.staff_count:,} staff · {escape(reg.region)} · {escape(reg.stage_label)} · "
        f"registered {_date(reg.created_at)}"
    )


# -- short replies ------------------------------------------------------------------------------

BUSY_ERROR = "Couldn't save just now — please try again."
FORM_PROBLEM = "Something is wrong with the form: check it and try again."


def busy_errors() -> dict[str, Any]:
    """The view_submission reply when the data file is locked: nothing was stored."""
    return {"response_action": "errors", "errors": {ORGANISATION_BLOCK: BUSY_ERROR}}


def refused_text() -> str:
    """What anyone but an admin hears when asking for registrations: nothing about them."""
    return "Sorry, only the mutuals team's admins can do that."


def busy_text() -> str:
    return "Sorry, I couldn't do that just now: please try again in a moment."


def nothing_to_withdraw_text() -> str:
    return "You have no registration of interest, so there is nothing to withdraw."


def export_sent_text(count: int) -> str:
    return (
        f"The CSV export of {count:,} registration(s) is in your direct messages with me. "
        "It holds personal data: keep it safe and delete it when you are done."
    )


def export_failed_text() -> str:
    return "Sorry, I couldn't send the export to your direct messages. Please try again."
