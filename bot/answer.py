"""Compose an answer from search hits: answered or declined, extractive, with sources.

Knows nothing of Slack; the same Answer feeds Block Kit, JSON and the terminal.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

from indexer.knowledge import Source
from indexer.search import Hit, SearchIndex

# Calibrated on tests/eval/questions.jsonl with `mutuals eval` (see README).
MIN_COVERAGE = 0.6  # share of the question's weight the best passage must contain
MIN_SCORE = 3.0  # BM25 score below which nothing is trusted
MAX_ANSWER_WORDS = 80
RELATED = 2
SHORT_FOLLOW_UP = 4  # a follow-up with fewer words than this borrows the thread's question
DEFAULT_CONTACT = "the public service mutuals policy team"

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
    hits = tuple(index.search(query, k=max(k, 1 + RELATED)))
    best = hits[0] if hits else None
    if best is None or not is_confident(best):
        text = declined_text(index.info.contact or DEFAULT_CONTACT)
        took = (time.perf_counter() - started) * 1000
        return Answer(question, False, text, "", (), hits[:k], took)
    text = extract(index, best, query)
    if best.passage.as_of:
        text += f" (As of {format_as_of(best.passage.as_of)}.)"
    took = (time.perf_counter() - started) * 1000
    return Answer(question, True, text, best.passage.as_of, best.passage.sources, hits[:k], took)


def is_confident(hit: Hit) -> bool:
    """Whether the best passage answers the question, judged by coverage and score."""
    return hit.coverage >= MIN_COVERAGE and hit.score >= MIN_SCORE


def declined_text(contact: str) -> str:
    """What the assistant says when the guidance has no answer."""
    return (
        "I couldn't find an answer to that in the mutuals guidance I hold. "
        "Try rephrasing with the name of a programme, organisation or topic "
        f"(for example MyCSP, TUPE or pathfinders), or ask {contact}."
    )


def extract(index: SearchIndex, hit: Hit, query: str) -> str:
    """The sentences of the passage that best match the query, in order, in ~80 words."""
    sentences = split_sentences(hit.passage.text)
    terms = set(index.analyser.tokens(query))
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (-len(terms & set(index.analyser.tokens(sentences[i]))), i),
    )
    chosen: list[int] = []
    words = 0
    for i in ranked:
        size = len(sentences[i].split())
        if chosen and words + size > MAX_ANSWER_WORDS:
            continue
        chosen.append(i)
        words += size
        if words >= MAX_ANSWER_WORDS * 0.6:
            break
    text = " ".join(sentences[i] for i in sorted(chosen))
    return _clip_words(text, MAX_ANSWER_WORDS)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, Markdown list markers and line breaks flattened."""
    flat = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", text, flags=re.M)
    flat = re.sub(r"\s+", " ", flat).strip()
    return [s for s in _SENTENCE.split(flat) if s]


def _clip_words(text: str, limit: int) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"


def format_as_of(as_of: str) -> str:
    """'2014-04-30' -> '30 April 2014'; anything else unchanged."""
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        return as_of
    return f"{day.day} {day:%B %Y}"
