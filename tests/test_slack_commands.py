"""The /mutuals slash command end to end through Bolt."""

from __future__ import annotations

import json

import pytest
from fakeslack import RESPONSE
from slack_harness import Slack

from bot.listeners.commands import SUBCOMMANDS, split_command

pytest_plugins = ["slack_fixtures"]


def test_question_gets_an_ephemeral_answer_restating_it(slack: Slack) -> None:
    response = slack.command("Who owns <MyCSP> & why?")
    assert response.status == 200 and response.body == ""
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert reply.path == "/response/cmd"
    assert reply.params["response_type"] == "ephemeral"
    first = reply.params["blocks"][0]["elements"][0]["text"]
    assert first == "You asked: Who owns &lt;MyCSP&gt; &amp; why?"
    assert "private partner" in reply.params["text"]
    actions = [e["action_id"] for b in reply.params["blocks"] if b["type"] == "actions"
               for e in b["elements"]]  # fmt: skip
    assert actions == [
        "feedback_helpful", "feedback_not_helpful", "registration_open", "share_in_channel",
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["help", "HELP", ""])
def test_help(slack: Slack, text: str) -> None:
    slack.command(text)
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "Ways to ask" in json.dumps(reply.params["blocks"])
    assert reply.params["response_type"] == "ephemeral"


def test_no_web_api_call_for_a_command(slack: Slack) -> None:
    slack.command("Who owns MyCSP?")
    calls = slack.fake.settle()
    assert [c.method for c in calls] == ["auth.test", RESPONSE]


def test_dispatch_table() -> None:
    assert set(SUBCOMMANDS) == {"help", "reindex", "gaps", "stats", "register",
                                "status", "withdraw", "registrations", "export"}  # fmt: skip
    assert split_command("  Register  my team ") == ("register", "my team")
    assert split_command("") == ("", "")
