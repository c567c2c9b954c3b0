"""Registrations: validation of untrusted form input, one row per person, real deletion, export."""

from __future__ import annotations

import csv
import io
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from data_fixtures import NOW, file_bytes, valid_fields, valid_input
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from bot.data.db import DataStore, open_data
from bot.registrations.fields import REGIONS, STAGES, Values
from bot.registrations.form import validate_registration
from bot.registrations.store import (
    Registration,
    delete_registration,
    forget_user,
    get_registration,
    list_registrations,
    registration_summary,
    registrations_csv,
    save_registration,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_data(tmp_path / "data.sqlite3")
    yield database
    database.close()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation", None),
        ("organisation", "   "),
        ("organisation", "\x00\x07\x1b"),
        ("organisation", "x" * 201),
        ("organisation", 42),
        ("service", "🙂" * 201),
        ("service", "政府" * 101),
        ("staff_count", ""),
        ("staff_count", "12.5"),
        ("staff_count", "-3"),
        ("staff_count", "abc"),
        ("staff_count", "1e3"),
        ("staff_count", "1,2,3"),
        ("staff_count", "1_000"),
        ("staff_count", "١٢"),
        ("staff_count", "0"),
        ("staff_count", "1000001"),
        ("staff_count", True),
        ("staff_count", 12.5),
        ("region", "Mars"),
        ("region", "london"),
        ("region", None),
        ("stage", "<!channel>"),
        ("stage", "Just exploring"),
        ("description", "x" * 1001),
        ("description", "é" * 1001),
        ("email", ""),
        ("email", "no-at-sign"),
        ("email", "a@b"),
        ("email", "a@@b.gov.uk"),
        ("email", "@b.gov.uk"),
        ("email", "a@.gov.uk"),
        ("email", "a b@c.gov.uk"),
        ("email", "<!channel>@c.gov.uk"),
        ("email", "a@c.gov.uk\x00"),
        ("email", "a" * 250 + "@c.gov.uk"),
        ("consent", None),
        ("consent", False),
        ("consent", ""),
        ("consent", "false"),
    ],
)
def test_bad_input_is_rejected_with_a_message(field: str, value: object) -> None:
    data, errors = validate_registration(valid_fields(**{field: value}))
    assert data is None
    assert list(errors) == [field]
    assert errors[field].endswith(".")


def test_every_missing_field_is_reported_at_once() -> None:
    data, errors = validate_registration({"unexpected": "ignored"})
    assert data is None
    assert set(errors) == {"organisation", "service", "staff_count", "region", "stage", "email",
                           "consent"}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("organisation", "<!channel> & <@U123>", "<!channel> & <@U123>"),
        ("organisation", "  NHS\tTrust \x00\u202e ", "NHS Trust"),
        ("organisation", "Team 🙂 👩\u200d⚕️", "Team 🙂 👩\u200d⚕️"),
        ("organisation", "Llywodraeth Cymru — 政府 — Δήμος", "Llywodraeth Cymru — 政府 — Δήμος"),
        ("organisation", unicodedata.normalize("NFD", "Caerdydd Café"), "Caerdydd Café"),
        ("organisation", "x" * 200, "x" * 200),
        ("staff_count", "1,200", 1200),
        ("staff_count", " 12 ", 12),
        ("staff_count", 7, 7),
        ("staff_count", "1,000,000", 1_000_000),
        ("description", "line one\r\nline two\x07\n\n", "line one\nline two"),
        ("description", None, ""),
        ("description", "é" * 1000, "é" * 1000),
        ("email", "  alex.o'neil+mutual@example.gov.uk ", "alex.o'neil+mutual@example.gov.uk"),
    ],
)
def test_good_input_is_cleaned_not_mangled(field: str, value: object, stored: object) -> None:
    data, errors = validate_registration(valid_fields(**{field: value}))
    assert errors == {}
    assert getattr(data, field) == stored


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=1_000_000))
def test_staff_count_accepts_thousands_separators(count: int) -> None:
    data, _ = validate_registration(valid_fields(staff_count=f" {count:,} "))
    assert data is not None and data.staff_count == count


def test_save_then_update_keeps_one_row_and_created_at(db: Database) -> None:
    first, created, _ = save_registration(db, "T1", "U1", valid_input(), NOW)
    later = NOW + timedelta(hours=3)
    second, created_again, _ = save_registration(db, "T1", "U1", valid_input(stage="ready"), later)
    assert (created, created_again) == (True, False)
    assert db.table("registrations").count == 1
    assert second.created_at == first.created_at == NOW
    assert second.updated_at == later != first.updated_at
    assert second.stage == "ready" and second.stage_label == "Ready to spin out"
    assert get_registration(db, "T1", "U1") == second


def test_registration_is_per_workspace_and_user(db: Database) -> None:
    save_registration(db, "T1", "U1", valid_input(), NOW)
    save_registration(db, "T2", "U1", valid_input(), NOW)
    assert get_registration(db, "T1", "U2") is None
    assert db.table("registrations").count == 2


def test_a_naive_clock_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="timezone"):
        save_registration(db, "T1", "U1", valid_input(), NOW.replace(tzinfo=None))


def test_delete_leaves_no_copy_in_the_file_or_wal(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    secret = "quokka-zebra-4711@example.gov.uk"
    db = open_data(path)
    save_registration(db, "T1", "U1", valid_input(email=secret, description="kept? " * 40), NOW)
    save_registration(db, "T1", "U2", valid_input(), NOW)
    assert secret.encode() in file_bytes(path)

    assert delete_registration(db, "T1", "U1") is True
    assert secret.encode() not in file_bytes(path)
    assert delete_registration(db, "T1", "U1") is False
    db.close()
    assert secret.encode() not in file_bytes(path)
    with open_data(path) as reopened:
        assert [r.user_id for r in list_registrations(reopened)] == ["U2"]


def test_threads_register_concurrently_without_lock_errors(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "data.sqlite3")
    errors: list[BaseException] = []
    form = valid_input()

    def register(thread: int) -> None:
        try:
            for i in range(50):
                save_registration(store, "T1", f"U{thread}-{i}", form, NOW)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert errors == []
    with open_data(tmp_path / "data.sqlite3") as db:
        assert db.table("registrations").count == 400


def test_list_and_summary_are_newest_first(db: Database) -> None:
    for n in range(12):
        region = REGIONS[n % 2]
        save_registration(db, "T1", f"U{n}", valid_input(region=region), NOW + timedelta(n))
    users = [r.user_id for r in list_registrations(db)]
    assert users == [f"U{n}" for n in reversed(range(12))]

    summary = registration_summary(db)
    assert summary.total == 12
    assert summary.counts["stage"] == {value: (12 if value == "just_exploring" else 0)
                                   for value, _ in STAGES}  # fmt: skip
    assert summary.counts["region"][REGIONS[0]] == summary.counts["region"][REGIONS[1]] == 6
    assert list(summary.counts["region"]) == list(REGIONS)
    assert [r.user_id for r in summary.newest] == users[:10]


def test_empty_summary(db: Database) -> None:
    summary = registration_summary(db)
    assert summary.total == 0 and summary.newest == []
    assert set(summary.counts["region"].values()) == {0}


def test_forget_user_removes_them_from_every_workspace(db: Database) -> None:
    for team in ("T1", "T2"):
        save_registration(db, team, "U1", valid_input(), NOW)
    save_registration(db, "T1", "U2", valid_input(), NOW)
    assert forget_user(db, "U1") == 2
    assert forget_user(db, "U1") == 0
    assert [(r.team_id, r.user_id) for r in list_registrations(db)] == [("T1", "U2")]


def _changed(reg: Registration, user_id: str, **values: str) -> Registration:
    return replace(reg, user_id=user_id, values=Values({**reg.values, **values}))


def test_csv_round_trips_and_neutralises_formulas(db: Database) -> None:
    save_registration(db, "T1", "U1", valid_input(description='Line 1\nsaid "hi", 政府 🙂'), NOW)
    plain = get_registration(db, "T1", "U1")
    assert plain is not None
    risky = [
        _changed(plain, user_id="U2", organisation='=HYPERLINK("http://x","y")'),
        _changed(plain, user_id="U3", service="+1+1", description="-2"),
        _changed(plain, user_id="U4", organisation="@SUM(A1)", service="\tcmd", description="\rx"),
    ]
    rows = list(csv.reader(io.StringIO(registrations_csv([plain, *risky]))))

    header, first, *others = rows
    assert header[:3] == ["team_id", "user_id", "organisation"] and len(header) == 12
    record = dict(zip(header, first, strict=True))
    assert record["description"] == plain.description
    assert record["staff_count"] == "120"
    assert record["created_at"] == "2025-03-01T12:00:00.000000+00:00"
    cells = [dict(zip(header, row, strict=True)) for row in others]
    assert cells[0]["organisation"] == '\'=HYPERLINK("http://x","y")'
    assert (cells[1]["service"], cells[1]["description"]) == ("'+1+1", "'-2")
    assert [cells[2][k] for k in ("organisation", "service", "description")] == [
        "'@SUM(A1)", "'\tcmd", "'\rx"]  # fmt: skip


def test_csv_of_nothing_is_just_the_header() -> None:
    assert registrations_csv([]).count("\n") == 1


def test_an_email_change_leaves_no_copy_of_the_old_email_in_the_file_or_wal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.sqlite3"
    old, new = "old-quokka-4711@example.gov.uk", "new-wombat-4712@example.gov.uk"
    db = open_data(path)
    save_registration(db, "T1", "U1", valid_input(email=old), NOW)
    save_registration(db, "T1", "U2", valid_input(), NOW)
    assert old.encode() in file_bytes(path)

    saved = save_registration(db, "T1", "U1", valid_input(email=new), NOW)
    assert saved.changed and saved.registration.email == new
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or old.encode() not in wal.read_bytes()
    assert old.encode() not in file_bytes(path)
    db.close()
    assert old.encode() not in file_bytes(path)
