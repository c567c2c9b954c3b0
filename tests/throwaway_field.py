"""Run as a script: add a throwaway field to the one declaration, then check that it reaches
the form, validation, storage, change detection, messages, CSV and the CLI table.

It runs in a process of its own (tests/test_registration_fields.py), so the field is added
before any module derives anything from the declaration. Prints one JSON object of checks.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.registrations import fields

fields.FIELDS = (
    *fields.FIELDS,
    fields.Field("department", "Department", fields.Kind.TEXT, missing="Enter your department."),
)

from bot.cli.registrations import registrations_table  # noqa: E402
from bot.data.db import DataStore  # noqa: E402
from bot.registrations import messages, views  # noqa: E402
from bot.registrations.form import validate_registration  # noqa: E402
from bot.registrations.store import (  # noqa: E402
    get_registration,
    list_registrations,
    registrations_csv,
    save_registration,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FORM = {
    "organisation": "Council", "service": "Libraries", "staff_count": "40",
    "region": "London", "stage": "ready", "description": "", "email": "a@example.gov.uk",
    "department": "Culture", "consent": True,
}  # fmt: skip


def submission(values: dict[str, object]) -> dict[str, object]:
    state: dict[str, object] = {}
    for name, value in values.items():
        block, action = views.FORM_IDS[name]
        if name in ("region", "stage"):
            element: object = {"selected_option": {"value": value}}
        elif name == "consent":
            element = {"selected_options": [{"value": views.CONSENT_VALUE}]}
        else:
            element = {"value": value}
        state[block] = {action: element}
    return {"state": {"values": state}}


def main() -> None:
    checks: dict[str, bool] = {}
    modal = views.registration_modal(None, None, "")
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    checks["modal"] = inputs.get("reg_department", {}).get("label", {}).get("text") == "Department"
    parsed = views.parse_submission(submission(FORM))
    checks["parse"] = parsed.get("department") == "Culture"
    _, errors = validate_registration({**parsed, "department": "  "})
    shown = views.errors_response(errors)["errors"]
    checks["validation"] = shown == {"reg_department": "Enter your department."}
    form, _ = validate_registration(parsed)
    assert form is not None
    with tempfile.TemporaryDirectory() as tmp, DataStore(Path(tmp) / "data.sqlite3") as data:
        first = save_registration(data, "T1", "U1", form, NOW)
        stored = get_registration(data, "T1", "U1")
        checks["storage"] = stored is not None and stored.department == "Culture"
        again = save_registration(data, "T1", "U1", form, NOW + timedelta(hours=1))
        edited, _ = validate_registration({**parsed, "department": "Digital"})
        assert edited is not None
        moved = save_registration(data, "T1", "U1", edited, NOW + timedelta(hours=2))
        checks["change detection"] = first.changed and not again.changed and moved.changed
        reg = moved.registration
        checks["messages"] = all(
            "Digital" in json.dumps(blocks)
            for blocks in (messages.confirmation_blocks(reg), messages.status_blocks(reg),
                           messages.admin_notice_blocks(reg, created=False))
        )  # fmt: skip
        csv = registrations_csv(list_registrations(data))
        checks["csv"] = "department" in csv.splitlines()[0] and "Digital" in csv
        table = registrations_table(list_registrations(data))
        checks["cli table"] = "department" in table.splitlines()[0] and "Digital" in table
    json.dump(checks, sys.stdout)


if __name__ == "__main__":
    main()
