"""The workspace is part of identity: the app serves one team (MUTUALS_TEAM_ID, else the bot
token's own from auth.test), so an admin's user id arriving with another team id gets nothing,
and withdraw is per (team, user): another team's request cannot delete or reach a registration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from data_fixtures import NOW, valid_input
from fakeslack import RESPONSE, FakeSlack
from slack_harness import Slack, make_slack, slack_settings
from slack_requests import ASKER, FORM, TEAM_ID, action_body, command_body
from slack_requests import bolt_request as signed

from bot.registrations.store import delete_registration, get_registration, save_registration
from bot.slack import ids
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
OTHER_TEAM = "T0OTHER99"


@pytest.fixture(params=["from auth.test", "from MUTUALS_TEAM_ID"])
def slack(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, tmp_path: Path,
    slack_index_path: Path, slack_index: SearchIndex,
) -> Iterator[Slack]:  # fmt: skip
    settings = slack_settings(fake_slack, tmp_path, slack_index_path,
                              admin_users=frozenset({ADMIN}))  # fmt: skip
    if request.param == "from MUTUALS_TEAM_ID":
        settings = replace(settings, team_id=TEAM_ID)
    harness = make_slack(fake_slack, settings, slack_index)
    save_registration(harness.services.data, TEAM_ID, ASKER, valid_input(), NOW)
    yield harness
    harness.services.data.close()


def _command_from(slack: Slack, text: str, user: str, team: str) -> Any:
    fields = parse_qs(command_body(text, slack.fake.response_url("ws"), user=user))
    body = urlencode({k: v[0] for k, v in fields.items()} | {"team_id": team})
    return slack.app.dispatch(signed(body, content_type=FORM))


def _click_from(slack: Slack, action_id: str, user: str, team: str) -> Any:
    payload = json.loads(parse_qs(action_body(action_id, "", slack.fake.response_url("ws"),
                                              user=user))["payload"][0])  # fmt: skip
    payload["team"] = {"id": team, "domain": "other"}
    payload["user"]["team_id"] = team
    return slack.app.dispatch(signed(urlencode({"payload": json.dumps(payload)}),
                                     content_type=FORM))  # fmt: skip


def test_the_app_knows_its_team(slack: Slack) -> None:
    assert slack.app.team_id == TEAM_ID  # type: ignore[attr-defined]


@pytest.mark.parametrize("subcommand", ["registrations", "export", "stats"])
def test_an_admin_user_id_from_another_team_is_refused(slack: Slack, subcommand: str) -> None:
    response = _command_from(slack, subcommand, ADMIN, OTHER_TEAM)
    assert response.status == 200 and "another Slack workspace" in response.body
    calls = slack.fake.settle()
    assert [c.method for c in calls] == ["auth.test"]  # no summary, no upload, nothing


def test_the_same_admin_in_the_app_team_is_served(slack: Slack) -> None:
    assert _command_from(slack, "registrations", ADMIN, TEAM_ID).status == 200
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "1" in reply.params["text"]


def test_withdraw_from_another_team_cannot_reach_the_registration(slack: Slack) -> None:
    assert _click_from(slack, ids.WITHDRAW_CONFIRM, ASKER, OTHER_TEAM).status == 200
    assert slack.fake.settle() and not slack.fake.of(RESPONSE)
    assert get_registration(slack.services.data, TEAM_ID, ASKER) is not None


def test_withdraw_is_per_team_and_user_in_the_store(slack: Slack) -> None:
    save_registration(slack.services.data, OTHER_TEAM, ASKER, valid_input(), NOW)
    assert delete_registration(slack.services.data, OTHER_TEAM, ASKER) is True
    assert get_registration(slack.services.data, TEAM_ID, ASKER) is not None
    assert get_registration(slack.services.data, OTHER_TEAM, ASKER) is None


def test_withdraw_in_the_app_team_deletes_it(slack: Slack) -> None:
    assert _click_from(slack, ids.WITHDRAW_CONFIRM, ASKER, TEAM_ID).status == 200
    (done,) = slack.fake.wait_for(RESPONSE)
    assert "is deleted" in done.params["text"]
    assert get_registration(slack.services.data, TEAM_ID, ASKER) is None
