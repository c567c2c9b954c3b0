"""Registrations of interest in the data file: one per person, editable, really deletable.

The columns are the declared fields (fields.py) beside the person's ids and three times; a
field added to the declaration gets its column the first time a registration is written.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlite_utils import Database

from bot.data.csv_safe import csv_text
from bot.data.db import Data, as_database, busy_guard, checkpoint, from_iso, iso, write
from bot.registrations.fields import FIELDS, Value, Values

log = logging.getLogger(__name__)

TABLE = "registrations"
_PK = ("team_id", "user_id")
_TIMES = ("consented_at", "created_at", "updated_at")
_NEWEST_FIRST = "created_at DESC, updated_at DESC, team_id, user_id"
_DELETE_ONE = "DELETE FROM registrations WHERE team_id = ? AND user_id = ?"
_DELETE_USER = "DELETE FROM registrations WHERE user_id = ?"


@dataclass(frozen=True)
class Registration:
    """One person's stored registration of interest; its values read as attributes too."""

    team_id: str
    user_id: str
    values: Values
    consented_at: datetime
    created_at: datetime
    updated_at: datetime

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not attributes: the declared fields' values.
        if name == "values":  # not yet set (copying, unpickling)
            raise AttributeError(name)
        return getattr(self.values, name)

    def shown(self, name: str) -> str:
        """A field's value as people read it (a choice's label, 1,200)."""
        return next(f.shown(self.values[name]) for f in FIELDS if f.name == name)

    @property
    def stage_label(self) -> str:
        return self.shown("stage")


class Saved(NamedTuple):
    registration: Registration
    created: bool
    changed: bool  # new, or a value differs from what was stored before


@dataclass(frozen=True)
class RegistrationSummary:
    """Totals for the admin summary: per counted field, registrations per choice (every choice
    listed, in the declared order); the newest registrations."""

    total: int
    counts: Mapping[str, Mapping[str, int]]
    newest: list[Registration]


def _from_row(row: Mapping[str, Any]) -> Registration:
    values: dict[str, Value] = {}
    for f in FIELDS:
        stored = row.get(f.name)
        values[f.name] = f.empty if stored is None else stored
    times = [from_iso(row[name]) for name in _TIMES]
    return Registration(row["team_id"], row["user_id"], Values(values), *times)


def _select(
    db: Database, where: str | None, params: list[str], limit: int | None = None
) -> list[Registration]:
    with busy_guard():
        if not db[TABLE].exists():
            return []
        rows = db.table(TABLE).rows_where(where, params, order_by=_NEWEST_FIRST, limit=limit)
        return [_from_row(row) for row in rows]


def save_registration(data: Data, team_id: str, user_id: str, form: Values, now: datetime) -> Saved:
    """Create or update this person's registration, committed before return."""
    if not team_id or not user_id:
        raise ValueError("team_id and user_id are required")
    db = as_database(data)
    values = {f.name: form[f.name] for f in FIELDS}
    stamp = iso(now)
    with write(db):
        before = get_registration(db, team_id, user_id)
        table = db.table(TABLE)
        if before is None:
            record = {"team_id": team_id, "user_id": user_id, **values, "consented_at": stamp,
                      "created_at": stamp, "updated_at": stamp}  # fmt: skip
            table.insert(record, alter=True)
        else:
            table.update((team_id, user_id), {**values, "consented_at": stamp,
                                              "updated_at": stamp}, alter=True)  # fmt: skip
        saved = get_registration(db, team_id, user_id)
    assert saved is not None
    changed = before is None or before.values != saved.values
    if before is not None and changed:
        # The old values stay in the WAL until it is checkpointed: an edit is a deletion of
        # what was there before (an old email address must not linger).
        checkpoint(db)
    log.info("registration %s team=%s user=%s", "created" if before is None else "updated",
             team_id, user_id)  # fmt: skip
    return Saved(saved, before is None, changed)


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
    """Total, counts per choice of each counted field, and the newest registrations."""
    found = list_registrations(data)
    counts = {
        f.name: {value: 0 for value, _ in f.choices}
        | Counter(str(reg.values[f.name]) for reg in found)
        for f in FIELDS
        if f.counted
    }
    return RegistrationSummary(len(found), counts, found[:newest])


def registrations_csv(registrations: Iterable[Registration]) -> str:
    """CSV text with a header row, each cell neutralised against spreadsheet formulas."""
    header = [*_PK, *(f.name for f in FIELDS), *_TIMES]
    rows = (
        [r.team_id, r.user_id, *r.values.values(), *(getattr(r, t) for t in _TIMES)]
        for r in registrations
    )
    return csv_text(header, rows)
