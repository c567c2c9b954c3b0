"""The registration modal's `view_submission`, built as Slack sends it (form-encoded payload)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from slack_requests import API_APP_ID, ASKER, TEAM_ID

from bot.registrations.views import CONSENT_VALUE, FORM_IDS
from bot.slack.ids import REGISTRATION_CALLBACK

GOOD_FORM: dict[str, Any] = {
    "organisation": "Department for Work and Pensions",
    "service": "Occupational health",
    "staff_count": "1,200",
    "region": "North East",
    "stage": "business_case",
    "description": "We run occupational health for the region.",
    "email": "alex@example.gov.uk",
    "consent": True,
}


def state_values(**overrides: Any) -> dict[str, Any]:
    """`view.state.values` of the filled-in modal; any field may be replaced."""
    form = {**GOOD_FORM, **overrides}

    def chosen(kind: str, value: Any) -> dict[str, Any]:
        option = {"text": {"type": "plain_text", "text": str(value)}, "value": value}
        return {"type": kind, "selected_option": option if value else None}

    consent = [{"value": CONSENT_VALUE}] if form["consent"] else []
    elements = {
        "organisation": {"type": "plain_text_input", "value": form["organisation"]},
        "service": {"type": "plain_text_input", "value": form["service"]},
        "staff_count": {"type": "plain_text_input", "value": form["staff_count"]},
        "region": chosen("static_select", form["region"]),
        "stage": chosen("radio_buttons", form["stage"]),
        "description": {"type": "plain_text_input", "value": form["description"]},
        "email": {"type": "email_text_input", "value": form["email"]},
        "consent": {"type": "checkboxes", "selected_options": consent},
    }
    return {FORM_IDS[name][0]: {FORM_IDS[name][1]: element} for name, element in elements.items()}


def submission_body(user: str = ASKER, **overrides: Any) -> str:
    """A form-encoded `payload=` view_submission of the registration modal."""
    view = {
        "id": "V0MODAL01", "team_id": TEAM_ID, "type": "modal", "blocks": [],
        "private_metadata": "", "callback_id": REGISTRATION_CALLBACK, "hash": "h1",
        "state": {"values": state_values(**overrides)},
    }  # fmt: skip
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "someone", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "trigger_id": "1337.44.abcd",
        "view": view,
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})
