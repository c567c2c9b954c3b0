"""Any question, detail or team answer (any Unicode, huge, markup, mentions, links, control
characters) is stored without an exception and renders in every enquiry message and modal within
Block Kit's limits, with nothing from it able to ping, link or break the message."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from blockkit_check import mrkdwn_texts, unsafe_markup, violations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input_questions import TOKENS

from bot.answers import blocks
from bot.answers.compose import Answer
from bot.data.db import DataStore
from bot.enquiries import messages, service, views
from bot.enquiries.store import ANSWERED, CLOSED
from bot.services import Services
from bot.settings import Settings
from bot.slack import ids

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ASKER, TEAMER = "U0ASKER1", "U0TEAMER1"
OURS = {ASKER, TEAMER}
_fragment = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
TEXTS = st.one_of(
    st.lists(_fragment, max_size=30).map("".join),
    st.builds(
        lambda part, n: (part * (n // max(len(part), 1) + 1))[:n],
        st.lists(_fragment, min_size=1, max_size=6).map("".join),
        st.integers(1, 20_000),
    ),  # fmt: skip
)
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                    HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.fixture
def services(tmp_path: Any) -> Iterator[Services]:
    settings_ = Settings(admin_users=frozenset({"U0ADMIN01"}), team_users=frozenset({TEAMER}))
    data = DataStore(tmp_path / "data.sqlite3")
    yield Services(settings_, _NoIndex(), data, clock=lambda: NOW)  # type: ignore[arg-type]
    data.close()


class _NoIndex:
    def current(self) -> Any:
        raise AssertionError("no index is needed")


def _safe(payload: dict[str, Any], where: str, urls: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    assert violations(payload) == [], where
    texts = [*mrkdwn_texts(payload["blocks"]), str(payload.get("text", ""))]
    for text in texts:
        assert unsafe_markup(text, urls, users=OURS) == [], (where, text[:300])


@given(question=TEXTS, detail=TEXTS, answer=TEXTS)
@EXAMPLES
def test_any_text_is_stored_and_renders_safely(
    services: Services, question: str, detail: str, answer: str
) -> None:
    sent = service.send_enquiry(services, "T1", ASKER, question, detail[:1000], "declined")
    if sent.enquiry is None:  # nothing to send: said so, nothing stored
        assert sent.errors and not question.strip() or not service.question_of(question)
        return
    enquiry = sent.enquiry
    asking = views.Asking(enquiry.question)
    _safe(views.enquiry_modal(asking, ASKER, 90), "enquiry modal")
    assert len(asking.to_metadata()) <= 3000
    _safe(views.sent_view(messages.sent_text(enquiry, sent.created)), "sent")
    _safe(dict(messages.confirmation_message(enquiry)), "confirmation")
    _safe(dict(messages.team_message(enquiry)), "team message")
    _safe(dict(messages.enquiries_message([enquiry] * 25, NOW)), "list")
    intro = f"{views.quoted(enquiry.question)}\n{views.quoted(enquiry.detail)}"
    _safe(views.answer_modal(ids.ANSWER_CALLBACK, str(enquiry.id), enquiry.question, intro),
          "answer modal")  # fmt: skip
    for status in (ANSWERED, CLOSED):
        done = dataclasses.replace(enquiry, status=status, resolved_at=NOW, resolved_by=TEAMER,
                                   answer=answer)  # fmt: skip
        _safe(dict(messages.team_message(done, undelivered=True)), f"team message {status}")
        _safe(dict(messages.answer_message(done, answer[:150], "https://www.gov.uk/x")),
              "answer DM", urls={"https://www.gov.uk/x"})  # fmt: skip
        _safe(dict(messages.closed_message(done)), "closed DM")


@given(question=TEXTS)
@EXAMPLES
def test_the_ask_button_fits_any_question(question: str) -> None:
    declined = Answer(question, False, "I couldn't find an answer.", "", (), (), 1.0)
    message = blocks.answer_message(declined, 1)
    _safe(dict(message), "declined answer")
    ask = message["blocks"][-1]["elements"][0]
    assert len(ask["value"]) <= 2000
    parsed = views.Asking.from_metadata(ask["value"])
    assert parsed is not None
    sent = service.question_of(parsed.question)[:100]
    assert service.question_of(question).startswith(sent)
