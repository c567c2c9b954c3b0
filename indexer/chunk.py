"""Cut the knowledge into passages: one per section (long ones split at paragraphs),
one per pathfinder row, and an overview passage listing every pathfinder."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from indexer.knowledge import Document, Knowledge, Pathfinder, Source
from indexer.parsing import slug

MAX_WORDS = 220  # a section longer than this is split at paragraph boundaries
PATHFINDERS_DOC = "pathfinders"
PATHFINDERS_TITLE = "Mutual Pathfinder Programme: the pathfinders"


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    title: str
    section: str
    text: str
    as_of: dt.date | None
    sources: tuple[Source, ...]
    superseded: bool = False  # a newer passage replaces it, or it is marked historical
    asked: tuple[str, ...] = ()  # other questions its section answers (`Also asked:` lines)

    @property
    def url(self) -> str:
        return self.sources[0].url if self.sources else ""


def passages(knowledge: Knowledge) -> list[Passage]:
    """Every passage of the knowledge, in a stable order."""
    result: list[Passage] = []
    for doc in knowledge.documents:
        result.extend(_document_passages(doc))
    if knowledge.pathfinders:
        result.append(_pathfinder_overview(knowledge.pathfinders))
        result.extend(_pathfinder_passage(p) for p in knowledge.pathfinders)
    return result


def _document_passages(doc: Document) -> Iterator[Passage]:
    used: set[str] = set()
    for section in doc.sections:
        parts = split_paragraphs(section.text)
        base = slug(section.heading)
        for number, part in enumerate(parts, start=1):
            pid = base if len(parts) == 1 else f"{base}-{number}"
            while pid in used:
                pid += "-x"
            used.add(pid)
            yield Passage(
                f"{doc.id}#{pid}", doc.id, doc.title, section.heading, part,
                section.as_of or doc.as_of, section.sources or doc.sources,
                bool(section.markers.superseded_by) or section.markers.historical,
                section.markers.also_asked,
            )  # fmt: skip


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_paragraphs(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Group paragraphs into parts of at most `max_words` words (a longer paragraph stays whole)."""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    if len(paragraphs) == 1:  # one paragraph, as most sections are: nothing to count
        return [paragraphs[0].strip()] if paragraphs[0].strip() else []
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in (p.strip() for p in paragraphs):
        if not paragraph:
            continue
        words = len(paragraph.split())
        if current and count + words > max_words:
            parts.append("\n\n".join(current))
            current, count = [], 0
        current.append(paragraph)
        count += words
    if current:
        parts.append("\n\n".join(current))
    return parts


def _pathfinder_passage(p: Pathfinder) -> Passage:
    details = "; ".join(x for x in (p.place, p.sector) if x)
    text = f"{p.name}{f' ({details})' if details else ''}, {p.wave} wave pathfinder. "
    text += p.description.rstrip(".") + "."
    if p.intended_form:
        text += f" Intended form: {p.intended_form.rstrip('.')}."
    outcome = p.outcome.rstrip(".")
    if p.outcome_date:
        outcome += f" ({p.outcome_date})"
    text += f" What became of it: {outcome}."
    return Passage(
        f"{PATHFINDERS_DOC}#{p.id}", PATHFINDERS_DOC, PATHFINDERS_TITLE, p.name, text,
        p.as_of, p.sources,
    )  # fmt: skip


def _pathfinder_overview(rows: tuple[Pathfinder, ...]) -> Passage:
    by_wave: dict[str, list[str]] = {}
    for p in rows:
        by_wave.setdefault(p.wave, []).append(p.name)
    text = " ".join(
        f"{wave[:1].upper()}{wave[1:]} wave: {'; '.join(names)}." for wave, names in by_wave.items()
    )
    dates = [p.as_of for p in rows if p.as_of is not None]
    sources = tuple(dict.fromkeys(s for p in rows for s in p.sources))
    return Passage(
        f"{PATHFINDERS_DOC}#overview", PATHFINDERS_DOC, PATHFINDERS_TITLE,
        "All the pathfinders", f"The {len(rows)} pathfinders named in the sources. {text}",
        max(dates) if dates else None, sources,
    )  # fmt: skip
