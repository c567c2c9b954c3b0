"""The registration-of-interest modal, built from the declared fields, and reading it back.

Pure functions, no Slack client. The modal uses plain_text objects for everything a person
typed (they need no escaping). The messages about a registration are in `messages.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.data.retention import REGISTRATION_RETENTION_MONTHS
from bot.registrations.fields import CONSENT, CONSENT_TEXT, FIELDS, Field, Kind
from bot.registrations.form import looks_like_email
from bot.registrations.store import Registration
from bot.slack import ids
from bot.slack.blocks import Block, plain, section
from bot.slack.escape import slack_length, truncate_plain

# How long a registration is kept; the modal, the README and the CLI all say it this way.
RETENTION = (
    f"until it is withdrawn, or for {REGISTRATION_RETENTION_MONTHS} months after its last "
    "update at the latest"
)
CONSENT_VALUE = "consent_given"
CONSENT_HINT = (
    f"We keep your registration {RETENTION}. Check or withdraw it at any time with "
    f"{ids.COMMAND} status and {ids.COMMAND} withdraw."
)
MAX_PRIVATE_METADATA = 3000
MAX_ERROR = 300
BUSY_ERROR = "Couldn't save just now — please try again."
FORM_PROBLEM = "Something is wrong with the form: check it and try again."


def block_id(name: str) -> str:
    """The input block of a field (or of consent) in the modal."""
    return f"reg_{name}"


# Every input of the modal: (block id, action id) by field name, consent last.
FORM_IDS: dict[str, tuple[str, str]] = {
    name: (block_id(name), name) for name in [*(f.name for f in FIELDS), CONSENT]
}
FIRST_BLOCK = block_id(FIELDS[0].name)  # where an error that belongs to no field is shown


# -- the modal --------------------------------------------------------------------------------


def registration_modal(
    existing: Registration | None, email_prefill: str | None, private_metadata: str
) -> dict[str, Any]:
    """The register-interest modal, prefilled from an earlier registration or the profile email."""
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata is longer than Slack allows (3,000 characters)")
    intro = section(
        "Tell the mutuals team about a service that might become a public service mutual. "
        "You have one registration: sending this form again updates it."
    )
    inputs = [_input(f, _prefill(f, existing, email_prefill)) for f in FIELDS]
    return {
        "type": "modal",
        "callback_id": ids.REGISTRATION_CALLBACK,
        "title": plain("Update registration" if existing else "Register interest"),
        "submit": plain("Update" if existing else "Register"),
        "close": plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": [intro, *inputs, _consent_input()],
    }


def _prefill(f: Field, existing: Registration | None, email_prefill: str | None) -> str:
    if existing is not None:
        value = existing.values[f.name]
        return f"{value:,}" if isinstance(value, int) and value else str(value or "")
    return (email_prefill or "") if f.kind is Kind.EMAIL else ""


def _input(f: Field, initial: str) -> Block:
    if f.kind is Kind.CHOICE:
        element = _choice_element(f, initial)
    elif f.kind is Kind.EMAIL:
        # email_text_input: Slack checks the address and phones show an email keyboard.
        element = {"type": "email_text_input"}
        if _plausible_email(initial, f.max_chars):  # else Slack would refuse the whole view
            element["initial_value"] = initial
    else:
        element = {"type": "plain_text_input", "max_length": f.max_chars,
                   "multiline": f.kind is Kind.LONG_TEXT}  # fmt: skip
        if initial:
            element["initial_value"] = _cut(initial, f.max_chars)
    if f.placeholder and not f.radio:
        element["placeholder"] = plain(f.placeholder)
    return _block(f.name, f.label, element, f.hint, optional=not f.required)


def _block(name: str, label: str, element: Block, hint: str = "", optional: bool = False) -> Block:
    block_id, action_id = FORM_IDS[name]
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


def _cut(text: str, units: int) -> str:
    # Slack refuses a view whose initial value is longer than the element allows, and may
    # count an emoji as two (UTF-16); a stored value is never cut unless it would not fit.
    text = text[:units]
    while slack_length(text) > units:
        text = text[:-1]
    return text


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(truncate_plain(text, 75)), "value": value[:75]}


def _choice_element(f: Field, current: str) -> Block:
    options = [_option(label, value) for value, label in f.choices]
    element: Block = {"type": "radio_buttons" if f.radio else "static_select", "options": options}
    for option in options:
        if option["value"] == current:
            element["initial_option"] = option
    return element


def _plausible_email(text: str, limit: int) -> bool:
    return 0 < len(text) <= limit and looks_like_email(text)


def _consent_input() -> Block:
    element: Block = {"type": "checkboxes", "options": [_option(CONSENT_TEXT, CONSENT_VALUE)]}
    # Never ticked in advance: consent is given afresh with each submission.
    return _block(CONSENT, "Consent", element, hint=CONSENT_HINT)


# -- the submission ---------------------------------------------------------------------------


def parse_submission(view: object) -> dict[str, object]:
    """The submitted form as validate_registration takes it; anything missing or odd is empty."""
    values = _mapping(_mapping(_mapping(view).get("state")).get("values"))

    def element(name: str) -> Mapping[str, Any]:
        block_id, action_id = FORM_IDS[name]
        return _mapping(_mapping(values.get(block_id)).get(action_id))

    parsed: dict[str, object] = {
        f.name: _selected(element(f.name)) if f.kind is Kind.CHOICE else _value(element(f.name))
        for f in FIELDS
    }
    parsed[CONSENT] = CONSENT_VALUE in _selected_values(element(CONSENT))
    return parsed


def unexpected_form(values: object) -> bool:
    """True when a submission's state holds blocks or inputs that our modal does not have."""
    if not isinstance(values, Mapping):
        return values is not None
    expected = dict(FORM_IDS.values())
    for block, inputs in values.items():
        if block not in expected or not isinstance(inputs, Mapping):
            return True
        if any(action_id != expected[block] for action_id in inputs):
            return True
    return False


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
        FORM_IDS[name][0]: truncate_plain(message, MAX_ERROR)
        for name, message in errors.items()
        if name in FORM_IDS
    }
    if not shown:
        # An error Slack cannot place would close the modal as if all went well.
        shown[FIRST_BLOCK] = FORM_PROBLEM
    return {"response_action": "errors", "errors": shown}


def busy_errors() -> dict[str, Any]:
    """The view_submission reply when the data file is locked: nothing was stored."""
    return {"response_action": "errors", "errors": {FIRST_BLOCK: BUSY_ERROR}}
