"""Supersession between sections: every link resolves, and an older passage cannot go stale.

A section may carry marker lines (taken out of its text by `indexer.pages`):
`Supersedes: page#section-id`, `Superseded by: page#section-id` and `Historical: yes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indexer.model import Document, Problem, Section
from indexer.parsing import slug


@dataclass(frozen=True)
class Located:
    """A section with its document, its id (`page#section-id`) and the date that applies."""

    id: str
    doc: Document
    section: Section

    @property
    def as_of(self) -> dt.date | None:
        return self.section.as_of or self.doc.as_of


def section_ids(documents: list[Document]) -> dict[str, Located]:
    """Every section by its id: the page id, `#`, the slug of its heading."""
    found: dict[str, Located] = {}
    for doc in documents:
        for section in doc.sections:
            sid = f"{doc.id}#{slug(section.heading)}"
            found.setdefault(sid, Located(sid, doc, section))
    return found


def check_supersession(documents: list[Document], problems: list[Problem]) -> None:
    """Report links to missing sections, one-sided links, and stale superseded passages."""
    sections = section_ids(documents)
    for new in sections.values():
        markers = new.section.markers
        for ref, line in markers.supersedes + markers.superseded_by:
            if ref not in sections:
                problems.append(Problem(new.doc.path, line, f"no section {ref!r} to link to"))
        for ref, line in markers.superseded_by:
            old = sections.get(ref)
            if old is not None and new.id not in _refs(old.section.markers.supersedes):
                reason = f"says 'Superseded by: {ref}', but {ref} does not say it supersedes this"
                problems.append(Problem(new.doc.path, line, reason))
        for ref, _ in markers.supersedes:
            if (old := sections.get(ref)) is not None and _stale(old, new):
                problems.append(Problem(old.doc.path, old.section.line, _stale_reason(old, new)))


def _refs(links: tuple[tuple[str, int], ...]) -> set[str]:
    return {ref for ref, _ in links}


def _stale(old: Located, new: Located) -> bool:
    """An older passage that a newer one supersedes, marked neither historical nor superseded."""
    if old.as_of is None or new.as_of is None or old.as_of >= new.as_of:
        return False
    markers = old.section.markers
    return not markers.historical and new.id not in _refs(markers.superseded_by)


def _stale_reason(old: Located, new: Located) -> str:
    return (
        f"stale: {old.id} (as of {old.as_of}) is superseded by {new.id} (as of {new.as_of}); "
        f"add 'Superseded by: {new.id}' or 'Historical: yes'"
    )
