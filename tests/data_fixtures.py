"""Helpers shared by the data-file tests (conftest.py belongs to the knowledge tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.data.db import DataStore
from bot.data.usage import log_question
from bot.registrations.form import RegistrationInput, validate_registration

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def valid_fields(**overrides: object) -> dict[str, object]:
    """A registration form that passes validation, with some fields replaced."""
    fields: dict[str, object] = {
        "organisation": "Department for Work and Pensions",
        "service": "Occupational health",
        "staff_count": "120",
        "region": "North East",
        "stage": "just_exploring",
        "description": "We run occupational health for the region.",
        "email": "alex@example.gov.uk",
        "consent": True,
    }
    fields.update(overrides)
    return fields


def valid_input(**overrides: object) -> RegistrationInput:
    """A validated registration input, with some form fields replaced."""
    data, errors = validate_registration(valid_fields(**overrides))
    assert data is not None, errors
    return data


def file_bytes(path: Path) -> bytes:
    """The raw bytes of a data file and of its WAL, if one exists."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@contextmanager
def questions_being_logged(path: Path, at_least: int = 50) -> Iterator[list[int]]:
    """Another thread logs questions into `path` until the block ends; yields the ids
    committed so far (the list grows), once at least `at_least` are in."""
    store = DataStore(path)
    committed: list[int] = []
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            committed.append(log_question(store, "q" * 200, True, None, 1.0, NOW, "dm"))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(committed) < at_least and writer.is_alive():
            stop.wait(0.005)
        assert writer.is_alive(), "the writer stopped early"
        yield committed
    finally:
        stop.set()
        writer.join(timeout=10)
        store.close()
