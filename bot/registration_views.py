"""Block Kit for the registration-of-interest modal, and reading its submission.

Pure functions, no Slack client. The modal uses plain_text objects for everything a person
typed (they need no escaping). The messages about a registration are in
`bot.registration_messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import ids
from bot.blocks import Block, section
from bot.data.registration_form import (
    MAX_DESCRIPTION_CHARS,
    MAX_EMAIL_CHARS,
    MAX_NAME_CHARS,
    MAX_STAFF_COUNT,
)
from bot.data.registrations import (
    REGIONS,
    STAGES,
    Registration,
)
from bot.data.retention import REGISTRATION_RETENTION_MONTHS
from bot.escape import slack_length, truncate_plain

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
        "title": plain("Update registration" if existing else "Register interest"),
        "submit": plain("Update" if existing else "Register"),
        "close": plain("Cancel"),
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


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(field: str, label: str, element: Block, hint: str = "", optional: bool = False) -> Block:
    block_id, action_id = FIELDS[field]
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": action_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _text_input(
    field: str, label: str, max_length: int, prior: Mapping[str, str], hint: str = "",
    placeholder: str = "", multiline: bool = False, optional: bool = False,
) -> Block:  # fmt: skip
    element: Block = {"type": "plain_text_input", "max_length": max_length, "multiline": multiline}
    if prior.get(field):
        element["initial_value"] = _cut(prior[field], max_length)
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return _input(field, label, element, hint, optional)


def _cut(text: str, units: int) -> str:
    # Slack refuses a view whose initial value is longer than the element allows, and may
    # count an emoji as two (UTF-16); a stored value is never cut unless it would not fit.
    text = text[:units]
    while slack_length(text) > units:
        text = text[:-1]
    return text


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(truncate_plain(text, 75)), "value": value[:75]}


def _region_input(current: str | None) -> Block:
    options = [_option(region, region) for region in REGIONS]
    element: Block = {
        "type": "static_select",
        "placeholder": plain("Choose a region or nation"),
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
    element: Block = {"type": "email_text_input", "placeholder": plain("name@example.gov.uk")}
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


BUSY_ERROR = "Couldn't save just now — please try again."
FORM_PROBLEM = "Something is wrong with the form: check it and try again."


def busy_errors() -> dict[str, Any]:
    """The view_submission reply when the data file is locked: nothing was stored."""
    return {"response_action": "errors", "errors": {ORGANISATION_BLOCK: BUSY_ERROR}}
