"""The thin listeners of Ask the mutuals team, called directly with a Mock(Ack) and a mock
client (Slack's starter-template way): forged or broken payloads are refused in the modal, and
nothing is stored or sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import Ack

from bot.data.db import DataStore
from bot.enquiries import listeners, store
from bot.enquiries.views import Asking
from bot.services import Services
from bot.settings import Settings
from bot.slack import ids
from bot.slack.routing import Actor, CommandRequest

ASKER, TEAMER = "U0ASKER1", "U0TEAMER1"


@pytest.fixture
def services(tmp_path: Path, shipped_index: Any) -> Iterator[Services]:
    data = DataStore(tmp_path / "data.sqlite3")
    yield Services(Settings(team_users=frozenset({TEAMER})), shipped_index, data)
    data.close()


def _body(user: str, metadata: str = "", values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
            "view": {"private_metadata": metadata, "state": {"values": values or {}}}}  # fmt: skip


def _nothing_stored(services: Services) -> bool:
    return store.open_enquiries(services.data) == []


@pytest.mark.parametrize("metadata", ["", "not json", '{"r": "declined"}', "[1, 2]"])
def test_a_forged_enquiry_form_is_refused_in_the_modal(services: Services, metadata: str) -> None:
    ack, client = Mock(spec=Ack), Mock()
    listeners.submit_enquiry(services, ack, _body(ASKER, metadata), client)
    ack.assert_called_once()
    assert ack.call_args.kwargs["response_action"] == "errors"
    assert client.method_calls == [] and _nothing_stored(services)


def test_a_good_enquiry_form_closes_with_sent_and_posts(services: Services) -> None:
    ack, client = Mock(spec=Ack), Mock()
    client.conversations_open.return_value = {"channel": {"id": "D1"}}
    listeners.submit_enquiry(services, ack, _body(ASKER, Asking("Who funds MSP3?").to_metadata()),
                             client)  # fmt: skip
    assert ack.call_args.kwargs["response_action"] == "update"
    (found,) = store.open_enquiries(services.data)
    assert found.question == "Who funds MSP3?" and found.user_id == ASKER
    # No team channel is set: the admins (none here) would be told; the asker gets a DM.
    client.conversations_open.assert_called_once_with(users=ASKER)


@pytest.mark.parametrize("metadata", ["", "abc", "-1", "1e3", "9" * 40])
def test_an_answer_form_naming_no_enquiry_is_refused(services: Services, metadata: str) -> None:
    ack, client = Mock(spec=Ack), Mock()
    listeners.submit_answer(services, ack, _body(TEAMER, metadata), client)
    assert ack.call_args.kwargs["response_action"] == "errors"
    assert client.method_calls == []


def test_a_button_value_that_is_not_ours_gets_a_problem_reply(services: Services) -> None:
    reply = Mock(return_value=True)
    body = {"actions": [{"action_id": ids.ASK_TEAM, "value": "<script>"}], "trigger_id": "t"}
    request = CommandRequest(services, Actor("T1", ASKER), "", "", reply, Mock(), body)
    listeners.open_enquiry_modal(request)
    reply.assert_called_once()
    request.client.views_open.assert_not_called()  # type: ignore[attr-defined]
