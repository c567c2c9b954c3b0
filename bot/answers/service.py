"""Asking and rating answers, as plain functions over `Services` (no Slack here)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.answers.compose import Answer, answer_question
from bot.data.db import DataBusy
from bot.data.events import claim_event
from bot.data.usage import log_question, record_feedback
from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """An answer, and the question-log id its feedback buttons refer to (None if not logged)."""

    answer: Answer
    question_id: int | None


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
    now = services.now()
    return all(claim_event(services.data, key, now) for key in keys)
