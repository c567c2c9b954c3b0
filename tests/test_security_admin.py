"""Admin-only work is refused to everyone else on every surface: the slash subcommands, App Home,
and block_actions payloads forged with any admin action id (found in bot/ids.py, so a new admin
button is covered the day it is added). A refusal reveals nothing and starts nothing.

Per-surface refusal messages are checked in test_slack_admin.py and test_slack_registrations.py;
this file checks that nothing at all leaks, across all of them at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from conftest import write_knowledge
from data_fixtures import valid_input
from fakeslack import RESPONSE, UPLOAD, FakeSlack
from slack_harness import PAGES, Slack, slack_settings
from slack_requests import ASKER, FORM, TEAM_ID, action_body, command_body, event_body

from bot.app import build_app
from bot.data.db import DataStore
from bot.data.usage import log_question
from bot.registrations.store import save_registration
from bot.services import Services
from bot.slack import ids
from indexer.build import build_index
from indexer.live import LiveIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADMIN_SUBCOMMANDS = ("reindex", "registrations", "export", "gaps", "stats")
# Every admin-only action id in bot/ids.py (ADMIN_* constants that are not block ids).
ADMIN_ACTIONS = sorted(
    value
    for name, value in vars(ids).items()
    if name.startswith("ADMIN_") and not name.endswith("_BLOCK") and isinstance(value, str)
)
# What only admins may see: a registration, and a question nobody could answer (a gap).
SECRETS = ("Zyzzyva Borough Council", "zyzzyva.contact@example.gov.uk", "quokka husbandry")


@pytest.fixture
def live(tmp_path: Path) -> LiveIndex:
    knowledge = write_knowledge(tmp_path / "knowledge", pages=PAGES)
    path = tmp_path / "index.sqlite3"
    build_index(knowledge, path)
    return LiveIndex(path, knowledge, check_interval=0)


@pytest.fixture
def slack(fake_slack: FakeSlack, tmp_path: Path, live: LiveIndex) -> Iterator[Slack]:
    """A live index (so a reindex would really run) and data only admins may see."""
    settings = slack_settings(
        fake_slack, tmp_path, live.index_path, knowledge_dir=live.knowledge_dir,
        admin_users=frozenset({ADMIN}),
    )  # fmt: skip
    services = Services(settings, live, DataStore(settings.data_path), clock=lambda: NOW)
    form = valid_input(organisation=SECRETS[0], email=SECRETS[1])
    save_registration(services.data, TEAM_ID, "U0OTHER01", form, NOW)
    log_question(services.data, f"how does {SECRETS[2]} work", False, None, 1.0, NOW, "dm")
    yield Slack(fake_slack, settings, services, build_app(settings, services))
    services.data.close()


def _command(slack: Slack, text: str, user: str) -> None:
    body = command_body(text, slack.fake.response_url("cmd"), user=user)
    assert slack.dispatch(body, content_type=FORM).status == 200


def _click(slack: Slack, action_id: str, user: str, home: bool, **extra: Any) -> int:
    view = {"id": "V0HOME01", "type": "home"} if home else None
    body = action_body(action_id, "x", slack.fake.response_url("act"), user=user, view=view,
                       block_id=ids.ADMIN_BLOCK)  # fmt: skip
    payload = json.loads(parse_qs(body)["payload"][0])
    if home:  # App Home buttons come without a response_url
        del payload["response_url"]
    payload.update(extra)
    return slack.dispatch(urlencode({"payload": json.dumps(payload)}), content_type=FORM).status


def _index_untouched(live: LiveIndex, build_id: str, mtime: int) -> bool:
    return (
        live.current().info.build_id == build_id
        and live.index_path.stat().st_mtime_ns == mtime
        and not live.reindexing
    )


def _leaks(slack: Slack) -> list[str]:
    """Any secret in anything sent to Slack (messages, replies, uploads, views)."""
    sent = json.dumps([c.params for c in slack.fake.calls], default=repr, ensure_ascii=False)
    return [secret for secret in SECRETS if secret in sent]


def _refusals(calls: list[Any]) -> list[str]:
    texts = [json.dumps(c.params.get("text", "")) for c in calls
             if c.method in (RESPONSE, "chat.postMessage")]  # fmt: skip
    return [t for t in texts if "admin" in t.lower()]


def test_admin_surfaces_are_the_ones_this_file_checks() -> None:
    assert {ids.ADMIN_REINDEX, ids.ADMIN_GAPS, ids.ADMIN_STATS, ids.ADMIN_REGISTRATIONS,
            ids.ADMIN_EXPORT} <= set(ADMIN_ACTIONS)  # fmt: skip


@pytest.mark.parametrize("name", ADMIN_SUBCOMMANDS)
def test_admin_subcommands_are_refused_to_a_non_admin(
    slack: Slack, live: LiveIndex, name: str
) -> None:
    build_id, mtime = live.current().info.build_id, live.index_path.stat().st_mtime_ns
    _command(slack, f"{name} 30", ASKER)
    (reply,) = slack.fake.wait_for(RESPONSE)
    calls = slack.fake.settle()
    assert _refusals(calls), reply.params["text"]
    assert [c.method for c in calls] == ["auth.test", RESPONSE]  # no DM, no upload, no more
    assert _leaks(slack) == [] and _index_untouched(live, build_id, mtime)


@pytest.mark.parametrize("home", [True, False], ids=["app-home", "message"])
@pytest.mark.parametrize("action_id", ADMIN_ACTIONS)
def test_forged_admin_actions_are_refused_to_a_non_admin(
    slack: Slack, live: LiveIndex, action_id: str, home: bool
) -> None:
    build_id, mtime = live.current().info.build_id, live.index_path.stat().st_mtime_ns
    assert _click(slack, action_id, ASKER, home) == 200
    calls = slack.fake.settle()
    assert UPLOAD not in [c.method for c in calls]
    assert not [c for c in calls if c.method.startswith(("files.", "views."))]
    assert _leaks(slack) == [] and _index_untouched(live, build_id, mtime)


_AS_CLICKER = list(ADMIN_ACTIONS)


@pytest.mark.parametrize("action_id", _AS_CLICKER)
def test_the_clicker_is_the_payloads_user_not_a_user_id_beside_it(
    slack: Slack, live: LiveIndex, action_id: str
) -> None:
    # Slack names whoever clicked in payload.user.id; an extra top-level user_id naming an
    # admin (Slack never sends one in block_actions) must not make the click an admin's.
    build_id, mtime = live.current().info.build_id, live.index_path.stat().st_mtime_ns
    assert _click(slack, action_id, ASKER, home=False, user_id=ADMIN) == 200
    slack.fake.settle()
    assert _leaks(slack) == [] and _index_untouched(live, build_id, mtime)


@pytest.mark.parametrize("lookalike", ["u0admin01", "U0ADMIN01 ", " U0ADMIN01", "U0ADMIN0", ""])
def test_only_the_exact_admin_id_is_an_admin(slack: Slack, lookalike: str) -> None:
    _command(slack, "registrations", lookalike)
    slack.fake.settle()
    assert _leaks(slack) == []


def test_app_home_shows_no_admin_button_to_a_non_admin(slack: Slack) -> None:
    event = {"type": "app_home_opened", "user": ASKER, "tab": "home", "event_ts": "1.0"}
    assert slack.dispatch(event_body(event)).status == 200
    (publish,) = slack.fake.wait_for("views.publish")
    shown = {
        element.get("action_id")
        for block in publish.params["view"]["blocks"]
        for element in block.get("elements", [])
        if isinstance(element, dict)
    }
    assert not shown & set(ADMIN_ACTIONS)
    assert _leaks(slack) == []


def test_an_admin_gets_what_a_non_admin_is_refused(slack: Slack) -> None:
    """The control: the same requests from the admin do reach the data (so the checks above
    would notice a leak), and every admin action id has a listener."""
    _command(slack, "registrations", ADMIN)
    slack.fake.wait_for(RESPONSE)
    _command(slack, "gaps", ADMIN)
    slack.fake.wait_for(RESPONSE, count=2)
    slack.fake.settle()
    assert SECRETS[0] in json.dumps(slack.fake.calls[1].params, ensure_ascii=False)
    assert SECRETS[2] in json.dumps(slack.fake.calls[2].params, ensure_ascii=False)
    for action_id in ADMIN_ACTIONS:
        assert _click(slack, action_id, ADMIN, home=True) == 200  # 404: no listener
