"""`mutuals registrations list|export|forget` over a data file."""

from __future__ import annotations

import csv
import io
import sqlite3
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from data_fixtures import NOW, file_bytes, valid_input

import bot.cli.admin
from bot.cli import main
from bot.data.db import open_data
from bot.registrations.store import get_registration, save_registration
from bot.registrations.views import RETENTION

FORMULA = '=HYPERLINK("https://evil.example","x")'


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    db = open_data(path)
    save_registration(db, "T1", "U1", valid_input(email="one@example.gov.uk"), NOW)
    later = NOW + timedelta(days=1)
    save_registration(
        db, "T1", "U2",
        valid_input(organisation=FORMULA, service="政府サービス 🙂", staff_count="1,500",
                    region="Wales", stage="ready", email="two@example.gov.uk"),
        later,
    )  # fmt: skip
    save_registration(db, "T2", "U2", valid_input(organisation="Other workspace"), later)
    db.close()
    return path


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["registrations", *args], input=input, catch_exceptions=False)


def test_help_states_the_retention() -> None:
    assert RETENTION in " ".join(run("--help").output.split())


def test_list_shows_a_table_without_emails(data_path: Path) -> None:
    result = run("list", "--data", str(data_path))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["created", "organisation", "service", "staff", "region", "stage"]
    assert "2025-03-02" in lines[1] and "1,500" in lines[1] and "Ready to spin out" in lines[1]
    assert "Department for Work and Pensions" in result.output
    assert "@example.gov.uk" not in result.output
    assert "3 registration(s)" in result.output and "12 months" in result.output


def test_list_with_emails(data_path: Path) -> None:
    result = run("list", "--emails", "--data", str(data_path))
    assert result.output.splitlines()[0].split()[-1] == "email"
    assert "one@example.gov.uk" in result.output and "two@example.gov.uk" in result.output


def test_list_reads_the_data_path_from_settings(
    data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUTUALS_DATA_PATH", str(data_path))
    assert "Department for Work and Pensions" in run("list").output


def test_list_of_an_empty_data_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    open_data(path).close()
    assert run("list", "--data", str(path)).output == "No registrations.\n"


def test_list_cleans_control_characters_out_of_stored_text(data_path: Path) -> None:
    conn = sqlite3.connect(data_path)
    with conn:
        conn.execute("UPDATE registrations SET service = ? WHERE user_id = 'U1'", ["a\x1b[2Jb\nc"])
    conn.close()
    output = run("list", "--data", str(data_path)).output
    assert "\x1b" not in output and "a[2Jb c" in output


def test_a_missing_data_file_is_a_clean_error(tmp_path: Path) -> None:
    result = run("list", "--data", str(tmp_path / "nope.sqlite3"))
    assert result.exit_code == 1 and "no data file" in result.output
    assert not (tmp_path / "nope.sqlite3").exists()


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_writes_utf8_csv_that_round_trips(data_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = run("export", "--csv", str(out), "--data", str(data_path))
    assert result.exit_code == 0 and "exported 3 registration(s)" in result.output
    rows = read_csv(out.read_text(encoding="utf-8"))
    assert len(rows) == 3
    assert list(rows[0]) == [
        "team_id", "user_id", "organisation", "service", "staff_count", "region", "stage",
        "description", "email", "consented_at", "created_at", "updated_at",
    ]  # fmt: skip
    formula = next(r for r in rows if r["email"] == "two@example.gov.uk")
    assert formula["organisation"] == "'" + FORMULA  # neutralised: shown as text
    assert formula["service"] == "政府サービス 🙂" and formula["staff_count"] == "1500"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_to_standard_output(data_path: Path) -> None:
    result = run("export", "--csv", "-", "--data", str(data_path))
    rows = read_csv(result.stdout_bytes.decode("utf-8"))
    assert {r["user_id"] for r in rows} == {"U1", "U2"} and len(rows) == 3


def test_export_to_an_unwritable_path_is_a_clean_error(data_path: Path, tmp_path: Path) -> None:
    result = run("export", "--csv", str(tmp_path / "no" / "dir.csv"), "--data", str(data_path))
    assert result.exit_code == 1 and "cannot write" in result.output


def test_forget_deletes_every_registration_of_the_user_for_real(data_path: Path) -> None:
    result = run("forget", "U2", "--yes", "--data", str(data_path))
    assert result.exit_code == 0 and "deleted 2 registration(s) of U2" in result.output
    db = open_data(data_path)
    assert get_registration(db, "T1", "U2") is None and get_registration(db, "T2", "U2") is None
    assert get_registration(db, "T1", "U1") is not None
    db.close()
    assert b"HYPERLINK" not in file_bytes(data_path)


def test_forget_asks_first_and_a_no_deletes_nothing(data_path: Path) -> None:
    result = run("forget", "U1", "--data", str(data_path), input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    db = open_data(data_path)
    assert get_registration(db, "T1", "U1") is not None
    db.close()
    result = run("forget", "U1", "--data", str(data_path), input="y\n")
    assert "deleted 1 registration(s) of U1" in result.output


def test_forget_an_unknown_user(data_path: Path) -> None:
    result = run("forget", "U999", "--yes", "--data", str(data_path))
    assert result.exit_code == 0 and "nothing deleted" in result.output


@pytest.mark.parametrize("user_id", ["", "u1", "U1; DROP TABLE registrations", "%"])
def test_forget_refuses_what_is_not_a_user_id(data_path: Path, user_id: str) -> None:
    result = run("forget", user_id, "--yes", "--data", str(data_path))
    assert result.exit_code == 2 and "not a Slack user id" in result.output


@pytest.fixture
def locked(data_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data file with another connection holding the write lock; a short busy timeout."""
    monkeypatch.setattr(bot.cli.admin, "CLI_BUSY_TIMEOUT_MS", 100)
    conn = sqlite3.connect(data_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield data_path
    conn.execute("ROLLBACK")
    conn.close()


def test_a_locked_data_file_is_a_clean_error(locked: Path) -> None:
    result = run("forget", "U1", "--yes", "--data", str(locked))
    assert result.exit_code == 1
    assert "locked" in result.output and "Traceback" not in result.output
    assert result.output.startswith("Error:")


def test_reading_still_works_while_another_process_writes(locked: Path) -> None:
    assert run("list", "--data", str(locked)).exit_code == 0
