"""What a question asks for ("when", "how many", "who", a list, a definition) and whether a
passage or sentence gives it: shared by re-ranking and by the choice of sentences."""

from __future__ import annotations

import re
from functools import lru_cache

# What a question asks for, and how a sentence that gives it looks.
ASKS = {
    "date": re.compile(
        r"\b(when|what (date|year|month|day)|which (year|month|date)|since when|how long ago|"
        r"start(ed)? trading|until|deadline|come into force|in force)\b", re.IGNORECASE),
    "figure": re.compile(
        r"\b(how (many|much|big|large)|what (number|percentage|share|proportion|amount|size)|"
        r"number of|percent|budget|cost|worth|value)\b", re.IGNORECASE),
    "who": re.compile(r"^\W*(who|whom|whose)\b|\bwho\b", re.IGNORECASE),
    "list": re.compile(
        r"\b(steps|stages|conditions|criteria|requirements|options|phases|tests|"
        r"what are the|list (of|the|all)|which (are|were) the)\b", re.IGNORECASE),
}  # fmt: skip
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
GIVES = {
    "date": re.compile(rf"\b(1[89]\d\d|20\d\d|{_MONTHS})\b", re.IGNORECASE),
    "figure": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
        r"hundred|thousand|million|billion|half|third|quarter|dozen)\b", re.IGNORECASE),
    "who": re.compile(r"\b[A-Z][a-z]+\s+(?:[A-Z][a-z]+|Le|de)\b"),  # two words of a name
}  # fmt: skip


_DEFINITION = re.compile(r"^\W*(what|who)(\s+|'|’)(is|are|was|were|s)\b", re.IGNORECASE)
_DEFINING_HEADING = re.compile(r"^(what\s+(is|are|does|do)|who\s+(is|was))\b", re.IGNORECASE)
DEFINITION_SUBJECT_WORDS = 5  # "what is X?" with X longer than this asks something else


def asks(question: str) -> frozenset[str]:
    """The kinds of thing a question asks for: date, figure, who, list, definition."""
    kinds = {kind for kind, pattern in ASKS.items() if pattern.search(question)}
    if asks_definition(question):
        kinds.add("definition")
    return frozenset(kinds)


def asks_definition(question: str) -> bool:
    """Whether a question is "what is X?" (not, say, "who was MyCSP's partner?")."""
    match = _DEFINITION.match(question)
    if not match:
        return False
    subject = question[match.end() :]
    return len(subject.split()) <= DEFINITION_SUBJECT_WORDS and not re.search(r"['’]s\b", subject)


def defines(section: str, overview: str) -> bool:
    """Whether a section introduces or defines its subject (an overview, "What is ...")."""
    return section == overview or _DEFINING_HEADING.match(section) is not None


@lru_cache(maxsize=8192)
def gives(text: str) -> frozenset[str]:
    """The kinds of thing a text gives: a date, a figure, names."""
    return frozenset(kind for kind, pattern in GIVES.items() if pattern.search(text))


_WH = re.compile(
    r"\b(who|whom|whose|when|where|why|which|how many|how much|how long|how big|how|"
    r"what happened|what)\b", re.IGNORECASE)  # fmt: skip


@lru_cache(maxsize=8192)
def wh(text: str) -> str:
    """The question word a text leads with ("who", "how many", "what happened"...), or ""."""
    match = _WH.search(text)
    return match.group(1).casefold() if match else ""


_NOW = re.compile(
    r"\b(now|nowadays|current|currently|still|latest|today|these days|any more|anymore|"
    r"at the moment|atm|this year|2024|2025|2026)\b", re.IGNORECASE)  # fmt: skip


def asks_now(question: str) -> bool:
    """Whether a question asks how things stand now (rather than how they stood)."""
    return _NOW.search(question) is not None
