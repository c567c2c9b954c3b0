"""The /mutuals slash command end to end through Bolt."""

from __future__ import annotations

import json

import pytest
from fakeslack import RESPONSE
from slack_harness import Slack

from bot.app import router

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
    actions = [e["action_id"] for b in reply.params["blocks"]
               if b["type"] in ("actions", "context_actions") for e in b["elements"]]  # fmt: skip
    assert actions == ["feedback_buttons", "registration_open", "share_in_channel"]


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


def test_one_router_holds_every_subcommand() -> None:
    names = {"help", "reindex", "gaps", "stats", "register", "status", "withdraw",
             "registrations", "export", "enquiries", "answers"}  # fmt: skip
    assert set(router().subcommands) == names


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("", "", ""),
        ("  Status ", "status", ""),
        ("HELP?", "help", ""),
        ("gaps 60", "gaps", "60"),
        ("stats abc", "stats", "abc"),  # a wrong argument gets the usage, not an answer
        ("status of the Swindon pathfinder?", "", "status of the Swindon pathfinder?"),
        ("reindex now", "reindex", "now"),
        ("register my team's interest", "", "register my team's interest"),
        ("status update?", "", "status update?"),
        ("stats on mutuals in 2020, please", "", "stats on mutuals in 2020, please"),
        ("export  rules for   mutuals", "", "export rules for mutuals"),
    ],
)
def test_a_subcommand_word_runs_it_only_with_the_arguments_it_takes(
    text: str, name: str, args: str
) -> None:
    routed_name, routed_args, _ = router().route(text)
    assert (routed_name, routed_args) == (name, args)


def test_a_question_that_starts_with_a_subcommand_word_is_answered(slack: Slack) -> None:
    slack.command("status of the MyCSP joint venture?")
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "You asked: status of the MyCSP joint venture?" in json.dumps(reply.params["blocks"])
