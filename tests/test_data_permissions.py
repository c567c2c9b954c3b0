"""Personal data readable by its owner only, whatever the umask: the data file, its -wal and
-shm, the directory made for it, and `mutuals backup` copies (0600 / 0700). A backup is one
self-contained file; a backup to a directory that does not exist is an error."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from data_fixtures import NOW, valid_input

from bot.cli import main
from bot.data.db import DataStore
from bot.registrations.store import save_registration


@pytest.fixture(autouse=True)
def lax_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def data_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "var" / "data.sqlite3"
    with DataStore(path) as store:
        save_registration(store, "T1", "U1", valid_input(), NOW)
        yield path


def test_the_data_file_its_wal_shm_and_directory_are_private(data_path: Path) -> None:
    assert _mode(data_path.parent) == 0o700
    for name in ("data.sqlite3", "data.sqlite3-wal", "data.sqlite3-shm"):
        assert _mode(data_path.parent / name) == 0o600, name


def test_an_existing_world_readable_data_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    DataStore(path).close()
    assert _mode(path) == 0o600


def _backup(*args: str) -> object:
    return CliRunner().invoke(main, ["backup", *args], catch_exceptions=False)


def test_a_backup_is_one_private_self_contained_file(data_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backups"
    dest.mkdir()
    result = _backup(str(dest) + "/", "--data", str(data_path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    (written,) = list(dest.iterdir())  # no -wal, -shm or .partial beside it
    assert _mode(written) == 0o600
    conn = sqlite3.connect(f"file:{written}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("select count(*) from registrations").fetchone()[0] == 1
    finally:
        conn.close()
    assert list(dest.iterdir()) == [written]


@pytest.mark.parametrize("where", ["no/such/dir/", "nodir/"])
def test_a_backup_to_a_directory_that_does_not_exist_is_an_error(
    data_path: Path, tmp_path: Path, where: str
) -> None:
    result = _backup(str(tmp_path / where) + ("/" if where.endswith("/") else ""),
                     "--data", str(data_path))  # fmt: skip
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "no directory" in result.output  # type: ignore[attr-defined]
    assert not (tmp_path / "nodir").exists()
