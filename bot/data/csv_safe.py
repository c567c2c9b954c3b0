"""CSV that is safe to open in a spreadsheet: every cell quoted, and cells that would run as
formulas neutralised, in this one place (registrations export, gap reports)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.data.db import iso

_FORMULA_STARTS = frozenset("=+-@")
_CONTROL_STARTS = ("\t", "\r", "\n")


def _leader(text: str) -> str:
    """The first character a spreadsheet may act on: invisible format characters (zero-width
    space, BOM, direction marks) and spaces skipped, look-alikes (full-width ＝, small ﹦, ＋,
    －, ＠) folded to what they look like (NFKC)."""
    for char in text:
        if unicodedata.category(char) == "Cf" or char == " " or char == "\u00a0":
            continue
        return unicodedata.normalize("NFKC", char)[:1]
    return ""


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this cell as a formula (or a command to run)."""
    return text.startswith(_CONTROL_STARTS) or _leader(text) in _FORMULA_STARTS


def csv_cell(value: object) -> str:
    """A cell's text; a leading quote makes spreadsheets show a formula-like value as text."""
    text = iso(value) if isinstance(value, datetime) else str(value)
    return "'" + text if is_formula_like(text) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header row, every cell passed through `csv_cell` and quoted: a quoted cell
    stays one cell whatever separator the spreadsheet guesses (`Acme;=1+1;` with `;`)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()
