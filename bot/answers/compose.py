"""Compose an answer from search hits: answered or declined, extractive, with sources.

Knows nothing of Slack; the same Answer feeds Block Kit, JSON and the terminal.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bot.answers.confidence import Weighed, coverage, is_confident, weigh
from bot.dates import format_date
from indexer.knowledge import Source
from indexer.pages import OVERVIEW
from indexer.search import Hit, SearchIndex

MAX_ANSWER_WORDS = 80
RELATED = 2
SHORT_FOLLOW_UP = 4  # a follow-up with fewer words than this borrows the thread's question
DEFAULT_CONTACT = "the public service mutuals policy team"

DEFINITION_WINDOW = 5  # how far down the hits a defining passage may be promoted from
_DEFINITION = re.compile(r"^\W*(what|who)(\s+|'|’)(is|are|was|were|s)\b", re.IGNORECASE)
_DEFINING_HEADING = re.compile(r"^(what\s+(is|are|does|do)|who\s+(is|was))\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(£])")


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    text: str
    as_of: str
    sources: tuple[Source, ...]
    hits: tuple[Hit, ...]  # the best passage first, then related ones
    took_ms: float

    @property
    def related(self) -> tuple[Hit, ...]:
        return self.hits[1 : 1 + RELATED] if self.answered else ()

    @property
    def top_passage_id(self) -> str | None:
        return self.hits[0].passage.id if self.hits else None


def answer_question(
    index: SearchIndex, question: str, k: int = 5, context: str | None = None
) -> Answer:
    """Search and compose; `context` (a thread's first question) helps a short follow-up."""
    started = time.perf_counter()
    query = question
    if context and len(question.split()) < SHORT_FOLLOW_UP:
        query = f"{context} {question}"
    analysed = index.query(query)
    weighed = weigh(index, analysed)
    found = tuple(index.search(analysed, k=max(k, 1 + RELATED)))
    hits = prefer_definition(index, question, found, weighed)
    best = hits[0] if hits else None
    if best is None or not is_confident(index, best, weighed):
        text = declined_text(index.info.contact or DEFAULT_CONTACT)
        took = (time.perf_counter() - started) * 1000
        return Answer(question, False, text, "", (), hits[:k], took)
    text = extract(index, best, weighed)
    if best.passage.as_of:
        text += f" (As of {format_date(best.passage.as_of)}.)"
    took = (time.perf_counter() - started) * 1000
    return Answer(question, True, text, best.passage.as_of, best.passage.sources, hits[:k], took)


def prefer_definition(
    index: SearchIndex, question: str, hits: tuple[Hit, ...], weighed: Weighed
) -> tuple[Hit, ...]:
    """For "what is X?", put first the passage of the best page that introduces or defines X
    (its overview, or a section headed "What is/does ..."), if it covers the question as well."""
    match = _DEFINITION.match(question)
    subject = question[match.end() :] if match else ""
    if not match or len(subject.split()) > 5 or re.search(r"['’]s\b", subject):
        return hits  # not "what is X?" but, say, "who was MyCSP's partner?"
    if not hits or _defines(hits[0]):
        return hits
    best = hits[0]
    for i, hit in enumerate(hits[1:DEFINITION_WINDOW], start=1):
        same_page = hit.passage.doc_id == best.passage.doc_id
        if (
            same_page
            and _defines(hit)
            and (coverage(index, hit, weighed) >= coverage(index, best, weighed))
        ):
            return (hit, *hits[:i], *hits[i + 1 :])
    return hits


def _defines(hit: Hit) -> bool:
    section = hit.passage.section
    return section == OVERVIEW or _DEFINING_HEADING.match(section) is not None


def declined_text(contact: str) -> str:
    """What the assistant says when the guidance has no answer."""
    return (
        "I couldn't find an answer to that in the mutuals guidance I hold. "
        "Try rephrasing with the name of a programme, organisation or topic "
        f"(for example MyCSP, TUPE or pathfinders), or ask {contact}."
    )


def extract(index: SearchIndex, hit: Hit, weighed: Weighed) -> str:
    """The sentences of the passage that best match the query, in order, in ~80 words."""
    sentences = split_sentences(hit.passage.text)

    def weight(sentence: str) -> float:
        return sum(weighed.weights.get(t, 0.0) for t in index.analyser.token_set(sentence))

    ranked = sorted(range(len(sentences)), key=lambda i: (-weight(sentences[i]), i))
    chosen: list[int] = []
    words = 0
    for i in ranked:
        size = len(sentences[i].split())
        if chosen and words + size > MAX_ANSWER_WORDS:
            continue
        chosen.append(i)
        words += size
    text = " ".join(sentences[i] for i in sorted(chosen))
    return _clip_words(text, MAX_ANSWER_WORDS)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; each paragraph and Markdown list item ends a sentence."""
    units = re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", text)
    sentences = []
    for unit in units:
        flat = re.sub(r"\s+", " ", re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", unit)).strip()
        sentences += [s for s in _SENTENCE.split(flat) if s]
    return sentences


def _clip_words(text: str, limit: int) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"
