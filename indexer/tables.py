"""The tables: pathfinders.csv (one row per pathfinder) and synonyms.yaml (term groups)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from indexer.model import Pathfinder, Problem, Source
from indexer.pages import DOC_ID
from indexer.parsing import as_date, parse_yaml, read_text, relative

PATHFINDER_COLUMNS = (
    "id",
    "name",
    "wave",
    "description",
    "place",
    "sector",
    "intended_form",
    "outcome",
    "outcome_date",
    "as_of",
    "sources",
)
_SOURCE_ITEM = re.compile(r"^\s*(?P<title>[^<>;]+?)\s*<(?P<url>https?://[^\s<>]+)>\s*$")


def load_pathfinders(path: Path, root: Path, problems: list[Problem]) -> list[Pathfinder]:
    if not path.exists():
        return []
    rel = relative(path, root)
    text = read_text(path, rel, problems)
    if text is None:
        return []
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(rel, 1, "empty file: expected a header row"))
        return []
    except csv.Error as exc:
        problems.append(Problem(rel, 1, f"malformed CSV: {exc}"))
        return []
    if tuple(h.strip() for h in header) != PATHFINDER_COLUMNS:
        expected = ",".join(PATHFINDER_COLUMNS)
        problems.append(Problem(rel, 1, f"header must be exactly: {expected}"))
        return []
    rows = []
    try:
        for cells in reader:
            row = _pathfinder_row(cells, rel, reader.line_num, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(Problem(rel, reader.line_num, f"malformed CSV row: {exc}"))
    return rows


def _pathfinder_row(
    cells: list[str], rel: str, line: int, problems: list[Problem]
) -> Pathfinder | None:
    if not any(c.strip() for c in cells):
        return None
    if len(cells) != len(PATHFINDER_COLUMNS):
        reason = f"malformed CSV row: {len(cells)} fields, expected {len(PATHFINDER_COLUMNS)}"
        problems.append(Problem(rel, line, reason))
        return None
    row = {k: v.strip() for k, v in zip(PATHFINDER_COLUMNS, cells, strict=True)}
    before = len(problems)
    for key in ("id", "name", "description"):
        if not row[key]:
            problems.append(Problem(rel, line, f"missing {key}"))
    if row["id"] and not DOC_ID.match(row["id"]):
        problems.append(Problem(rel, line, f"id {row['id']!r} must be lowercase-hyphenated"))
    as_of = as_date(row["as_of"], rel, line, problems)
    sources = _csv_sources(row["sources"], rel, line, problems)
    if len(problems) > before:
        return None
    fields = {k: row[k] for k in PATHFINDER_COLUMNS if k not in ("as_of", "sources")}
    return Pathfinder(**fields, as_of=as_of, sources=sources, line=line)


def _csv_sources(value: str, rel: str, line: int, problems: list[Problem]) -> tuple[Source, ...]:
    if not value:
        problems.append(Problem(rel, line, "no sources (items 'Title <https://url>')"))
        return ()
    sources = []
    for item in value.split(";"):
        match = _SOURCE_ITEM.match(item)
        if match is None:
            problems.append(Problem(rel, line, f"source {item.strip()!r} is not 'Title <url>'"))
        else:
            sources.append(Source(match["title"], match["url"]))
    return tuple(sources)


def load_synonyms(path: Path, root: Path, problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    if not path.exists():
        return ()
    rel = relative(path, root)
    text = read_text(path, rel, problems)
    if text is None:
        return ()
    data = parse_yaml(text, rel, 0, problems)
    if data is None and problems and problems[-1].file == rel:
        return ()
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        problems.append(Problem(rel, 1, "expected a mapping with a 'groups' list"))
        return ()
    names = data.get("names", []) if isinstance(data, dict) else []
    if not isinstance(names, list):
        problems.append(Problem(rel, 1, "'names' must be a list of groups"))
        names = []
    lines = text.splitlines()
    result = [*_groups(groups, lines, "groups", rel, problems, keep_case=False)]
    result += _groups(names, lines, "names", rel, problems, keep_case=True)
    return tuple(result)


def _groups(groups: list, lines: list[str], key: str, rel: str, problems: list[Problem],
            keep_case: bool) -> list[tuple[str, ...]]:  # fmt: skip
    """The term groups of one list; in `names`, every term but the canonical keeps its case
    (it matches only where written so)."""
    result = []
    for index, group in enumerate(groups):
        line = _group_line(lines, key, index)
        if not isinstance(group, list) or len(group) < 2:
            problems.append(Problem(rel, line, "a synonym group must list at least two terms"))
            continue
        terms = tuple(str(t).strip() for t in group)
        if not all(terms):
            problems.append(Problem(rel, line, "a synonym group has an empty term"))
            continue
        if keep_case and any(t == t.casefold() for t in terms[1:]):
            problems.append(Problem(rel, line, "a name is written with its capitals"))
            continue
        result.append((terms[0].lower(), *(t if keep_case else t.lower() for t in terms[1:])))
    return result


def _group_line(lines: list[str], key: str, index: int) -> int:
    """The 1-based line of the index-th item of the top-level list `key`."""
    seen, inside = -1, False
    for number, line in enumerate(lines, start=1):
        if re.match(r"^[A-Za-z_]+\s*:", line):
            inside = line.split(":", 1)[0].strip() == key
        elif inside and re.match(r"^\s*-\s", line) and not re.match(r"^\s{6,}-", line):
            seen += 1
            if seen == index:
                return number
    return 1
