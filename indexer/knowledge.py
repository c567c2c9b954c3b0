"""Load and validate the knowledge directory: guidance pages, pathfinders and synonyms.

Every problem is collected with its file, line and reason; nothing partial is returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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
_URL = re.compile(r"^https?://[^\s<>]+$")
_DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported, not raised."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge, located precisely."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class KnowledgeError(Exception):
    """The knowledge directory has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int


@dataclass(frozen=True)
class Document:
    id: str
    path: str
    title: str
    summary: str
    sources: tuple[Source, ...]
    as_of: dt.date | None
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    contact: str = ""  # optional front matter: the human contact for unanswered questions


@dataclass(frozen=True)
class Pathfinder:
    id: str
    name: str
    wave: str
    description: str
    place: str
    sector: str
    intended_form: str
    outcome: str
    outcome_date: str
    as_of: dt.date | None
    sources: tuple[Source, ...]
    line: int


@dataclass(frozen=True)
class Knowledge:
    documents: tuple[Document, ...]
    pathfinders: tuple[Pathfinder, ...]
    synonyms: tuple[tuple[str, ...], ...]
    digest: str = field(default="")

    @property
    def contact(self) -> str:
        """The human contact named in the knowledge (the first page with a `contact`)."""
        return next((d.contact for d in self.documents if d.contact), "")


def knowledge_files(root: Path) -> list[Path]:
    """The files that make up the knowledge, in a stable order."""
    files = sorted((root / "guidance").glob("*.md"))
    files += [p for p in (root / "pathfinders.csv", root / "synonyms.yaml") if p.exists()]
    return files


def knowledge_digest(root: Path) -> str:
    """A hash of every knowledge file's name and bytes: changes when the knowledge does."""
    h = hashlib.sha256()
    for path in knowledge_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def load_knowledge(root: Path | str) -> Knowledge:
    """Load and validate everything under `root`; raise KnowledgeError listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    if not (root / "guidance").is_dir():
        raise KnowledgeError([Problem(str(root), 0, "no guidance/ directory")])
    documents = []
    for path in sorted((root / "guidance").glob("*.md")):
        doc = _load_document(path, _rel(path, root), problems)
        if doc is not None:
            documents.append(doc)
    _check_duplicate_ids([(d.id, d.path, 1) for d in documents], problems)
    pathfinders = _load_pathfinders(root / "pathfinders.csv", root, problems)
    _check_duplicate_ids([(p.id, "pathfinders.csv", p.line) for p in pathfinders], problems)
    synonyms = _load_synonyms(root / "synonyms.yaml", root, problems)
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(tuple(documents), tuple(pathfinders), synonyms, knowledge_digest(root))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _check_duplicate_ids(items: list[tuple[str, str, int]], problems: list[Problem]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for item_id, file, line in items:
        if item_id in seen:
            first_file, first_line = seen[item_id]
            reason = f"duplicate id {item_id!r} (first at {first_file}:{first_line})"
            problems.append(Problem(file, line, reason))
        else:
            seen[item_id] = (file, line)


def _read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, 1, f"not UTF-8 text ({exc.reason})"))
    except OSError as exc:
        problems.append(Problem(rel, 0, f"cannot read: {exc.strerror}"))
    return None


def _load_document(path: Path, rel: str, problems: list[Problem]) -> Document | None:
    text = _read_text(path, rel, problems)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(rel, 1, "missing front matter (the file must start with ---)"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(rel, 1, "front matter is not closed with ---"))
        return None
    meta = _parse_yaml("\n".join(lines[1:end]), rel, 1, problems)
    if meta is None:
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(rel, 2, "front matter must be a mapping of keys to values"))
        return None
    before = len(problems)
    doc_id = path.stem
    if not _DOC_ID.match(doc_id):
        reason = f"file name {path.name!r} must be lowercase letters, digits and hyphens"
        problems.append(Problem(rel, 1, reason))
    title = _front_string(meta, "title", rel, lines, problems, required=True)
    summary = _front_string(meta, "summary", rel, lines, problems, required=False)
    sources = _front_sources(meta, rel, lines, problems)
    as_of = _as_date(meta.get("as_of"), rel, _key_line(lines, "as_of"), problems)
    tags = _front_tags(meta, rel, lines, problems)
    contact = _front_string(meta, "contact", rel, lines, problems, required=False)
    sections = _sections(lines, end + 1, rel, problems)
    if len(problems) > before:
        return None
    return Document(doc_id, rel, title, summary, sources, as_of, tags, sections, contact)


def _parse_yaml(text: str, rel: str, offset: int, problems: list[Problem]) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = offset + (mark.line + 1 if mark is not None else 0)
        problems.append(Problem(rel, line, f"YAML error: {exc.problem or exc}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(rel, offset, f"YAML error: {exc}"))
    return None


def _key_line(lines: list[str], key: str) -> int:
    """The 1-based line of a front-matter key, or 1 when it is absent."""
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{key}:"):
            return number
        if number > 1 and line.strip() == "---":
            break
    return 1


def _front_string(
    meta: dict, key: str, rel: str, lines: list[str], problems: list[Problem], required: bool
) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(rel, _key_line(lines, key), f"missing {key}"))
        return ""
    if not isinstance(value, str):
        problems.append(Problem(rel, _key_line(lines, key), f"{key} must be text"))
        return ""
    return value.strip()


def _front_sources(
    meta: dict, rel: str, lines: list[str], problems: list[Problem]
) -> tuple[Source, ...]:
    line = _key_line(lines, "sources")
    raw = meta.get("sources")
    if not raw:
        problems.append(Problem(rel, line, "no sources (a list of {title, url})"))
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(rel, line, "sources must be a list of {title, url}"))
        return ()
    sources = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(rel, line, f"source {number} must have a title and a url"))
            continue
        title, url = str(item.get("title") or "").strip(), str(item.get("url") or "").strip()
        if not title:
            problems.append(Problem(rel, line, f"source {number} has no title"))
        if not url:
            problems.append(Problem(rel, line, f"source {number} has no url"))
        elif not _URL.match(url):
            problems.append(Problem(rel, line, f"source {number} url is not http(s): {url!r}"))
        if title and url:
            sources.append(Source(title, url))
    return tuple(sources)


def _front_tags(meta: dict, rel: str, lines: list[str], problems: list[Problem]) -> tuple[str, ...]:
    raw = meta.get("tags") or []
    if not isinstance(raw, list) or not all(isinstance(t, str | int) for t in raw):
        problems.append(Problem(rel, _key_line(lines, "tags"), "tags must be a list of words"))
        return ()
    return tuple(str(t) for t in raw)


def _as_date(value: object, rel: str, line: int, problems: list[Problem]) -> dt.date | None:
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


def _sections(
    lines: list[str], start: int, rel: str, problems: list[Problem]
) -> tuple[Section, ...]:
    """Split the body at `##` headings; text before the first heading is an Overview."""
    sections: list[Section] = []
    heading, first_line = "Overview", start + 1
    body: list[str] = []

    def close() -> None:
        text = "\n".join(body).strip()
        if text:
            sections.append(Section(heading, text, first_line))
        elif heading != "Overview" or sections:
            problems.append(Problem(rel, first_line, f"empty section {heading!r}"))

    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("## "):
            if body or sections or heading != "Overview":
                close()
            heading, first_line, body = line[3:].strip(), number, []
            if not heading:
                problems.append(Problem(rel, number, "section heading is empty"))
        else:
            body.append(line)
    close()
    if not sections and not any(p.file == rel for p in problems):
        problems.append(Problem(rel, start + 1, "no text: the page has no sections"))
    return tuple(sections)


def _load_pathfinders(path: Path, root: Path, problems: list[Problem]) -> list[Pathfinder]:
    if not path.exists():
        return []
    rel = _rel(path, root)
    text = _read_text(path, rel, problems)
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
    if row["id"] and not _DOC_ID.match(row["id"]):
        problems.append(Problem(rel, line, f"id {row['id']!r} must be lowercase-hyphenated"))
    as_of = _as_date(row["as_of"], rel, line, problems)
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


def _load_synonyms(path: Path, root: Path, problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    if not path.exists():
        return ()
    rel = _rel(path, root)
    text = _read_text(path, rel, problems)
    if text is None:
        return ()
    data = _parse_yaml(text, rel, 0, problems)
    if data is None and problems and problems[-1].file == rel:
        return ()
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        problems.append(Problem(rel, 1, "expected a mapping with a 'groups' list"))
        return ()
    lines = text.splitlines()
    result = []
    for index, group in enumerate(groups):
        line = _group_line(lines, index)
        if not isinstance(group, list) or len(group) < 2:
            problems.append(Problem(rel, line, "a synonym group must list at least two terms"))
            continue
        terms = tuple(str(t).strip().lower() for t in group)
        if not all(terms):
            problems.append(Problem(rel, line, "a synonym group has an empty term"))
            continue
        result.append(terms)
    return tuple(result)


def _group_line(lines: list[str], index: int) -> int:
    """The 1-based line of the index-th item of the top-level groups list."""
    seen = -1
    for number, line in enumerate(lines, start=1):
        if re.match(r"^\s*-\s", line) and not re.match(r"^\s{6,}-", line):
            seen += 1
            if seen == index:
                return number
    return 1
