"""Slack's assistant pane (Bolt's Assistant) and the message shortcut "Ask Mutuals Assistant"."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from slack_harness import Slack
from slack_requests import API_APP_ID, ASKER, CHANNEL, DM, FORM, TEAM_ID, action_body, message

from bot.answers.conversation import SEARCHING
from bot.answers.examples import EXAMPLE_QUESTIONS
from bot.answers.service import ask
from bot.slack import ids

pytest_plugins = ["slack_fixtures"]

PANE_THREAD = "1700004000.000100"


def thread_started(thread_ts: str = PANE_THREAD) -> dict:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": ASKER,
            "context": {"channel_id": CHANNEL, "team_id": TEAM_ID, "enterprise_id": None},
            "channel_id": DM,
            "thread_ts": thread_ts,
        },
        "event_ts": "1700004000.000200",
    }


def test_a_new_pane_thread_greets_and_suggests_questions_the_knowledge_answers(
    slack: Slack,
) -> None:
    slack.event(thread_started())
    (greeting,) = slack.fake.wait_for("chat.postMessage")
    (prompts,) = slack.fake.wait_for("assistant.threads.setSuggestedPrompts")
    assert greeting.params["channel"] == DM and greeting.params["thread_ts"] == PANE_THREAD
    assert "public service mutuals" in greeting.params["text"]
    suggested = json.loads(prompts.params["prompts"]) if isinstance(
        prompts.params["prompts"], str) else prompts.params["prompts"]  # fmt: skip
    assert prompts.params["thread_ts"] == PANE_THREAD
    assert 1 <= len(suggested) <= 4
    for prompt in suggested:
        assert prompt["message"] in EXAMPLE_QUESTIONS
        assert ask(slack.services, prompt["message"], "test").answer.answered


def test_a_pane_message_gets_a_status_a_title_and_the_answer_in_its_thread(slack: Slack) -> None:
    slack.event(thread_started())
    slack.fake.wait_for("chat.postMessage")
    slack.event(message("Who owns MyCSP?", ts="1700004001.000100", thread_ts=PANE_THREAD))
    (title,) = slack.fake.wait_for("assistant.threads.setTitle")
    (status,) = slack.fake.wait_for("assistant.threads.setStatus")
    answer = slack.fake.wait_for("chat.postMessage", 2)[1]
    assert title.params["title"] == "Who owns MyCSP?" and title.params["thread_ts"] == PANE_THREAD
    assert status.params["status"] == SEARCHING and status.params["channel_id"] == DM
    assert status.at <= answer.at
    assert answer.params["thread_ts"] == PANE_THREAD and "private partner" in answer.params["text"]
    # A follow-up in the pane is read with the thread; the title stays the first question's.
    slack.event(message("what does it do?", ts="1700004002.000100", thread_ts=PANE_THREAD))
    follow_up = slack.fake.wait_for("chat.postMessage", 3)[2]
    assert "administers" in follow_up.params["text"]
    slack.fake.settle()
    assert len(slack.fake.of("assistant.threads.setTitle")) == 1
    assert len(slack.fake.of("assistant.threads.setStatus")) == 2


def test_a_pane_message_is_answered_once(slack: Slack) -> None:
    event = message("Who owns MyCSP?", ts="1700004001.000100", thread_ts=PANE_THREAD)
    slack.event(event, event_id="Ev0PANE0001")
    slack.event(event, event_id="Ev0PANE0001", retry=1)
    slack.fake.wait_for("chat.postMessage")
    slack.fake.settle()
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_without_the_pane_a_failing_status_call_does_not_stop_the_answer(slack: Slack) -> None:
    # A DM thread in a workspace without the pane: assistant.threads.* fail; the answer comes.
    slack.fake.fail_next("500", times=4, methods=("assistant.threads.setStatus",
                                                  "assistant.threads.setTitle"))  # fmt: skip
    slack.event(message("Who owns MyCSP?", ts="1700004001.000100", thread_ts=PANE_THREAD))
    (answer,) = slack.fake.wait_for("chat.postMessage")
    assert "private partner" in answer.params["text"]


# -- the message shortcut ------------------------------------------------------------------------


def shortcut_body(text: str, response_url: str, ts: str = "1700005000.000100",
                  thread_ts: str | None = None) -> str:  # fmt: skip
    shared = {"type": "message", "user": "U0OTHER01", "text": text, "ts": ts}
    if thread_ts:
        shared["thread_ts"] = thread_ts
    payload = {
        "type": "message_action",
        "callback_id": ids.ASK_SHORTCUT,
        "trigger_id": "1337.44.abcd",
        "response_url": response_url,
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": ASKER, "username": "asker", "team_id": TEAM_ID},
        "channel": {"id": CHANNEL, "name": "general"},
        "message": shared,
        "message_ts": ts,
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
    }
    return urlencode({"payload": json.dumps(payload)})


def test_shortcut_answers_the_message_privately_and_shares_it_in_its_thread(
    slack: Slack,
) -> None:
    url = slack.fake.response_url("shortcut")
    response = slack.dispatch(shortcut_body("Who owns MyCSP?", url), content_type=FORM)
    assert response.status == 200
    (reply,) = slack.fake.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    assert "private partner" in reply.params["text"]
    assert slack.fake.of("chat.postMessage") == []  # nobody else sees it
    (share,) = [e for b in reply.params["blocks"] if b["type"] == "actions"
                for e in b["elements"] if e["action_id"] == ids.SHARE_IN_THREAD]  # fmt: skip
    assert share["text"]["text"] == "Share in thread"
    slack.dispatch(action_body(ids.SHARE_IN_THREAD, share["value"], url), content_type=FORM)
    (shared,) = slack.fake.wait_for("chat.postMessage")
    assert shared.params["channel"] == CHANNEL
    assert shared.params["thread_ts"] == "1700005000.000100"
    assert f"<@{ASKER}> asked" in json.dumps(shared.params["blocks"])
    assert "private partner" in shared.params["text"]
    removed = slack.fake.wait_for("response_url", 2)[1]
    assert removed.params.get("delete_original") in (True, "true")


def test_shortcut_on_a_reply_shares_in_that_thread(slack: Slack) -> None:
    url = slack.fake.response_url("shortcut")
    slack.dispatch(shortcut_body("Who owns MyCSP?", url, ts="1700005001.000100",
                                 thread_ts="1700005000.000100"), content_type=FORM)  # fmt: skip
    (reply,) = slack.fake.wait_for("response_url")
    value = json.loads(
        next(e["value"] for b in reply.params["blocks"] if b["type"] == "actions"
             for e in b["elements"] if e["action_id"] == ids.SHARE_IN_THREAD)
    )  # fmt: skip
    assert value["th"] == "1700005000.000100"


def test_shortcut_on_a_message_without_text(slack: Slack) -> None:
    url = slack.fake.response_url("shortcut")
    slack.dispatch(shortcut_body("", url), content_type=FORM)
    (reply,) = slack.fake.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral" and "no text" in reply.params["text"]
