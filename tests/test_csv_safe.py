"""CSV exports (registrations, gap reports) are safe in every spreadsheet: every cell quoted,
and formula leaders neutralised, look-alikes and invisible prefixes included."""

from __future__ import annotations

import csv
import io

import pytest

from bot.data.csv_safe import csv_cell, csv_text

RISKY = [
    "=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rx", "\nx",
    "\uff1d1+1",  # full-width ＝
    "\ufe661+1",  # small ﹦
    "\uff0b1", "\uff0d1", "\uff20SUM(A1)",  # ＋ － ＠
    "\ufe621", "\ufe631", "\ufe6bx",  # small ﹢ ﹣ ﹫
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # byte order mark
    "\u200e\u2060=1",  # left-to-right mark, word joiner
    " =1+1", "\u00a0=1",
]  # fmt: skip


@pytest.mark.parametrize("text", RISKY, ids=[repr(t) for t in RISKY])
def test_formula_leaders_and_look_alikes_are_neutralised(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Acme Ltd", "1,200", "O'Brien", "政府 🙂", "", "a=b", "x-1"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert csv_cell(text) == text


def test_every_cell_is_quoted_so_another_separator_cannot_split_it() -> None:
    text = csv_text(["organisation", "n"], [["Acme;=1+1;", 3]])
    assert text.splitlines() == ['"organisation","n"', '"Acme;=1+1;","3"']
    # read with ';' as the separator (LibreOffice's guess): still one cell, starting "Acme
    (row,) = list(csv.reader(io.StringIO(text.splitlines()[1]), delimiter=";"))
    assert not any(cell.lstrip('"').startswith("=") for cell in row)
