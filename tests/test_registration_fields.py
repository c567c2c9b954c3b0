"""One declaration of the registration fields: a field added there reaches everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.registrations.fields import FIELDS, Field, Kind

ROOT = Path(__file__).resolve().parent.parent


def test_a_throwaway_field_flows_through_every_place() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "throwaway_field.py")],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    checks = json.loads(run.stdout)
    assert set(checks) == {"modal", "parse", "validation", "storage", "change detection",
                           "messages", "csv", "cli table"}  # fmt: skip
    assert all(checks.values()), checks


def test_field_names_are_column_names_and_choices_are_given() -> None:
    assert len({f.name for f in FIELDS}) == len(FIELDS)
    for bad in ("Organisation", "drop table", "1st", ""):
        with pytest.raises(ValueError):
            Field(bad, "x", Kind.TEXT)
    with pytest.raises(ValueError):
        Field("colour", "Colour", Kind.CHOICE)
