"""Text written for authors, not for the people asking: it must not reach an answer."""

from __future__ import annotations

import re

from indexer.model import Document, Problem

# Phrases that address whoever writes or answers, not the member of staff reading the answer.
AUTHOR_NOTE = re.compile(
    r"\b(?:TODO|FIXME|TBC|XXX)\b"
    r"|\bnotes? (?:to|for) (?:authors?|editors?|writers?|self)\b"
    r"|\b(?:should|must) be (?:given|mentioned|stated|said|shown|noted|used) when answering\b"
    r"|\bwhen answering\b"
    r"|\ban answer (?:should|must)\b"
    r"|\b(?:the )?(?:bot|assistant) (?:should|must)\b"
    r"|\bfor the bot\b",
    re.IGNORECASE,
)


# Every phrase above holds one of these (case folded): a section without any cannot match, and
# this test costs far less than the pattern (3.4 s over 100k sections).
_KEYWORDS = ("todo", "fixme", "tbc", "xxx", "note", "answer", "assistant")
# Nor can a section where "bot" is never followed by a word boundary, as every phrase with "bot"
# has it ("both" is common; "the bot should", "for the bot" are not).
_BOT = re.compile(r"bot\b", re.IGNORECASE)


def _may_hold_note(text: str) -> bool:
    folded = text.casefold()
    if any(k in folded for k in _KEYWORDS):
        return True
    return "bot" in folded and _BOT.search(text) is not None


def check_author_notes(documents: list[Document], problems: list[Problem]) -> None:
    """Report every section (and summary) with a phrase that is a note for authors."""
    for doc in documents:
        if match := AUTHOR_NOTE.search(doc.summary):
            problems.append(Problem(doc.path, 1, f"note for authors in the summary: {match[0]!r}"))
        for section in doc.sections:
            if not _may_hold_note(section.text):
                continue
            for offset, line in enumerate(section.text.splitlines(), start=1):
                if match := AUTHOR_NOTE.search(line):
                    reason = f"note for authors, not for readers: {match[0]!r}"
                    problems.append(Problem(doc.path, section.line + offset, reason))
