"""Low-level readers shared by the page and table loaders; each records problems, never raises."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from indexer.model import Problem

# libyaml's parser when PyYAML has it (ten times faster on a department's thousands of pages).
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML that leaves dates as text, so a bad date is reported, not raised."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, 1, f"not UTF-8 text ({exc.reason})"))
    except OSError as exc:
        problems.append(Problem(rel, 0, f"cannot read: {exc.strerror}"))
    return None


def parse_yaml(text: str, rel: str, offset: int, problems: list[Problem]) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = offset + (mark.line + 1 if mark is not None else 0)
        problems.append(Problem(rel, line, f"YAML error: {exc.problem or exc}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(rel, offset, f"YAML error: {exc}"))
    return None


def as_date(value: object, rel: str, line: int, problems: list[Problem]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(rel, line, f"bad date {value!r} (use YYYY-MM-DD)"))
        return None


def relative(path: Path, root: Path) -> str:
    """`path` as problems name it: relative to the knowledge directory, with forward slashes."""
    return path.relative_to(root).as_posix()


def slug(text: str) -> str:
    """A lowercase-hyphenated id fragment (a section's id is its heading's slug)."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "section"
