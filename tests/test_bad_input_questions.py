"""Any question (any Unicode, up to 40,000 characters, markup, mentions, links, control
characters) is answered without an exception, logged, and rendered within Block Kit's limits with
nothing from it able to ping, link or break the message.

Hand-picked nasty strings through hand-made answers are in test_slack_blocks.py; here the real
search and answer composer run on generated questions, the way the listeners call them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from blockkit_check import mrkdwn_texts, unsafe_markup, violations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_requests import ASKER, slack_escape

from bot.answers import blocks
from bot.answers.service import ask
from bot.data.db import DataStore
from bot.data.usage import MAX_LOGGED_CHARS
from bot.services import Services
from bot.settings import Settings
from bot.slack.escape import slack_length
from bot.slack.text import typed_text
from indexer.search import MAX_QUERY_CHARS, SearchIndex

pytest_plugins = ["slack_fixtures"]

MAX_TESTED = 40_000
TOKENS = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0TEAM|@team>", "<@U1>", "<@W2|bob>",
    "<#C1|general>", "<https://evil.example|x>", "<http://evil.example>", "<mailto:a@b.c|m>",
    "&", "&amp;", "&lt;", "&gt;", "<", ">", "|", "*bold*", "_it_", "~s~", "`", "```", "> ",
    "\x00", "\x07", "\x1b[31m", "\x7f", "\r\n", "\t", "\n", "\u202e", "\u200b", "\ufeff",
    "\ud800", "\udfff",  # lone surrogates: valid in JSON (\\ud800), not in UTF-8
    "🙂", "👩\u200d👩\u200d👧\u200d👦",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # a flag: 7 code points
    "MyCSP", "mutual", "TUPE", "pension", "Who owns", "What is", "?", " ",
]  # fmt: skip
_fragment = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
_short = st.lists(_fragment, max_size=30).map("".join)
# Long questions: a generated stretch repeated up to 40,000 characters.
_long = st.builds(
    lambda part, size: (part * (size // max(len(part), 1) + 1))[:size],
    st.lists(_fragment, min_size=1, max_size=8).map("".join),
    st.integers(min_value=1, max_value=MAX_TESTED),
)
QUESTIONS = st.one_of(_short, _long, st.text(max_size=300))
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory, slack_index: SearchIndex
) -> Iterator[Services]:
    data = DataStore(tmp_path_factory.mktemp("questions") / "data.sqlite3")
    yield Services(Settings(), slack_index, data)
    data.close()


def _our_urls(index: SearchIndex) -> set[str]:
    urls = {p.url for p in index.passages}
    return urls | {s.url for p in index.passages for s in p.sources}


def _check(message: Any, urls: set[str], where: str) -> None:
    assert violations(dict(message)) == [], where
    for text in [*mrkdwn_texts(message["blocks"]), message["text"]]:
        assert unsafe_markup(text, urls, users={ASKER}) == [], (where, text[:300])


def assert_renders_safely(services: Services, raw: str) -> None:
    """As a listener does: Slack's escaping undone, asked, logged, every message built."""
    question = typed_text(slack_escape(raw), "UBOT0001")
    asked = ask(services, question, "dm")
    answer, question_id = asked.answer, asked.question_id
    urls = _our_urls(services.index)
    _check(blocks.answer_message(answer, question_id), urls, "answer")
    _check(blocks.asked_message(answer, question_id), urls, "asked")
    _check(blocks.slash_answer_message(answer, question_id), urls, "slash")
    _check(blocks.shared_message(answer, question_id, ASKER), urls, "shared")
    ref = blocks.AnswerRef.of(answer, question_id)
    assert slack_length(ref.to_value()) <= blocks.MAX_BUTTON_VALUE


@EXAMPLES
@given(raw=QUESTIONS)
def test_any_question_is_answered_and_rendered_safely(services: Services, raw: str) -> None:
    assert_renders_safely(services, raw)


@EXAMPLES
@given(junk=QUESTIONS)
def test_an_answerable_question_with_junk_renders_safely(services: Services, junk: str) -> None:
    # The answered path (sources, related passages, buttons) with hostile text around it.
    assert_renders_safely(services, f"Who owns MyCSP? {junk[:200]}")


@pytest.mark.parametrize(
    "raw",
    [
        "Who owns MyCSP? <!channel> <!here> <@U1> <https://evil.example|click>",
        "<!channel>" * 4_000,  # 40,000 characters of pings
        "Who owns MyCSP? " + "x" * (MAX_TESTED - 16),
        "\x00\x07\x1b" * 13_000 + "Who owns MyCSP?",
        "Who owns MyCSP? \ud800 \udfff",
        "",
    ],
    ids=["mentions", "40k-pings", "40k", "controls", "surrogates", "empty"],
)
def test_edge_questions(services: Services, raw: str) -> None:
    assert_renders_safely(services, raw)


def test_only_the_first_2000_characters_are_analysed_logged_or_restated(
    services: Services,
) -> None:
    assert MAX_QUERY_CHARS == MAX_LOGGED_CHARS == 2_000
    long_question = ("Who owns MyCSP? " * 2_500)[:MAX_TESTED]
    asked = ask(services, long_question, "dm")
    assert asked.answer.answered and asked.answer.question == long_question
    buried = "x " * 1_000 + "Who owns MyCSP?"  # the question starts after character 2,000
    assert not ask(services, buried, "dm").answer.answered
    row = services.data.db.execute(
        "select question from questions where id = ?", [asked.question_id]
    ).fetchone()
    assert row[0] == long_question[:MAX_LOGGED_CHARS]
    restated = blocks.slash_answer_message(asked.answer, asked.question_id)["blocks"][0]
    assert slack_length(restated["elements"][0]["text"]) <= blocks.MAX_ASKED + len("You asked: ")


def test_lone_surrogates_never_reach_the_question_log(services: Services) -> None:
    # Through a listener (typed_text drops them) and straight in, as an App Home
    # example button's value or a feedback button's question would come (usage stores "?").
    for question, source in [(typed_text("Who owns MyCSP? \ud800"), "dm"),
                             ("Who owns MyCSP? \udfff", "home")]:  # fmt: skip
        asked = ask(services, question, source)
        assert asked.question_id is not None
        row = services.data.db.execute(
            "select question from questions where id = ?", [asked.question_id]
        ).fetchone()
        assert row[0].startswith("Who owns MyCSP?") and row[0].isprintable()
