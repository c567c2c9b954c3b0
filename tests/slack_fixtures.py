"""Fixtures for the Slack tests: the fake Web API, and the Bolt app built against it.

Test modules load them with `pytest_plugins = ["slack_fixtures"]`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_knowledge
from fakeslack import FakeSlack
from slack_harness import PAGES, Served, Slack, make_slack, slack_settings

from bot.server import slack_http_server
from indexer.build import build_index
from indexer.search import SearchIndex


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def slack_index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_knowledge(tmp_path_factory.mktemp("slack") / "knowledge", pages=PAGES)
    path = root.parent / "index.sqlite3"
    build_index(root, path)
    return path


@pytest.fixture(scope="session")
def slack_index(slack_index_path: Path) -> SearchIndex:
    return SearchIndex.load(slack_index_path)


@pytest.fixture
def slack(
    fake_slack: FakeSlack, tmp_path: Path, slack_index_path: Path, slack_index: SearchIndex
) -> Iterator[Slack]:
    harness = make_slack(fake_slack, slack_settings(fake_slack, tmp_path, slack_index_path),
                         slack_index)  # fmt: skip
    yield harness
    harness.services.data.close()


@pytest.fixture
def served(slack: Slack) -> Iterator[Served]:
    # The server `mutuals serve --http` runs: its limits, its queue, its refusal past capacity.
    server = slack_http_server(slack.app, slack.settings.signing_secret, port=0, host="127.0.0.1")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.effective_port}", server)
    server.close()  # the daemon thread ends at waitress's next loop tick
