"""Buttons and App Home end to end through Bolt: feedback, share, examples, home view."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fakeslack import DM_CHANNEL, RESPONSE
from slack_harness import Slack
from slack_requests import ASKER, FORM, action_body, event_body, message

from bot.answers import blocks
from bot.answers.service import ask
from bot.data.usage import feedback_since
from bot.slack import ids

pytest_plugins = ["slack_fixtures"]

QUESTION = "Who owns MyCSP?"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _click(slack: Slack, action_id: str, value: str, **kwargs: object) -> None:
    body = action_body(action_id, value, slack.fake.response_url("act"), **kwargs)  # type: ignore[arg-type]
    response = slack.dispatch(body, content_type=FORM)
    assert response.status == 200


def _posted_answer(slack: Slack) -> dict:
    """An answer as Slack hands it back in a block_actions payload."""
    asked = ask(slack.services, QUESTION, "dm")
    message = blocks.answer_message(asked.answer, asked.question_id)
    return {"type": "message", "ts": "1700000700.000100", **message}


def _feedback_value(message: dict, helpful: bool = True) -> str:
    """The value Slack sends back when one of the answer's feedback buttons is clicked."""
    block = next(b for b in message["blocks"] if b.get("block_id") == ids.FEEDBACK_BLOCK)
    element = block["elements"][0]
    if element["type"] == "feedback_buttons":
        return str(element["positive_button" if helpful else "negative_button"]["value"])
    return str(block["elements"][0 if helpful else 1]["value"])


@pytest.mark.parametrize(
    "native, action_id, helpful",
    [(True, ids.FEEDBACK, True), (True, ids.FEEDBACK, False),
     (False, ids.HELPFUL, True), (False, ids.NOT_HELPFUL, False)],
    ids=["thumbs-up", "thumbs-down", "button-helpful", "button-not-helpful"],
)  # fmt: skip
def test_feedback_is_stored_thanked_and_buttons_replaced(
    slack: Slack, native: bool, action_id: str, helpful: bool
) -> None:
    message = _posted_answer(slack)
    if not native:  # as a surface without Slack's feedback buttons gets it
        message = {**message, **blocks.with_buttons(message)}  # type: ignore[arg-type]
    _click(slack, action_id, _feedback_value(message, helpful), message=message)
    thanks, replaced = slack.fake.wait_for(RESPONSE, count=2)
    assert thanks.params["response_type"] == "ephemeral"
    assert thanks.params["replace_original"] is False
    assert "Thanks for the feedback" in thanks.params["text"]
    assert replaced.params["replace_original"] is True
    assert all(b.get("block_id") != ids.FEEDBACK_BLOCK for b in replaced.params["blocks"])
    assert any(b.get("block_id") == ids.REGISTER_BLOCK for b in replaced.params["blocks"])
    assert ("Feedback recorded: helpful" if helpful else "not helpful") in json.dumps(
        replaced.params["blocks"]
    )
    (stored,) = feedback_since(slack.services.data, LONG_AGO)
    assert stored.helpful is helpful and stored.question == QUESTION
    assert stored.passage_ids and ASKER not in json.dumps(stored.__dict__, default=str)


def test_second_click_does_not_count_twice(slack: Slack) -> None:
    message = _posted_answer(slack)
    _click(slack, ids.FEEDBACK, _feedback_value(message, True), message=message)
    slack.fake.wait_for(RESPONSE, count=2)
    _click(slack, ids.FEEDBACK, _feedback_value(message, False), message=message)
    calls = slack.fake.wait_for(RESPONSE, count=4)
    assert "already recorded" in calls[2].params["text"]
    assert len(feedback_since(slack.services.data, LONG_AGO)) == 1


def test_feedback_on_an_ephemeral_answer_redraws_it(slack: Slack) -> None:
    asked = ask(slack.services, QUESTION, "command")
    value = blocks.AnswerRef.of(asked.answer, asked.question_id).to_value()
    _click(slack, ids.HELPFUL, value)  # no `message` in the payload
    _, replaced = slack.fake.wait_for(RESPONSE, count=2)
    kinds = [b["type"] for b in replaced.params["blocks"]]
    assert kinds.count("actions") == 2  # Register and Share stay, the feedback buttons go
    assert "Feedback recorded" in json.dumps(replaced.params["blocks"])


@pytest.mark.parametrize("action_id", [ids.HELPFUL, ids.FEEDBACK])
def test_foreign_value_gets_a_polite_reply(slack: Slack, action_id: str) -> None:
    _click(slack, action_id, "not-ours")
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "something went wrong" in reply.params["text"]
    assert feedback_since(slack.services.data, LONG_AGO) == []


def test_share_posts_publicly_then_removes_the_private_copy(slack: Slack) -> None:
    asked = ask(slack.services, QUESTION, "command")
    value = blocks.AnswerRef.of(asked.answer, asked.question_id).to_value()
    _click(slack, ids.SHARE, value)
    public, delete = slack.fake.wait_for(RESPONSE, count=2)
    assert public.params["response_type"] == "in_channel"
    assert public.params["replace_original"] is False
    assert f"<@{ASKER}> asked: Who owns MyCSP?" in json.dumps(public.params["blocks"])
    assert "private partner" in public.params["text"]
    assert delete.params["delete_original"] is True


def test_example_question_is_answered_in_the_users_dm(slack: Slack) -> None:
    view = {"id": "V0000001", "type": "home"}
    _click(slack, ids.example_action(1), "What is MyCSP?", view=view)
    (post,) = slack.fake.wait_for("chat.postMessage")
    (opened,) = slack.fake.of("conversations.open")
    assert opened.params["users"] == ASKER
    assert post.params["channel"] == DM_CHANNEL
    assert "You asked: What is MyCSP?" in json.dumps(post.params["blocks"])


def test_home_opened_publishes_the_view(slack: Slack) -> None:
    event = {"type": "app_home_opened", "user": ASKER, "channel": "D0ASKERDM", "tab": "home",
             "event_ts": "1700000800.000100"}  # fmt: skip
    assert slack.dispatch(event_body(event)).status == 200
    (publish,) = slack.fake.wait_for("views.publish")
    assert publish.params["user_id"] == ASKER
    view = publish.params["view"]
    assert view["type"] == "home"
    assert f"{slack.services.index.info.passages} passages" in json.dumps(view)


def test_messages_tab_does_not_publish(slack: Slack) -> None:
    event = {"type": "app_home_opened", "user": ASKER, "channel": "D0ASKERDM", "tab": "messages"}
    slack.dispatch(event_body(event))
    assert [c.method for c in slack.fake.settle()] == ["auth.test"]


def test_where_feedback_buttons_are_refused_plain_buttons_are_sent(slack: Slack) -> None:
    slack.fake.refused_blocks = {"context_actions"}
    slack.event(message(QUESTION, ts="1700000800.000100"))
    slack.command(QUESTION)
    (post,) = slack.fake.wait_for("chat.postMessage")
    (reply,) = slack.fake.wait_for(RESPONSE)
    for sent in (post, reply):
        feedback = next(b for b in sent.params["blocks"] if b.get("block_id") == ids.FEEDBACK_BLOCK)
        assert [e["action_id"] for e in feedback["elements"]] == [ids.HELPFUL, ids.NOT_HELPFUL]
    assert sorted(slack.fake.failed) == [("chat.postMessage", "invalid_blocks"),
                                         (RESPONSE, "invalid_blocks")]  # fmt: skip
