"""`serve` start-up in both modes: index built and loaded once, data file opened, health served."""

from __future__ import annotations

import logging
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import write_knowledge
from fakeslack import FakeSlack
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_harness import PAGES, slack_settings

from bot import server

pytest_plugins = ["slack_fixtures"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def fresh_settings(fake_slack: FakeSlack, tmp_path: Path) -> Any:
    """Settings whose index does not exist yet: start-up must build it."""
    write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3")
    return replace(settings, data_path=tmp_path / "var" / "data.sqlite3")


def test_socket_mode_serves_health_503_while_disconnected(
    fresh_settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    seen: dict[str, Any] = {}

    def start(handler: SocketModeHandler) -> None:  # instead of connecting to Slack
        seen["health"] = _status(f"http://127.0.0.1:{port}/healthz")
        seen["app_token"] = handler.app_token

    monkeypatch.setattr(SocketModeHandler, "start", start)
    caplog.set_level(logging.INFO, logger="bot.server")
    server.serve(replace(fresh_settings, app_token="xapp-test"), port=port)
    assert seen == {"health": 503, "app_token": "xapp-test"}
    assert fresh_settings.index_path.exists() and fresh_settings.data_path.exists()
    assert "11 passages" in caplog.text and "mode: Socket Mode" in caplog.text


def test_http_mode_serves_events_and_health(
    fresh_settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen: dict[str, int] = {}
    real_http_server = server.http_server

    class Probe:
        """Stands in for the blocking server: runs the real one in a thread, probes, stops."""

        def __init__(self, application: Any, port: int, **kwargs: Any) -> None:
            self.real = real_http_server(application, port=0, host="127.0.0.1")
            self.effective_port = self.real.effective_port

        def run(self) -> None:
            threading.Thread(target=self.real.run, daemon=True).start()
            base = f"http://127.0.0.1:{self.effective_port}"
            seen["healthz"] = _status(base + "/healthz")
            seen["events"] = _status(base + "/slack/events")  # GET: not Slack's method
            self.real.close()

    monkeypatch.setattr(server, "http_server", Probe)
    caplog.set_level(logging.INFO, logger="bot.server")
    server.serve(fresh_settings, http=True, port=8080)
    assert seen == {"healthz": 200, "events": 405}
    assert "mode: HTTP" in caplog.text and "documents" in caplog.text
