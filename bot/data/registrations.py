"""Registrations of interest in forming a mutual: one per person, editable, really deletable."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, astuple, dataclass, fields
from datetime import datetime
from typing import Any, TypedDict

from sqlite_utils import Database

from bot.data.csv_safe import csv_text
from bot.data.db import Data, as_database, busy_guard, checkpoint, from_iso, iso, write
from bot.data.registration_form import (
    REGIONS,
    STAGE_LABELS,
    STAGES,
    RegistrationInput,
    clean_text,
    validate_registration,
)

__all__ = [
    "REGIONS",
    "STAGES",
    "STAGE_LABELS",
    "Registration",
    "RegistrationInput",
    "RegistrationSummary",
    "clean_text",
    "delete_registration",
    "forget_user",
    "get_registration",
    "list_registrations",
    "registration_summary",
    "registrations_csv",
    "save_registration",
    "validate_registration",
]

log = logging.getLogger(__name__)

_NEWEST_FIRST = "created_at DESC, updated_at DESC, team_id, user_id"

_DELETE_ONE = "DELETE FROM registrations WHERE team_id = ? AND user_id = ?"
_DELETE_USER = "DELETE FROM registrations WHERE user_id = ?"
_COUNT_BY_STAGE = "SELECT stage AS value, count(*) AS n FROM registrations GROUP BY stage"
_COUNT_BY_REGION = "SELECT region AS value, count(*) AS n FROM registrations GROUP BY region"

_UPSERT = """
INSERT INTO registrations (
    team_id, user_id, organisation, service, staff_count, region, stage, description, email,
    consented_at, created_at, updated_at
) VALUES (
    :team_id, :user_id, :organisation, :service, :staff_count, :region, :stage, :description,
    :email, :now, :now, :now
)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    organisation = excluded.organisation, service = excluded.service,
    staff_count = excluded.staff_count, region = excluded.region, stage = excluded.stage,
    description = excluded.description, email = excluded.email,
    consented_at = excluded.consented_at, updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class Registration:
    """One person's stored registration of interest."""

    team_id: str
    user_id: str
    organisation: str
    service: str
    staff_count: int
    region: str
    stage: str
    description: str
    email: str
    consented_at: datetime
    created_at: datetime
    updated_at: datetime

    @property
    def stage_label(self) -> str:
        """The stage as people read it."""
        return STAGE_LABELS.get(self.stage, self.stage)


class RegistrationSummary(TypedDict):
    """Totals for the admin summary."""

    total: int
    by_stage: dict[str, int]
    by_region: dict[str, int]
    newest: list[Registration]


def _from_row(row: dict[str, Any]) -> Registration:
    values = dict(row)
    for name in ("consented_at", "created_at", "updated_at"):
        values[name] = from_iso(values[name])
    return Registration(**values)


def _select(
    db: Database, where: str | None, params: list[str], limit: int | None = None
) -> list[Registration]:
    with busy_guard():
        table = db.table("registrations")
        rows = table.rows_where(where, params, order_by=_NEWEST_FIRST, limit=limit)
        return [_from_row(row) for row in rows]


def save_registration(
    data: Data, team_id: str, user_id: str, form: RegistrationInput, now: datetime
) -> tuple[Registration, bool]:
    """Create or update this person's registration, committed before return; (row, created)."""
    if not team_id or not user_id:
        raise ValueError("team_id and user_id are required")
    db = as_database(data)
    params = {**asdict(form), "team_id": team_id, "user_id": user_id, "now": iso(now)}
    with write(db):
        created = get_registration(db, team_id, user_id) is None
        db.execute(_UPSERT, params)
        saved = get_registration(db, team_id, user_id)
    assert saved is not None
    action = "created" if created else "updated"
    log.info("registration %s team=%s user=%s", action, team_id, user_id)
    return saved, created


def get_registration(data: Data, team_id: str, user_id: str) -> Registration | None:
    """This person's registration in this workspace, if any."""
    found = _select(as_database(data), "team_id = ? AND user_id = ?", [team_id, user_id])
    return found[0] if found else None


def list_registrations(data: Data) -> list[Registration]:
    """Every registration, newest first."""
    return _select(as_database(data), None, [])


def delete_registration(data: Data, team_id: str, user_id: str) -> bool:
    """Delete this person's registration for real (WAL checkpointed); False if there was none."""
    return _delete(as_database(data), _DELETE_ONE, [team_id, user_id]) > 0


def forget_user(data: Data, user_id: str) -> int:
    """Delete every registration this user made, in any workspace; the number deleted."""
    return _delete(as_database(data), _DELETE_USER, [user_id])


def _delete(db: Database, sql: str, params: list[str]) -> int:
    with write(db):
        count = db.execute(sql, params).rowcount
    if count:
        # secure_delete zeroes the freed space in the data file; the checkpoint then drops
        # the WAL frames that still hold the row as it was before the deletion.
        checkpoint(db)
        log.info("registrations deleted: %d", count)
    return count


def registration_summary(data: Data, newest: int = 10) -> RegistrationSummary:
    """Total, counts by stage and by region (every choice listed), and the newest registrations."""
    db = as_database(data)
    with busy_guard():
        by_stage = _counts(db, _COUNT_BY_STAGE, [value for value, _ in STAGES])
        by_region = _counts(db, _COUNT_BY_REGION, list(REGIONS))
    return {
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "by_region": by_region,
        "newest": _select(db, None, [], limit=newest),
    }


def _counts(db: Database, sql: str, choices: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(choices, 0)
    for row in db.query(sql):
        counts[row["value"]] = row["n"]
    return counts


def registrations_csv(registrations: Iterable[Registration]) -> str:
    """CSV text with a header row, each cell neutralised against spreadsheet formulas."""
    header = [field.name for field in fields(Registration)]
    return csv_text(header, (astuple(r) for r in registrations))
