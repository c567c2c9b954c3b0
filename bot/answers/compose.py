"""Compose an answer from search hits: answered, declined or small talk; extractive, sourced.

Knows nothing of Slack's Web API; the same Answer feeds Block Kit, JSON and the terminal. The
steps, each named and in its own module: read the question as a person means it
(bot.slack.text.readable), search (exact rank-bm25 scores), weigh its words (weights), re-rank
the candidates (ranking), decide (decision), and choose the passage's sentences that state what
was asked (dates for "when", figures for "how many", whole lists for "what are the steps").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bot.answers.asks import GIVES, asks
from bot.answers.decision import ANSWER_AT, DECIDER, confidence, decision_values
from bot.answers.ranking import CANDIDATES, RANKER, Candidate, Model, rerank
from bot.answers.weights import WORD_WEIGHTS, Weighed, WordWeights, covered, evidence, weigh
from bot.dates import format_date
from bot.slack.text import readable
from indexer.analyse import is_small_talk
from indexer.knowledge import Source
from indexer.search import Hit, SearchIndex

MAX_ANSWER_WORDS = 80  # beyond the first sentence and a whole list, answers stop here
RELATED = 2
SHORT_FOLLOW_UP = 4  # a follow-up with fewer words than this borrows the thread's question
CLOSEST = 2  # passages a decline offers as the closest guidance
DEFAULT_CONTACT = "the public service mutuals policy team"

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(£])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+")


@dataclass(frozen=True)
class Tuning:
    """Everything fitted on the development questions, in one place (see README)."""

    words: WordWeights = WORD_WEIGHTS
    ranker: Model = RANKER
    decider: Model = DECIDER
    answer_at: float = ANSWER_AT


TUNING = Tuning()


@dataclass(frozen=True)
class Considered:
    """A question weighed, its candidates re-ranked, and the chance the best one is right."""

    asked: str  # the question as read (Slack markup and the like removed)
    weighed: Weighed
    candidates: list[Candidate]
    values: tuple[float, ...]  # the decision's measures (decision.DECISION_FEATURES)
    confidence: float


def consider(
    index: SearchIndex, question: str, context: str | None = None, tuning: Tuning = TUNING
) -> Considered:
    """Search, weigh, re-rank and estimate: everything but the decision and the wording."""
    asked = readable(question)
    query = asked
    if context and len(asked.split()) < SHORT_FOLLOW_UP:
        query = f"{readable(context)} {asked}"
    analysed = index.query(query)
    weighed = weigh(index, analysed, tuning.words)
    hits = index.search(analysed, k=CANDIDATES)
    candidates = rerank(index, hits, weighed, asked, tuning.ranker)
    if not candidates or weighed.total <= 0:
        return Considered(asked, weighed, candidates, (), 0.0)
    held = evidence(index.terms_of(candidates[0].hit), weighed)
    values = decision_values(candidates, weighed, held)
    return Considered(asked, weighed, candidates, values, confidence(values, tuning.decider))


SMALL_TALK_REPLIES = {
    "thanks": "You're welcome! Ask me anything else about public service mutuals.",
    "help": (
        "I answer questions about public service mutuals from the guidance I hold: ask in "
        "your own words, for example “what is a public service mutual?” or “do staff keep "
        "their pensions if we spin out?”. `/mutuals help` lists everything I can do."
    ),
    "hello": (
        "Hello! I answer questions about public service mutuals: try “what is MyCSP?” or "
        "“can a contract be reserved for a mutual?”."
    ),
}


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    text: str
    as_of: str
    sources: tuple[Source, ...]
    hits: tuple[Hit, ...]  # the best passage first, then related ones (closest, if declined)
    took_ms: float
    small_talk: bool = False  # a greeting or thanks: a friendly reply, not a decline

    @property
    def related(self) -> tuple[Hit, ...]:
        return self.hits[1 : 1 + RELATED] if self.answered else ()

    @property
    def closest(self) -> tuple[Hit, ...]:
        """For a decline, the nearest guidance (still a decline: offered as links only)."""
        return () if self.answered or self.small_talk else self.hits[:CLOSEST]

    @property
    def top_passage_id(self) -> str | None:
        return self.hits[0].passage.id if self.hits and not self.small_talk else None


def answer_question(
    index: SearchIndex,
    question: str,
    k: int = 5,
    context: str | None = None,
    tuning: Tuning = TUNING,
) -> Answer:
    """Search and compose; `context` (a thread's first question) helps a short follow-up."""
    started = time.perf_counter()
    if is_small_talk(index.analyser.words(readable(question))):
        text = small_talk_reply(readable(question))
        return Answer(question, False, text, "", (), (), _since(started), True)
    considered = consider(index, question, context, tuning)
    hits = tuple(c.hit for c in considered.candidates)
    if not hits or considered.confidence < tuning.answer_at:
        closest = tuple(h for h in hits[:k] if h.score > 0)
        text = declined_text(index.info.contact or DEFAULT_CONTACT)
        return Answer(question, False, text, "", (), closest, _since(started))
    best = hits[0]
    text = extract(index, best, considered.weighed, considered.asked)
    if best.passage.as_of:
        text += f" (As of {format_date(best.passage.as_of)}.)"
    return Answer(
        question, True, text, best.passage.as_of, best.passage.sources, hits[:k], _since(started)
    )


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def small_talk_reply(text: str) -> str:
    """A short friendly reply to a greeting, thanks or a bare "help"."""
    words = set(re.findall(r"[a-z]+", text.casefold()))
    if words & {"thanks", "thank", "cheers", "ta", "thx", "ty", "great", "brilliant", "perfect"}:
        return SMALL_TALK_REPLIES["thanks"]
    if "help" in words:
        return SMALL_TALK_REPLIES["help"]
    return SMALL_TALK_REPLIES["hello"]


def declined_text(contact: str) -> str:
    """What the assistant says when the guidance has no answer."""
    return (
        "I couldn't find an answer to that in the mutuals guidance I hold. "
        "Try rephrasing with the name of a programme, organisation or topic "
        f"(for example MyCSP, TUPE or pathfinders), or ask {contact}."
    )


@dataclass(frozen=True)
class Sentence:
    text: str
    list_id: int | None  # the list it is an item of (None: running text)


def extract(index: SearchIndex, hit: Hit, weighed: Weighed, question: str = "") -> str:
    """The passage's sentences that state what was asked, in their order.

    First the sentence that gives what the question asks for (a date, a figure, names) and
    holds most of its weight, then sentences that add what is still missing, then the best of
    the rest, up to ~80 words. A list is never cut: one item chosen brings the whole list and
    the sentence that introduces it; "what are the steps" brings the best list whole.
    """
    sentences = passage_sentences(hit.passage.text)
    tokens = [index.analyser.token_set(s.text) for s in sentences]
    asked = asks(question)
    gives = [
        {kind for kind, pattern in GIVES.items() if kind in asked and pattern.search(s.text)}
        for s in sentences
    ]
    chosen: set[int] = set()
    held: frozenset[str] = frozenset()
    wanted = set(asked) & {"date", "figure", "who"}
    order = sorted(range(len(sentences)), key=lambda i: -covered(tokens[i], weighed))
    while True:
        gains = {i: _gain(gives[i] & wanted, tokens[i] - held, weighed)
                 for i in order if i not in chosen}  # fmt: skip
        best = max(gains, key=lambda i: gains[i], default=None)
        if best is None or gains[best] <= (0, 0.0):
            break
        if chosen and _words(sentences, chosen | {best}) > MAX_ANSWER_WORDS:
            break
        chosen.add(best)
        held |= tokens[best]
        wanted -= gives[best]
    for i in order:  # fill with the best of the rest
        if not chosen or _words(sentences, chosen | {i}) <= MAX_ANSWER_WORDS:
            chosen.add(i)
    if "list" in asked:
        lists = {s.list_id for s in sentences if s.list_id is not None}
        if lists and not any(sentences[i].list_id is not None for i in chosen):
            chosen.add(next(i for i in order if sentences[i].list_id in lists))
    return " ".join(sentences[i].text for i in sorted(_whole_lists(sentences, chosen)))


def _gain(gives: set[str], new_terms: frozenset[str], weighed: Weighed) -> tuple[int, float]:
    """What a sentence adds: the asked-for things it gives (a date, a figure, names), then the
    question's weight it adds to the sentences already chosen."""
    return (len(gives), covered(new_terms, weighed))


def _words(sentences: list[Sentence], chosen: set[int]) -> int:
    """Words of the chosen sentences, a list counting as its first item only."""
    counted = _whole_lists(sentences, chosen)
    seen_lists: set[int] = set()
    total = 0
    for i in sorted(counted):
        list_id = sentences[i].list_id
        if list_id is not None:
            if list_id in seen_lists:
                continue
            seen_lists.add(list_id)
        total += len(sentences[i].text.split())
    return total


def _whole_lists(sentences: list[Sentence], chosen: set[int]) -> set[int]:
    """The chosen sentences, with every item of a list one of them belongs to, and the
    sentence just before the list that introduces it."""
    lists = {sentences[i].list_id for i in chosen} - {None}
    result = set(chosen)
    for i, s in enumerate(sentences):
        if s.list_id in lists:
            result.add(i)
            if i > 0 and sentences[i - 1].list_id != s.list_id:
                result.add(i - 1)
    return result


def passage_sentences(text: str) -> list[Sentence]:
    """Sentences of a passage; each paragraph and Markdown list item ends a sentence, and the
    items of one list share its number."""
    units = re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", text)
    result: list[Sentence] = []
    list_id, in_list = 0, False
    for unit in units:
        item = _LIST_ITEM.match(unit) is not None
        if item and not in_list:
            list_id += 1
        in_list = item and not re.search(r"\n\s*\n", unit)
        flat = re.sub(r"\s+", " ", _LIST_ITEM.sub("", unit)).strip()
        for part in _SENTENCE.split(flat) if flat else []:
            result.append(Sentence(part, list_id if item else None))
        if not item:
            in_list = False
    return result


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, as text."""
    return [s.text for s in passage_sentences(text)]
