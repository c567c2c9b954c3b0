"""Ask the mutuals team, as plain functions over `Services` (no Slack here).

Anyone may send an enquiry about their own question. Answering and closing are for the mutuals
team (`MUTUALS_ADMIN_USERS` and `MUTUALS_TEAM_USERS`), checked here on every way in: a button's
value, a modal's metadata and a slash command can all be forged.
"""

from __future__ import annotations

import logging
import statistics
import threading
from dataclasses import dataclass, field
from datetime import datetime

from bot.data.db import DataBusy
from bot.enquiries import store
from bot.enquiries.store import ANSWERED, CLOSED, Enquiry
from bot.enquiries.team_answers import (
    NewTeamAnswer,
    TeamAnswer,
    field_errors,
    get_team_answer,
    list_team_answers,
    retire_team_answer,
    tidy,
    update_team_answer,
)
from bot.registrations.service import SUBMIT_BUSY_TIMEOUT_MS, busy_timeout
from bot.services import Services
from indexer.live import LiveIndex, ReindexRunning

log = logging.getLogger(__name__)

MAX_QUESTION = 1500  # of the asker's question carried to the team (the rest is cut)
MAX_DETAIL = 1000  # the optional extra detail the asker may add
DECLINED, NOT_HELPFUL = "declined", "not helpful"
REASONS = (DECLINED, NOT_HELPFUL)


@dataclass(frozen=True)
class Sent:
    """The outcome of sending an enquiry: stored (new or already there), or why not."""

    enquiry: Enquiry | None = None
    created: bool = False
    errors: dict[str, str] = field(default_factory=dict)  # "question" or "detail" -> message
    busy: bool = False


@dataclass(frozen=True)
class AnswerForm:
    """What a team member typed in the Answer modal."""

    question: str
    answer: str
    source_title: str = ""
    source_url: str = ""
    add: bool = True  # add this to the assistant's answers


@dataclass(frozen=True)
class Resolved:
    """The outcome of answering or closing: the enquiry as it now is, or why not."""

    enquiry: Enquiry | None = None
    errors: dict[str, str] = field(default_factory=dict)
    already: Enquiry | None = None  # someone answered or closed it first
    missing: bool = False  # no such enquiry (purged, forgotten, or a forged id)
    added: bool = False  # a team answer was stored for the assistant to serve
    busy: bool = False


@dataclass(frozen=True)
class EnquiryStats:
    opened: int
    answered: int
    closed: int
    median_hours_to_answer: float | None  # None when nothing opened in the period was answered


def question_of(text: str) -> str:
    """The asker's question as sent to the team: spaces tidied, cut to MAX_QUESTION."""
    return " ".join(tidy(text).split())[:MAX_QUESTION]


def send_enquiry(
    services: Services, team_id: str, user_id: str, question: str, detail: str, reason: str
) -> Sent:
    """Store this person's enquiry (committed before return); one per person and question."""
    question, detail = question_of(question), tidy(detail)
    errors: dict[str, str] = {}
    if not question:
        errors["question"] = "There is no question to send."
    if len(detail) > MAX_DETAIL:
        errors["detail"] = f"Keep this under {MAX_DETAIL:,} characters."
    if not team_id or not user_id:
        errors["question"] = "Something is wrong with the form."
    if errors:
        return Sent(errors=errors)
    try:
        with busy_timeout(services.data, SUBMIT_BUSY_TIMEOUT_MS):
            enquiry, created = store.open_enquiry(
                services.data, team_id, user_id, question, detail,
                reason if reason in REASONS else DECLINED, services.now(),
            )  # fmt: skip
    except DataBusy:
        log.warning("enquiry not stored: data file busy user=%s", user_id)
        return Sent(busy=True)
    log.info("enquiry %d %s user=%s", enquiry.id, "opened" if created else "repeated", user_id)
    return Sent(enquiry, created)


def record_posted(services: Services, enquiry: Enquiry, channel: str, message_ts: str) -> None:
    store.set_posted(services.data, enquiry.id, channel, message_ts)


def enquiry_for_team(services: Services, user_id: str, enquiry_id: int) -> Enquiry | None:
    """An enquiry, to answer it; team only."""
    services.require_team(user_id)
    return store.get_enquiry(services.data, enquiry_id)


def answer_enquiry(services: Services, user_id: str, enquiry_id: int, form: AnswerForm) -> Resolved:
    """Answer an open enquiry and, if asked, keep the answer for the assistant; team only."""
    services.require_team(user_id)
    new = _team_answer(services, user_id, form, enquiry_id)
    if isinstance(new, dict):
        return Resolved(errors=new)
    return _resolve(services, user_id, enquiry_id, ANSWERED, new, form.add)


def close_enquiry(services: Services, user_id: str, enquiry_id: int) -> Resolved:
    """Close an open enquiry without an answer; team only."""
    services.require_team(user_id)
    return _resolve(services, user_id, enquiry_id, CLOSED, None, False)


def _team_answer(
    services: Services, user_id: str, form: AnswerForm, enquiry_id: int | None
) -> NewTeamAnswer | dict[str, str]:
    question, answer = " ".join(tidy(form.question).split()), tidy(form.answer)
    title, url = " ".join(tidy(form.source_title).split()), tidy(form.source_url)
    errors = field_errors(question, answer, title, url)
    if errors:
        return errors
    today = services.now().date()
    return NewTeamAnswer(question, answer, title, url, today, user_id, enquiry_id)


def _resolve(
    services: Services, user_id: str, enquiry_id: int, status: str, new: NewTeamAnswer | None,
    add: bool,
) -> Resolved:  # fmt: skip
    try:
        with busy_timeout(services.data, SUBMIT_BUSY_TIMEOUT_MS):
            kept = new if add else None
            answer = new.answer if new is not None else ""
            done = store.resolve(services.data, enquiry_id, status, user_id, answer,
                                 services.now(), kept)  # fmt: skip
            if done is None:
                before = store.get_enquiry(services.data, enquiry_id)
                return Resolved(already=before, missing=before is None)
    except DataBusy:
        return Resolved(busy=True)
    if kept is not None:
        refresh_index(services)
    return Resolved(done, added=kept is not None)


def mark_told(services: Services, enquiry: Enquiry) -> bool:
    """Record that the asker has been told how their enquiry ended."""
    return store.mark_told(services.data, enquiry.id, services.now())


def open_enquiries(services: Services, user_id: str) -> list[Enquiry]:
    """Open enquiries, oldest first; team only."""
    services.require_team(user_id)
    return store.open_enquiries(services.data)


def open_count(services: Services) -> int:
    return store.count_open(services.data)


def enquiry_stats(services: Services, since: datetime, now: datetime) -> EnquiryStats:
    """Enquiries opened in the period, how many were answered and closed, and the median time
    from asking to answer."""
    found = [e for e in store.enquiries_since(services.data, since) if e.created_at <= now]
    return stats_of(found)


def stats_of(found: list[Enquiry]) -> EnquiryStats:
    answered = [e for e in found if e.status == ANSWERED and e.resolved_at is not None]
    hours = [(e.resolved_at - e.created_at).total_seconds() / 3600 for e in answered
             if e.resolved_at is not None]  # fmt: skip
    return EnquiryStats(
        opened=len(found),
        answered=len(answered),
        closed=sum(e.status == CLOSED for e in found),
        median_hours_to_answer=statistics.median(hours) if hours else None,
    )


# -- team answers (admins) ----------------------------------------------------------------------


def team_answers(services: Services, user_id: str) -> list[TeamAnswer]:
    """The team answers the assistant serves; admins only."""
    services.require_admin(user_id)
    return list_team_answers(services.data)


def team_answer_for(services: Services, user_id: str, answer_id: int) -> TeamAnswer | None:
    services.require_admin(user_id)
    return get_team_answer(services.data, answer_id)


def edit_team_answer(
    services: Services, user_id: str, answer_id: int, form: AnswerForm
) -> dict[str, str] | bool:
    """Replace a team answer's text; field errors, or whether it was changed. Admins only."""
    services.require_admin(user_id)
    new = _team_answer(services, user_id, form, None)
    if isinstance(new, dict):
        return new
    changed = update_team_answer(services.data, answer_id, new, services.now())
    if changed:
        refresh_index(services)
    return changed


def retire(services: Services, user_id: str, answer_id: int) -> bool:
    """Stop serving a team answer; False if it was not served. Admins only."""
    services.require_admin(user_id)
    retired = retire_team_answer(services.data, answer_id, services.now())
    if retired:
        refresh_index(services)
    return retired


def refresh_index(services: Services) -> bool:
    """Rebuild the live index on a daemon thread so the next asker gets the team's answer;
    False when the server serves a fixed index (then `mutuals index` or a restart adds it)."""
    live = services.indexes
    if not isinstance(live, LiveIndex):
        return False

    def work() -> None:
        for _ in range(30):  # a reindex already running may have read the data file too early
            try:
                live.reindex()
                return
            except ReindexRunning:
                threading.Event().wait(2.0)
            except Exception as error:  # the old index keeps serving; an admin reindexes
                log.warning("reindex after a team answer failed: %s", type(error).__name__)
                return

    threading.Thread(target=work, name="reindex-team-answer", daemon=True).start()
    return True
