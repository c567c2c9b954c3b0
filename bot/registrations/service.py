"""Registrations of interest as the Slack surfaces use them: plain functions, no Slack here.

The admin check lives in these functions, not in the listeners: a button's action id can be
forged, so every way in (slash command, button, App Home) gets the same refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.data.db import Data, DataBusy, as_database
from bot.registrations.form import validate_registration
from bot.registrations.store import (
    Registration,
    RegistrationSummary,
    delete_registration,
    get_registration,
    list_registrations,
    registration_summary,
    registrations_csv,
    save_registration,
)
from bot.services import Services

log = logging.getLogger(__name__)

# Slack closes a modal's submission after 3 s: a save waits at most this long for the lock.
SUBMIT_BUSY_TIMEOUT_MS = 2_000


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


def submit_registration(
    services: Services, team_id: str, user_id: str, fields: Mapping[str, object]
) -> Submitted:
    """Validate a submitted form and store it (committed before return), one row per person."""
    form, errors = validate_registration(fields)
    if form is None:
        return Submitted(errors=errors)
    if not team_id or not user_id:
        return Submitted(errors={"": "Something is wrong with the form."})
    try:
        with busy_timeout(services.data, SUBMIT_BUSY_TIMEOUT_MS):
            saved = save_registration(services.data, team_id, user_id, form, services.now())
    except DataBusy:
        log.warning("registration not saved: data file busy team=%s user=%s", team_id, user_id)
        return Submitted(busy=True)
    return Submitted(saved.registration, saved.created, saved.changed)


def withdraw(services: Services, team_id: str, user_id: str) -> bool:
    """Delete this person's registration for real; False if there was none. May raise DataBusy."""
    return delete_registration(services.data, team_id, user_id)


def summary_for(services: Services, user_id: str) -> RegistrationSummary:
    """The admin summary (total, counts per choice, the ten newest); admins only."""
    services.require_admin(user_id)
    return registration_summary(services.data)


def export_for(services: Services, user_id: str) -> Export:
    """Every registration as UTF-8 CSV, named for today's date; admins only."""
    services.require_admin(user_id)
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
