"""Asking and rating answers, as plain functions over `Services` (no Slack here)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.answers.compose import Answer, answer_question
from bot.answers.examples import EXAMPLE_QUESTIONS
from bot.answers.threads import Earlier, leans_on_earlier
from bot.data.db import DataBusy
from bot.data.events import claim_events
from bot.data.usage import log_question, record_feedback
from bot.services import Services
from indexer.search import SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """An answer, and the question-log id its feedback buttons refer to (None if not logged)."""

    answer: Answer
    question_id: int | None
    leaned: bool = False  # read with the thread's earlier questions


def ask(
    services: Services,
    question: str,
    source: str,
    context: str | None = None,
    log_declined: bool = True,
) -> Asked:
    """Answer a question and log it (without the asker); a declined one is a knowledge gap.
    Small talk ("hi", "thanks") is not a question: it is neither logged nor a gap."""
    answer = answer_question(services.index, question, context=context)
    return _logged(services, answer, source, log_declined)


def ask_follow_up(
    services: Services,
    question: str,
    earlier: Earlier | None,
    source: str,
    log_declined: bool = True,
) -> Asked:
    """Answer a message in a conversation: read with what came `earlier` when it leans on it
    ("who owns it?", "and the staff numbers?"), or when it cannot be answered alone."""
    index = services.index
    if earlier and leans_on_earlier(question):
        answer, leaned = _with_earlier(index, question, earlier), True
    else:
        answer, leaned = answer_question(index, question), False
        if earlier and not answer.answered:
            again = _with_earlier(index, question, earlier)
            if again.answered:
                answer, leaned = again, True
    asked = _logged(services, answer, source, log_declined)
    return replace(asked, leaned=leaned)


def _with_earlier(index: SearchIndex, question: str, earlier: Earlier) -> Answer:
    """The follow-up read with each context in turn; of the answered readings, the one whose
    passage best matches the follow-up's own words (the context picks the subject, the
    follow-up what about it). The answer restates the follow-up as typed."""
    # The follow-up first: it says what is asked now ("who owns it?").
    readings = [answer_question(index, f"{question} {c}") for c in earlier.contexts()]
    answered = [a for a in readings if a.answered]
    if not answered:
        return replace(readings[0], question=question)
    alone = {h.passage.id: rank for rank, h in enumerate(index.search(index.query(question), k=50))}
    best = min(answered, key=lambda a: alone.get(a.top_passage_id or "", len(alone)))
    return replace(best, question=question)


def topic_of(asked: Asked) -> str | None:
    """What an answered question was about: the title of the page that answered it."""
    answer = asked.answer
    return answer.hits[0].passage.title if answer.answered and answer.hits else None


def _logged(services: Services, answer: Answer, source: str, log_declined: bool) -> Asked:
    """The answer with its question-log id; a declined one is a knowledge gap (if logged)."""
    question = answer.question
    if answer.small_talk or (not answer.answered and not log_declined):
        return Asked(answer, None)
    try:
        question_id: int | None = log_question(
            services.data, question, answer.answered, answer.top_passage_id,
            answer.took_ms, services.now(), source,
        )  # fmt: skip
    except DataBusy:
        # The answer matters more than its log line; feedback is then stored without the id.
        log.warning("question log busy; answer sent without a log id (source=%s)", source)
        question_id = None
    return Asked(answer, question_id)


def answer_again(services: Services, question: str) -> Answer:
    """The answer to a question already logged (to share or redraw it), not logged again."""
    return answer_question(services.index, question)


def suggested_questions(services: Services, limit: int = 4) -> list[str]:
    """Up to `limit` example questions that the knowledge serving now answers."""
    index = services.index
    answered = [q for q in EXAMPLE_QUESTIONS if answer_question(index, q).answered]
    return answered[:limit]


def give_feedback(
    services: Services,
    question_id: int | None,
    question: str,
    helpful: bool,
    passage_ids: list[str],
) -> bool:
    """Store Helpful / Not helpful (no user id); False if that answer already had feedback."""
    return record_feedback(
        services.data, question_id, question, helpful, passage_ids, services.now()
    )


def claim(services: Services, *keys: str) -> bool:
    """True if none of `keys` was claimed before (claims them): the message is ours to answer."""
    return claim_events(services.data, keys, services.now())
