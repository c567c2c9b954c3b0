"""Registrations of interest as the Slack listeners use them: plain functions, no Slack here.

The admin check lives in these functions, not only in the listeners: a button's action id can be
forged, so every way in (slash command, button, App Home) gets the same refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.data.db import Data, DataBusy, as_database
from bot.data.registrations import (
    Registration,
    RegistrationSummary,
    delete_registration,
    get_registration,
    list_registrations,
    registration_summary,
    registrations_csv,
    save_registration,
    validate_registration,
)
from bot.registration_views import FIELDS
from bot.services import Services

log = logging.getLogger(__name__)

# Slack closes a modal's submission after 3 s: a save waits at most this long for the lock.
SUBMIT_BUSY_TIMEOUT_MS = 2_000
_FORM_BLOCKS = {block_id: action_id for block_id, action_id in FIELDS.values()}
_CONTENT = ("organisation", "service", "staff_count", "region", "stage", "description", "email")


class NotAllowed(Exception):
    """The person asking is not an admin."""


@dataclass(frozen=True)
class Submitted:
    """The outcome of a modal submission: the stored row, or an error per form field."""

    registration: Registration | None = None
    created: bool = False
    changed: bool = False  # new, or different from what was stored before
    errors: dict[str, str] = field(default_factory=dict)
    busy: bool = False  # the data file was locked: nothing stored, try again


@dataclass(frozen=True)
class Export:
    """A CSV export of every registration, ready to upload."""

    filename: str
    content: bytes
    count: int


def registration_of(services: Services, team_id: str, user_id: str) -> Registration | None:
    """This person's registration, or None. May raise DataBusy."""
    if not team_id or not user_id:
        return None
    return get_registration(services.data, team_id, user_id)


def unexpected_form(values: object) -> bool:
    """True when a submission's state holds blocks or inputs that our modal does not have."""
    if not isinstance(values, Mapping):
        return values is not None
    for block_id, inputs in values.items():
        if block_id not in _FORM_BLOCKS or not isinstance(inputs, Mapping):
            return True
        if any(action_id != _FORM_BLOCKS[block_id] for action_id in inputs):
            return True
    return False


def submit_registration(
    services: Services, team_id: str, user_id: str, fields: Mapping[str, object]
) -> Submitted:
    """Validate a submitted form and store it (committed before return), one row per person."""
    form, errors = validate_registration(fields)
    if form is None:
        return Submitted(errors=errors)
    if not team_id or not user_id:
        return Submitted(errors={"organisation": "Something is wrong with the form."})
    try:
        with busy_timeout(services.data, SUBMIT_BUSY_TIMEOUT_MS):
            before = get_registration(services.data, team_id, user_id)
            saved, created = save_registration(
                services.data, team_id, user_id, form, services.now()
            )
    except DataBusy:
        log.warning("registration not saved: data file busy team=%s user=%s", team_id, user_id)
        return Submitted(busy=True)
    changed = before is None or _content(before) != _content(saved)
    return Submitted(saved, created, changed)


def _content(reg: Registration) -> tuple[Any, ...]:
    return tuple(getattr(reg, name) for name in _CONTENT)


def withdraw(services: Services, team_id: str, user_id: str) -> bool:
    """Delete this person's registration for real; False if there was none. May raise DataBusy."""
    return delete_registration(services.data, team_id, user_id)


def require_admin(services: Services, user_id: str) -> None:
    """Raise NotAllowed unless `user_id` is one of the admins in settings."""
    if not user_id or not services.settings.is_admin(user_id):
        log.warning("admin-only registrations request refused user=%s", user_id)
        raise NotAllowed(user_id)


def summary_for(services: Services, user_id: str) -> RegistrationSummary:
    """The admin summary (total, by stage, by region, the ten newest); admins only."""
    require_admin(services, user_id)
    return registration_summary(services.data)


def export_for(services: Services, user_id: str) -> Export:
    """Every registration as UTF-8 CSV, named for today's date; admins only."""
    require_admin(services, user_id)
    found = list_registrations(services.data)
    filename = f"registrations-{services.now().date().isoformat()}.csv"
    return Export(filename, registrations_csv(found).encode("utf-8"), len(found))


@contextmanager
def busy_timeout(data: Data, milliseconds: int) -> Iterator[None]:
    """Wait at most `milliseconds` for the data file's lock inside the block (this thread)."""
    conn = as_database(data).conn
    before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {before}")
