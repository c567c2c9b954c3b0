"""Registration fields of any shape and content: validation never raises, whatever it accepts is
stored and shown escaped, and every message and modal built from it is within Block Kit limits.

Hand-picked bad fields are in test_data_registrations.py and test_registration_views.py; here
hypothesis generates them, and the last test sends them through the real modal submission.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from blockkit_check import mrkdwn_texts, unsafe_markup, violations
from data_fixtures import valid_fields
from fakeslack import RESPONSE, FakeSlack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registration_payloads import submission_body
from slack_harness import Slack, make_slack, slack_settings
from slack_requests import ASKER, FORM

from bot.data.db import open_data
from bot.registrations.fields import REGIONS, STAGES
from bot.registrations.form import validate_registration
from bot.registrations.messages import (
    admin_notice_blocks,
    admin_notice_text,
    confirmation_blocks,
    confirmation_text,
    status_blocks,
    status_text,
    summary_blocks,
    summary_text,
)
from bot.registrations.store import (
    Registration,
    RegistrationSummary,
    get_registration,
    save_registration,
)
from bot.registrations.views import FORM_IDS, errors_response, parse_submission, registration_modal
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NASTY = [
    "<!channel>", "<!here>", "<@U1>", "<@W2|x>", "<#C1|general>", "<https://evil.example|x>",
    "&", "&amp;", "<", ">", "*", "_", "`", "\x00", "\x07", "\x1b", "\r\n", "\n", "\t",
    "\u202e", "\u2066", "\u200b", "\ud800", "🙂", "👩\u200d⚕️", "政府", "é", "e\u0301", "@",
    ".", "1,000", "=HYPERLINK(\"x\")", "+1", "-1", " ",
]  # fmt: skip
_nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=10)), max_size=40).map(
    "".join
)
_long_text = st.builds(lambda part, n: "L" + part * n, _nasty_text, st.integers(1, 400))
_anything = st.one_of(
    _nasty_text, _long_text, st.none(), st.booleans(), st.integers(), st.floats(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip


def _mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` seven times in eight, else anything at all (one_of would weigh each branch)."""
    return st.integers(0, 7).flatmap(lambda n: good if n else _anything)


_named = st.builds(lambda text: f"N {text}", _nasty_text)  # never blank
_FIELD_VALUES = {
    "organisation": _mostly(st.one_of(_named, _long_text)),
    "service": _mostly(_named),
    "staff_count": _mostly(st.integers(1, 1_000_000).map(lambda n: f"{n:,}")),
    "region": _mostly(st.sampled_from(REGIONS)),
    "stage": _mostly(st.sampled_from([v for v, _ in STAGES])),
    "description": _mostly(st.one_of(_nasty_text, _long_text)),
    "email": _mostly(st.from_regex(r"[a-z0-9.+'&=_-]{1,30}@example\.gov\.uk", fullmatch=True)),
    "consent": _mostly(st.just(True)),
}


@st.composite
def _forms(draw: st.DrawFn) -> dict[str, object]:
    """A valid form with up to four fields replaced, so accepted forms are common too."""
    fields = valid_fields()
    for name in draw(st.sets(st.sampled_from(sorted(_FIELD_VALUES)), max_size=4)):
        fields[name] = draw(_FIELD_VALUES[name])
    return fields


FORMS = _forms()
EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _stored(form: Any, user_id: str = "U0ASKER1") -> Registration:
    return Registration("T1", user_id, form, NOW, NOW, NOW)


def _messages(reg: Registration) -> list[dict[str, Any]]:
    summary = RegistrationSummary(
        12, {"region": {r: 1 for r in REGIONS}, "stage": {reg.stage: 12}}, [reg] * 12
    )
    return [
        {"text": confirmation_text(reg), "blocks": confirmation_blocks(reg)},
        {"text": status_text(reg), "blocks": status_blocks(reg)},
        {"text": admin_notice_text(reg, True), "blocks": admin_notice_blocks(reg, True)},
        {"text": summary_text(summary), "blocks": summary_blocks(summary)},
    ]


def assert_shown_safely(payload: dict[str, Any], user_id: str) -> None:
    assert violations(payload) == []
    texts = list(mrkdwn_texts(payload.get("blocks")))
    if payload.get("type") is None:  # a message: its fallback text is mrkdwn too
        texts.append(payload["text"])
    for text in texts:
        assert unsafe_markup(text, users={user_id}) == [], text[:300]


@EXAMPLES
@given(fields=FORMS)
def test_any_form_is_validated_and_whatever_is_accepted_shows_safely(
    fields: dict[str, object],
) -> None:
    form, errors = validate_registration(fields)
    if form is None:
        assert errors and set(errors) <= set(FORM_IDS)
        reply = errors_response(errors)
        assert set(reply["errors"]) <= {block for block, _ in FORM_IDS.values()}
        assert all(0 < len(message) <= 300 for message in reply["errors"].values())
        return
    reg = _stored(form)
    for message in _messages(reg):
        assert_shown_safely(message, reg.user_id)
    assert_shown_safely(registration_modal(reg, None, ""), reg.user_id)
    assert parse_submission({"state": {"values": {}}})  # the parser copes with an empty form


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=FORMS)
def test_whatever_is_accepted_can_be_stored_and_read_back(
    fields: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> None:
    form, _ = validate_registration(fields)
    if form is None:
        return
    with open_data(tmp_path_factory.mktemp("reg") / "data.sqlite3") as db:
        saved, _, _ = save_registration(db, "T1", "U1", form, NOW)
        assert get_registration(db, "T1", "U1") == saved
        assert (saved.organisation, saved.email) == (form.organisation, form.email)


@settings(max_examples=60, deadline=None)
@given(
    view=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    [
                        "state",
                        "values",
                        "value",
                        "selected_option",
                        "selected_options",
                        *(b for b, _ in FORM_IDS.values()),
                        *(a for _, a in FORM_IDS.values()),
                    ]
                ),
                inner,
                max_size=4,
            ),  # fmt: skip
        ),
        max_leaves=20,
    )
)
def test_any_submitted_view_parses_to_plain_fields(view: Any) -> None:
    parsed = parse_submission(view)
    assert set(parsed) == set(FORM_IDS)
    assert all(isinstance(v, str) for k, v in parsed.items() if k != "consent")
    assert isinstance(parsed["consent"], bool)
    validate_registration(parsed)  # and never raises on what the parser gives it


@settings(max_examples=30, deadline=None)
@given(email=st.one_of(st.none(), _nasty_text, _long_text))
def test_any_profile_email_makes_a_valid_modal(email: str | None) -> None:
    assert_shown_safely(registration_modal(None, email, ""), "U0ASKER1")


@pytest.fixture(scope="module")
def module_slack(
    tmp_path_factory: pytest.TempPathFactory, slack_index_path: Path, slack_index: SearchIndex
) -> Iterator[Slack]:
    fake = FakeSlack().start()
    tmp = tmp_path_factory.mktemp("submit")
    settings = replace(slack_settings(fake, tmp, slack_index_path), admin_channel="C0ADMINS1")
    harness = make_slack(fake, settings, slack_index)
    yield harness
    harness.services.data.close()
    fake.stop()


@settings(max_examples=25, deadline=None)
@given(fields=FORMS)
def test_any_submission_through_bolt_is_stored_or_refused_and_posts_only_safe_messages(
    module_slack: Slack, fields: dict[str, Any]
) -> None:
    slack = module_slack
    before = len(slack.fake.calls)
    response = slack.dispatch(submission_body(**fields), FORM)
    assert response.status == 200
    reply = json.loads(response.body) if response.body else {}
    stored = get_registration(slack.services.data, "T0000001", ASKER)
    if reply:  # refused: errors under our own blocks, and nothing posted
        assert reply["response_action"] == "errors"
        assert set(reply["errors"]) <= {block for block, _ in FORM_IDS.values()}
        posted = slack.fake.settle(quiet=0.1)[before:]
        assert [c for c in posted if c.method == "chat.postMessage"] == []
        return
    assert stored is not None
    slack.fake.wait_for("chat.postMessage", count=1)
    posted = slack.fake.settle(quiet=0.1)[before:]
    for call in posted:
        if call.method in ("chat.postMessage", RESPONSE):
            assert_shown_safely(dict(call.params), ASKER)
