"""Guidance pages: YAML front matter, then `##` sections that become passages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from indexer.model import Document, Markers, Problem, Section, Source
from indexer.parsing import as_date, parse_yaml, read_text

_URL = re.compile(r"^https?://[^\s<>]+$")
DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OVERVIEW = "Overview"  # the heading given to a page's text before its first `##`
_CITATION = re.compile(r"^\s*Sources:(?P<rest>.*)$")
_MARKER = re.compile(r"^\s*(?P<key>Supersedes|Superseded by|Historical|Also asked):(?P<value>.*)$")
MAX_ASKED_CHARS = 200  # an `Also asked:` question longer than this is a paragraph, not a question
_REF = re.compile(r"^[a-z0-9][a-z0-9-]*#[a-z0-9][a-z0-9-]*$")
_CITED = re.compile(r"^\s*(?P<numbers>\d+(?:\s*,\s*\d+)*)\s*(?:;\s*as of\s+(?P<date>\S+))?\s*$")


def load_page(path: Path, rel: str, problems: list[Problem]) -> Document | None:
    text = read_text(path, rel, problems)
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
    meta = parse_yaml("\n".join(lines[1:end]), rel, 1, problems)
    if meta is None:
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(rel, 2, "front matter must be a mapping of keys to values"))
        return None
    before = len(problems)
    doc_id = path.stem
    if not DOC_ID.match(doc_id):
        reason = f"file name {path.name!r} must be lowercase letters, digits and hyphens"
        problems.append(Problem(rel, 1, reason))
    title = _front_string(meta, "title", rel, lines, problems, required=True)
    summary = _front_string(meta, "summary", rel, lines, problems, required=False)
    sources = _front_sources(meta, rel, lines, problems)
    as_of = as_date(meta.get("as_of"), rel, _key_line(lines, "as_of"), problems)
    tags = _front_tags(meta, rel, lines, problems)
    contact = _front_string(meta, "contact", rel, lines, problems, required=False)
    sections = _sections(lines, end + 1, rel, sources, problems)
    if len(problems) > before:
        return None
    return Document(doc_id, rel, title, summary, sources, as_of, tags, sections, contact)


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


def _sections(
    lines: list[str], start: int, rel: str, sources: tuple[Source, ...], problems: list[Problem]
) -> tuple[Section, ...]:
    """Split the body at `##` headings; text before the first heading is an Overview."""
    sections: list[Section] = []
    heading, first_line = OVERVIEW, start + 1
    body: list[tuple[int, str]] = []

    def close() -> None:
        section = _section(heading, first_line, body, rel, sources, problems)
        if section is not None:
            sections.append(section)
        elif heading != OVERVIEW or sections:
            problems.append(Problem(rel, first_line, f"empty section {heading!r}"))

    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("## "):
            if body or sections or heading != OVERVIEW:
                close()
            heading, first_line, body = line[3:].strip(), number, []
            if not heading:
                problems.append(Problem(rel, number, "section heading is empty"))
        else:
            body.append((number, line))
    close()
    if not sections and not any(p.file == rel for p in problems):
        problems.append(Problem(rel, start + 1, "no text: the page has no sections"))
    return tuple(sections)


def _section(
    heading: str,
    line: int,
    body: list[tuple[int, str]],
    rel: str,
    sources: tuple[Source, ...],
    problems: list[Problem],
) -> Section | None:
    """One section; a last line `Sources: 1, 3; as of YYYY-MM-DD` cites the page's sources."""
    filled = [(n, text) for n, text in body if text.strip()]
    cited: tuple[Source, ...] = ()
    as_of = None
    if filled and (match := _CITATION.match(filled[-1][1])):
        number = filled[-1][0]
        body = [(n, t) for n, t in body if n < number]
        if (parts := _CITED.match(match["rest"])) is None:
            reason = "a citation line reads 'Sources: 1, 3; as of YYYY-MM-DD'"
            problems.append(Problem(rel, number, reason))
        else:
            cited = _cited(parts["numbers"], sources, rel, number, problems)
            as_of = as_date(parts["date"], rel, number, problems)
    markers, body = _markers(body, rel, problems)
    text = "\n".join(t for _, t in body).strip()
    return Section(heading, text, line, cited, as_of, markers) if text else None


def _markers(
    body: list[tuple[int, str]], rel: str, problems: list[Problem]
) -> tuple[Markers, list[tuple[int, str]]]:
    """Take the marker lines (`Supersedes:`, `Superseded by:`, `Historical:`, `Also asked:`)
    out of a body."""
    links: dict[str, list[tuple[str, int]]] = {"Supersedes": [], "Superseded by": []}
    historical, rest, asked, asked_line = False, [], [], 0
    for number, text in body:
        match = _MARKER.match(text)
        if match is None:
            rest.append((number, text))
            continue
        key, value = match["key"], match["value"].strip()
        if key == "Historical":
            if value.casefold() not in ("yes", "no"):
                problems.append(Problem(rel, number, "a marker line reads 'Historical: yes'"))
            historical = historical or value.casefold() == "yes"
            continue
        if key == "Also asked":
            asked += _also_asked(value, rel, number, problems)
            asked_line = asked_line or number
            continue
        for ref in (r.strip() for r in value.split(",")):
            if _REF.match(ref):
                links[key].append((ref, number))
            else:
                reason = f"{key}: {ref!r} is not a section id (page#section-id)"
                problems.append(Problem(rel, number, reason))
    markers = Markers(
        tuple(links["Supersedes"]),
        tuple(links["Superseded by"]),
        historical,
        tuple(asked),
        asked_line,
    )
    return markers, rest


def _also_asked(value: str, rel: str, line: int, problems: list[Problem]) -> list[str]:
    """The questions of an `Also asked: one? | two?` line (never shown: they help search find
    the passage)."""
    questions = [q.strip() for q in value.split("|")]
    if not all(questions):
        problems.append(Problem(rel, line, "'Also asked' questions read 'q1? | q2?', none empty"))
    for q in questions:
        if len(q) > MAX_ASKED_CHARS:
            reason = f"an 'Also asked' question is over {MAX_ASKED_CHARS} characters"
            problems.append(Problem(rel, line, reason))
    return [q for q in questions if q]


def check_also_asked(documents: Iterable[Document], problems: list[Problem]) -> None:
    """A question is asked of one section only: one asked of two sections (as an `Also asked`
    question, or as another section's heading) tells search nothing about either."""
    headings = {_asked_key(s.heading): (d, s) for d in documents for s in d.sections}
    seen: dict[str, tuple[Document, Section]] = {}
    for doc in documents:
        for section in doc.sections:
            for question in section.markers.also_asked:
                key = _asked_key(question)
                other = headings.get(key) or seen.setdefault(key, (doc, section))
                if other[1] is not section:
                    where = f"{other[0].path}:{other[1].line}"
                    reason = f"'Also asked' {question!r} is asked of another section too ({where})"
                    problems.append(Problem(doc.path, section.markers.asked_line, reason))


def _asked_key(question: str) -> str:
    return " ".join(question.casefold().replace("?", " ").split())


def _cited(
    numbers: str, sources: tuple[Source, ...], rel: str, line: int, problems: list[Problem]
) -> tuple[Source, ...]:
    cited = []
    for item in numbers.split(","):
        number = int(item)
        if 1 <= number <= len(sources):
            cited.append(sources[number - 1])
        else:
            reason = f"source {number} is not in the page's sources (it has {len(sources)})"
            problems.append(Problem(rel, line, reason))
    return tuple(cited)
