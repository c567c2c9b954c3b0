"""What the Slack listeners do, as plain functions over a `Services` object (no Slack here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.answer import Answer, answer_question
from bot.data.db import DataBusy, DataStore
from bot.data.events import claim_event
from bot.data.usage import log_question, record_feedback
from bot.settings import Settings
from indexer.search import SearchIndex

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class IndexSource(Protocol):
    """Where the index serving now comes from (a fixed one, or indexer.live.LiveIndex)."""

    def current(self) -> SearchIndex: ...


class FixedIndex:
    """An index loaded once, serving until replaced."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def current(self) -> SearchIndex:
        return self._index


class Services:
    """Built once at start-up: settings, the index source, the data file, and a clock."""

    def __init__(
        self,
        settings: Settings,
        index: SearchIndex | IndexSource,
        data: DataStore,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.data = data
        self._clock = clock
        self.indexes: IndexSource = FixedIndex(index) if isinstance(index, SearchIndex) else index

    @property
    def index(self) -> SearchIndex:
        """The index serving now; a question reads it once and keeps it to the end."""
        return self.indexes.current()

    def now(self) -> datetime:
        return self._clock()


@dataclass(frozen=True)
class Asked:
    """An answer, and the question-log id its feedback buttons refer to (None if not logged)."""

    answer: Answer
    question_id: int | None


@dataclass(frozen=True)
class HomeInfo:
    """What App Home shows about the knowledge, and whether the viewer is an admin."""

    built_at: str
    documents: int
    passages: int
    is_admin: bool


def ask(
    services: Services,
    question: str,
    source: str,
    context: str | None = None,
    log_declined: bool = True,
) -> Asked:
    """Answer a question and log it (without the asker); a declined one is a knowledge gap."""
    answer = answer_question(services.index, question, context=context)
    if not answer.answered and not log_declined:
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


def home_info(services: Services, user_id: str) -> HomeInfo:
    """What App Home shows this user."""
    info = services.index.info
    return HomeInfo(
        info.built_at, info.documents, info.passages, services.settings.is_admin(user_id)
    )
