"""Dependency floors above known advisories, the rank-bm25 pin explained, and a start-up that
logs no alarming warning from Bolt."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from slack_harness import slack_settings

from bot.app import build_app
from bot.data.db import DataStore
from bot.services import Services
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    return {d.split(">")[0].split("<")[0].split("=")[0].strip(): d for d in deps}


def test_waitress_is_at_least_3_0_1_for_cve_2024_49768_and_49769() -> None:
    assert ">=3.0.1" in _requirements()["waitress"]


def test_the_rank_bm25_pin_says_why() -> None:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    before = text[: text.index('"rank-bm25')].rsplit("\n", 3)
    assert "<0.3" in _requirements()["rank-bm25"] and "BM25Okapi" in "\n".join(before)


def test_start_up_logs_no_token_will_be_unused_warning(
    fake_slack: object, tmp_path: Path, slack_index_path: Path, slack_index: SearchIndex,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # as `mutuals serve` has it
    settings = slack_settings(fake_slack, tmp_path, slack_index_path)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO), DataStore(settings.data_path) as data:
        build_app(settings, Services(settings, slack_index, data))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
