"""Threads are conversations: once answered in a thread, follow-ups there need no mention, are
read with what the thread is about, and messages to other people are left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakeslack import BOT_USER_ID
from slack_harness import Slack
from slack_requests import CHANNEL, mention, message

from bot.answers.service import ask_follow_up, topic_of
from bot.answers.threads import Earlier, Threads, addressed_elsewhere, is_social, leans_on_earlier
from bot.data.db import DataStore
from bot.services import Services
from bot.settings import Settings
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ROOT = "1700001000.000100"


def _posts(slack: Slack, count: int) -> list[dict]:
    return [c.params for c in slack.fake.wait_for("chat.postMessage", count, timeout=15)]


def _in_thread(text: str, ts: str, thread_ts: str = ROOT, **extra: object) -> dict:
    return message(text, channel=CHANNEL, channel_type="channel", ts=ts, thread_ts=thread_ts,
                   **extra)  # fmt: skip


def _start(slack: Slack, question: str = "What does TUPE protect?") -> None:
    slack.event(mention(question, ts=ROOT))
    _posts(slack, 1)


# (follow-up, a fact its answer must give): each turn leans on what the thread is about.
TURNS = [
    ("What does TUPE protect?", "terms and conditions of staff"),
    ("and the pensions?", "New Fair Deal"),  # "and ...?": TUPE's page
    ("Who owns MyCSP?", "private partner"),  # stands alone: a new topic
    ("what does it do?", "administers the civil service pension schemes"),  # "it" is MyCSP
    ("and the employees' share?", "a quarter of the shares"),  # still MyCSP
]


def test_five_turn_conversation_in_a_thread(slack: Slack) -> None:
    _start(slack, TURNS[0][0])
    for turn, (text, _) in enumerate(TURNS[1:], start=1):
        slack.event(_in_thread(text, ts=f"17000010{turn:02d}.000100"))  # no mention
        _posts(slack, turn + 1)
    posts = _posts(slack, len(TURNS))
    assert len(posts) == len(TURNS)
    for post, (text, fact) in zip(posts, TURNS, strict=True):
        assert post["channel"] == CHANNEL and post["thread_ts"] == ROOT, text
        assert fact in post["text"], (text, post["text"])
    assert slack.fake.of("conversations.replies") == []  # the thread is known: no look-up


@pytest.mark.parametrize(
    "text",
    ["thanks all", "Thanks, that's really helpful!", "<@U0OTHER01> can you check the pensions?",
     "<!here> and the pensions?", "ok great", "I will be out of the office tomorrow"],
)  # fmt: skip
def test_messages_to_other_people_are_left_alone(slack: Slack, text: str) -> None:
    _start(slack)
    slack.event(_in_thread(text, ts="1700001100.000100"))
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_a_question_we_cannot_answer_in_a_followed_thread_is_declined(slack: Slack) -> None:
    _start(slack)
    slack.event(_in_thread("How do I bake sourdough bread?", ts="1700001100.000100"))
    assert "couldn't find an answer" in _posts(slack, 2)[1]["text"]


def test_a_thread_we_did_not_answer_in_is_not_followed(slack: Slack) -> None:
    _start(slack)
    slack.event(_in_thread("Who owns MyCSP?", ts="1700001100.000100", thread_ts="1700000999.1"))
    slack.event(message("Who owns MyCSP?", channel=CHANNEL, channel_type="channel",
                        ts="1700001101.000100"))  # fmt: skip
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_follow_up_answered_once_despite_retries_and_a_mention(slack: Slack) -> None:
    _start(slack)
    follow_up = _in_thread("Who owns MyCSP?", ts="1700001100.000100")
    slack.event(follow_up, event_id="Ev0THREAD01")
    slack.event(follow_up, event_id="Ev0THREAD01", retry=1)
    # A follow-up that mentions us comes as app_mention and as message: one answer.
    ts = "1700001200.000100"
    slack.event(mention("and the shares?", ts=ts, thread_ts=ROOT))
    slack.event(_in_thread(f"<@{BOT_USER_ID}> and the shares?", ts=ts))
    _posts(slack, 3)
    slack.fake.settle(quiet=1.5)  # longer than the channel's pace: nothing else is queued
    assert len(slack.fake.of("chat.postMessage")) == 3


# -- the pure parts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, leans",
    [
        ("Who owns it?", True),
        ("and the staff numbers?", True),
        ("What about TUPE?", True),
        ("the pension scheme?", True),
        ("when was that?", True),
        ("Who owns MyCSP?", False),
        ("What is the Right to Provide?", False),
        ("How many staff transferred to MyCSP in 2012?", False),
    ],
)
def test_leans_on_earlier(question: str, leans: bool) -> None:
    assert leans_on_earlier(question) is leans


@pytest.mark.parametrize(
    "text, social",
    [("thanks all", True), ("Cheers everyone!", True), ("ok 👍", True), ("thanks, who owns it?",
     False), ("and the pensions?", False)],
)  # fmt: skip
def test_is_social(text: str, social: bool) -> None:
    assert is_social(text) is social


def test_addressed_elsewhere() -> None:
    assert addressed_elsewhere("<@U0OTHER01> over to you", BOT_USER_ID)
    assert addressed_elsewhere("<!channel> heads up", BOT_USER_ID)
    assert not addressed_elsewhere(f"<@{BOT_USER_ID}> and the shares?", BOT_USER_ID)
    assert not addressed_elsewhere("and the shares?", BOT_USER_ID)


def test_threads_are_bounded_in_number_and_time() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    threads = Threads(lambda: now[0], max_threads=3, idle=timedelta(hours=1))
    for n in range(5):
        threads.remember(("C1", str(n)), f"topic {n}", f"question {n}")
    assert len(threads) == 3 and ("C1", "0") not in threads and ("C1", "4") in threads
    assert threads.context_for(("C1", "4")) == Earlier("topic 4", "question 4")
    threads.remember(("C1", "4"), "topic 5", "and the follow-up?", leaned=True)
    threads.remember(("C1", "4"))  # a decline or help: what the thread is about stays
    assert threads.context_for(("C1", "4")) == Earlier("topic 5", "question 4")
    now[0] += timedelta(hours=2)
    assert ("C1", "4") not in threads and threads.context_for(("C1", "4")) is None


def test_follow_up_answers_carry_feedback(slack: Slack) -> None:
    _start(slack, "Who owns MyCSP?")
    slack.event(_in_thread("and the shares?", ts="1700001100.000100"))
    post = _posts(slack, 2)[1]
    assert "quarter" in post["text"] and "feedback" in json.dumps(post["blocks"])


@pytest.mark.parametrize(
    "first, follow_up, fact",
    [
        # The issue's own example: alone, "and the staff numbers?" got the hotline number.
        ("What is MyCSP?", "and the staff numbers?", "staff"),
        ("What was the Mutuals Taskforce?", "and who chaired it?", "Le Grand"),
        ("What happened to the pathfinders?", "and SEQOL?", "Swindon"),
    ],
)
def test_follow_ups_on_the_shipped_knowledge(
    shipped_index: SearchIndex, tmp_path: Path, first: str, follow_up: str, fact: str
) -> None:
    services = Services(Settings(data_path=tmp_path / "data.sqlite3"), shipped_index,
                        DataStore(tmp_path / "data.sqlite3"))  # fmt: skip
    try:
        asked = ask_follow_up(services, first, None, "test")
        earlier = Earlier(topic_of(asked), first)
        followed = ask_follow_up(services, follow_up, earlier, "test")
    finally:
        services.data.close()
    assert followed.leaned and followed.answer.answered
    assert followed.answer.question == follow_up
    assert fact in followed.answer.text
    assert "hotline" not in followed.answer.text
