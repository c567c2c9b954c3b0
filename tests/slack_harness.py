"""The Slack test harness: a Bolt app wired to the fake Web API (see slack_fixtures.py)."""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fakeslack import FakeSlack
from slack_bolt import App, BoltResponse
from slack_requests import FORM, JSON, SIGNING_SECRET, bolt_request, command_body, event_body

from bot.app import build_app
from bot.data.db import DataStore
from bot.services import Services
from bot.settings import Settings
from indexer.search import SearchIndex

# Knowledge for the Slack tests: enough documents that BM25 scores confidently, so the tests
# do not depend on the shipped knowledge (which its authors keep editing).
PAGE = """\
---
title: "{title}"
as_of: {as_of}
contact: the mutuals team (mutuals@example.org)
sources:
  - title: "{source}"
    url: https://example.org/{slug}
---
{sections}
"""
PAGES = {
    "mycsp.md": PAGE.format(
        title="MyCSP, the civil service pensions mutual",
        as_of="2014-04-30",
        slug="mycsp",
        source="MyCSP & the <pension> schemes",
        sections="## What MyCSP does\nMyCSP administers the civil service pension schemes. "
        "It was the first large spin out from central government.\n\n"
        "## Who owns MyCSP\nEmployees, the government and a private partner own MyCSP "
        "together: the employee partnership holds a quarter of the shares.\n",
    ),
    "tupe.md": PAGE.format(
        title="TUPE and pensions when staff spin out",
        as_of="2013-10-01",
        slug="tupe",
        source="Fair Deal guidance",
        sections="## Staff transfer\nTUPE protects the terms and conditions of staff who "
        "transfer to a new employer such as a mutual.\n\n"
        "## Pensions\nNew Fair Deal lets transferred staff stay in their public service "
        "pension scheme.\n",
    ),
    "pathfinders.md": PAGE.format(
        title="The Mutual Pathfinder Programme",
        as_of="2011-08-01",
        slug="pathfinders",
        source="Cabinet Office pathfinders",
        sections="## What the programme was\nThe Mutual Pathfinder Programme supported "
        "twenty one groups of public sector staff who wanted to form mutuals.\n\n"
        "## Who took part\nPathfinders came from health, social care, libraries and "
        "youth services.\n",
    ),
    "rights.md": PAGE.format(
        title="Rights to Provide",
        as_of="2011-07-11",
        slug="rights",
        source="Open Public Services White Paper",
        sections="## The right\nRights to Provide let public sector employees propose "
        "taking over the services they deliver as a mutual.\n\n"
        "## The NHS Right to Request\nThe Right to Request let NHS community staff set "
        "up social enterprises.\n",
    ),
    "contracts.md": PAGE.format(
        title="Reserving contracts for mutuals",
        as_of="2015-02-26",
        slug="contracts",
        source="Public Contracts Regulations 2015",
        sections="## Regulation 77\nRegulation 77 lets an authority reserve some health, "
        "social and cultural service contracts for mutuals for up to three years.\n",
    ),
}


@dataclass
class Slack:
    """A Bolt app wired to the fake Web API, on a data file in tmp_path."""

    fake: FakeSlack
    settings: Settings
    services: Services
    app: App

    def dispatch(self, body: str, content_type: str = JSON, **sign_args: Any) -> BoltResponse:
        return self.app.dispatch(bolt_request(body, content_type=content_type, **sign_args))

    def event(self, event: dict[str, Any], event_id: str | None = None, **sign_args: Any) -> str:
        """Deliver an event; its event id."""
        body = event_body(event, event_id)
        response = self.dispatch(body, **sign_args)
        assert response.status == 200, response.body
        return str(json.loads(body)["event_id"])

    def command(self, text: str, response_name: str = "cmd") -> BoltResponse:
        body = command_body(text, self.fake.response_url(response_name))
        return self.dispatch(body, content_type=FORM)

    def restart(self) -> Slack:
        """A new app and data connection on the same data file (a process restart)."""
        return make_slack(self.fake, self.settings, self.services.index)


def make_slack(
    fake: FakeSlack, settings: Settings, index: SearchIndex, executor: Executor | None = None
) -> Slack:
    services = Services(settings, index, DataStore(settings.data_path))
    return Slack(fake, settings, services, build_app(settings, services, executor=executor))


def slack_settings(fake: FakeSlack, tmp_path: Path, index_path: Path, **overrides: Any) -> Settings:
    base = Settings(
        bot_token="xoxb-test-token",
        signing_secret=SIGNING_SECRET,
        api_url=fake.api_url,
        knowledge_dir=index_path.parent / "knowledge",
        index_path=index_path,
        data_path=tmp_path / "data.sqlite3",
    )
    return replace(base, **overrides)


@dataclass
class Served:
    """The real HTTP server (waitress) on a free port, in front of `slack.app`."""

    url: str
    server: Any
