"""The knowledge model: pages, sections, pathfinders, synonyms, and located problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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
class Markers:
    """A section's marker lines (never part of its text): supersession, each with its line, and
    the other questions it answers (`Also asked:`)."""

    supersedes: tuple[tuple[str, int], ...] = ()  # ("page#section-id", line)
    superseded_by: tuple[tuple[str, int], ...] = ()
    historical: bool = False
    also_asked: tuple[str, ...] = ()  # other ways people ask what the section answers
    asked_line: int = 0  # the line of its first `Also asked:` (0: none)


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int
    sources: tuple[Source, ...] = ()  # empty: the page's sources apply
    as_of: dt.date | None = None  # None: the page's date applies
    markers: Markers = field(default_factory=Markers)


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
