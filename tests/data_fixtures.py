"""Helpers shared by the data-file tests (conftest.py belongs to the knowledge tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.data.registrations import RegistrationInput, validate_registration

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
