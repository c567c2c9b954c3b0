"""Messages end to end through Bolt: mentions, DMs, threads, open channels, what is ignored."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fakeslack import BOT_ID, BOT_USER_ID
from slack_harness import Slack, make_slack
from slack_requests import ASKER, CHANNEL, DM, mention, message

from bot.answers import incoming
from bot.answers.service import ask
from bot.data.usage import questions_since
from bot.services import Services
from bot.slack.text import typed_text, without_mentions
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

QUESTION = "Who owns MyCSP?"


def _text(call_params: dict) -> str:
    return json.dumps(call_params.get("blocks", []))


def test_mention_is_answered_in_its_thread(slack: Slack) -> None:
    slack.event(mention(QUESTION, ts="1700000200.000100"))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert post.params["thread_ts"] == "1700000200.000100"
    assert "Employees, the government and a private partner" in _text(post.params)
    assert "feedback_buttons" in _text(post.params)


def test_dm_is_answered_in_the_dm(slack: Slack) -> None:
    slack.event(message(QUESTION))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == DM
    assert "thread_ts" not in post.params
    assert "private partner" in post.params["text"]


def test_question_is_logged_without_the_asker(slack: Slack) -> None:
    slack.event(message(QUESTION))
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    (logged,) = questions_since(slack.services.data, slack.services.now().replace(year=2000))
    assert logged.question == QUESTION and logged.answered and logged.source == "dm"
    assert logged.top_passage_id
    assert ASKER not in json.dumps(logged.__dict__, default=str)


def test_declined_answer_names_the_contact(slack: Slack) -> None:
    slack.event(message("How do I bake sourdough bread?"))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert "couldn't find an answer" in post.params["text"]
    assert "mutuals team" in post.params["text"]  # the fixture knowledge's contact


@pytest.mark.parametrize("text", ["help", "Help", ""])
def test_help_in_a_dm(slack: Slack, text: str) -> None:
    slack.event(message(text))
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert "Ways to ask" in _text(post.params)


def test_short_follow_up_in_a_thread_uses_the_root_question(slack: Slack) -> None:
    slack.fake.thread_root_text = f"<@{BOT_USER_ID}> Who owns MyCSP?"
    # Alone, "and the shares?" is declined; with the thread's question it is answered.
    slack.event(mention("and the shares?", ts="1700000300.000100", thread_ts="1700000200.000100"))
    (post,) = slack.fake.wait_for("chat.postMessage")
    (replies,) = slack.fake.of("conversations.replies")
    assert replies.params["ts"] == "1700000200.000100" and str(replies.params["limit"]) == "1"
    assert post.params["thread_ts"] == "1700000200.000100"
    assert "private partner" in post.params["text"]


def test_long_question_in_a_thread_needs_no_context(slack: Slack) -> None:
    slack.event(mention(QUESTION + " please tell me", thread_ts="1700000100.000100"))
    slack.fake.wait_for("chat.postMessage")
    assert slack.fake.of("conversations.replies") == []


@pytest.mark.parametrize(
    "event",
    [
        message("Who owns MyCSP?", user=BOT_USER_ID),  # ourselves
        message("Who owns MyCSP?", bot_id="B0OTHER1", subtype="bot_message"),
        message("Who owns MyCSP?", bot_id=BOT_ID),
        message("Who owns MyCSP?", subtype="message_changed"),
        message("", subtype="message_deleted"),
        message("<@U0ASKER1> has joined the channel", subtype="channel_join"),
        message("Who owns MyCSP?", subtype="thread_broadcast"),
        message("Who owns MyCSP?", channel=CHANNEL, channel_type="channel"),  # not open
        mention("Who owns MyCSP?", bot_id="B0OTHER1"),
        mention("Who owns MyCSP?", user=BOT_USER_ID),
    ],
    ids=["self", "bot", "own-bot-id", "edit", "delete", "join", "broadcast", "channel",
         "bot-mention", "self-mention"],
)  # fmt: skip
def test_ignored(slack: Slack, event: dict) -> None:
    slack.event(event)
    calls = slack.fake.settle(quiet=0.3)
    assert [c.method for c in calls] == ["auth.test"]


def test_retry_is_answered_once(slack: Slack) -> None:
    event = message(QUESTION)
    slack.event(event, event_id="Ev0RETRY01")
    slack.fake.wait_for("chat.postMessage")
    slack.event(event, event_id="Ev0RETRY01", retry=1)
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_retry_after_restart_is_answered_once(slack: Slack) -> None:
    event = message(QUESTION)
    slack.event(event, event_id="Ev0RESTART1")
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    slack.services.data.close()
    restarted = slack.restart()
    try:
        restarted.event(event, event_id="Ev0RESTART1", retry=1)
        slack.fake.settle()
    finally:
        restarted.services.data.close()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_mention_and_dm_of_one_post_answered_once(slack: Slack) -> None:
    ts = "1700000400.000100"
    slack.event(mention(QUESTION, channel=DM, ts=ts))
    slack.event(message(f"<@{BOT_USER_ID}> {QUESTION}", ts=ts))
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_open_channel_answers_without_mention_but_only_when_sure(slack: Slack) -> None:
    settings = replace(slack.settings, open_channels=frozenset({CHANNEL}))
    slack.services.data.close()
    open_slack = make_slack(slack.fake, settings, slack.services.index)
    try:
        open_slack.event(message("lunch anyone?", channel=CHANNEL, channel_type="channel"))
        open_slack.event(
            message(QUESTION, channel=CHANNEL, channel_type="channel", ts="1700000500.000100")
        )
        (post,) = open_slack.fake.wait_for("chat.postMessage")
        open_slack.fake.settle()
        assert post.params["thread_ts"] == "1700000500.000100"
        assert len(open_slack.fake.of("chat.postMessage")) == 1
        logged = questions_since(
            open_slack.services.data, open_slack.services.now().replace(year=2000)
        )
        assert [q.question for q in logged] == [QUESTION]  # chatter is not a knowledge gap
    finally:
        open_slack.services.data.close()


def test_web_api_failure_is_logged_with_ids_only(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail_next("500", times=2, methods=("chat.postMessage",))
    slack.event(message("Who owns MyCSP? secret-words"), event_id="Ev0FAIL0001")
    slack.fake.wait_failed(2)  # the first try and the server-error retry
    slack.fake.settle()
    assert slack.fake.failed == [("chat.postMessage", "500"), ("chat.postMessage", "500")]
    assert "chat.postMessage failed" in caplog.text and "Ev0FAIL0001" in caplog.text
    assert "secret-words" not in caplog.text
    # ... and the app still answers the next message
    slack.event(message(QUESTION, ts="1700000600.000100"))
    slack.fake.wait_for("chat.postMessage")


def test_ask_service_without_slack(slack: Slack) -> None:
    asked = ask(slack.services, QUESTION, "test")
    assert asked.answer.answered and asked.question_id is not None


@pytest.mark.parametrize(
    "text, question",
    [
        (f"<@{BOT_USER_ID}> Who &amp; what?", "Who & what?"),
        (f"<@{BOT_USER_ID}|mutuals>   &lt;!channel&gt;\n MyCSP ", "<!channel> MyCSP"),
        ("<@U0OTHER01> said hi", "<@U0OTHER01> said hi"),
    ],
)
def test_question_text(text: str, question: str) -> None:
    assert typed_text(text, BOT_USER_ID) == question


def test_root_question_drops_every_mention() -> None:
    assert without_mentions("<@U0OTHER01> <@UBOT0001|bot> What is MyCSP?") == "What is MyCSP?"


def test_delivery_keys() -> None:
    event = {"channel": "C1", "ts": "1.5"}
    assert incoming.delivery_keys({"event_id": "Ev1"}, event) == ["event:Ev1", "message:C1:1.5"]
    assert incoming.delivery_keys({}, event) == ["message:C1:1.5"]


def test_services_follow_an_index_source(slack: Slack) -> None:
    class Source:
        def current(self) -> SearchIndex:
            return slack.services.index

    services = Services(slack.settings, Source(), slack.services.data)
    assert ask(services, QUESTION, "test").answer.answered
