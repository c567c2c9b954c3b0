"""Socket Mode: the health endpoint follows the WebSocket connection, through a drop and back.

`serve` runs for real (index, data file, Bolt app, SocketModeHandler, the waitress health
server); only `SocketModeHandler.start` is replaced, so no socket goes to Slack. Instead the
test drives the SDK's own connection objects as its client does: a connected session, then
`Connection.disconnect()` (what the SDK does when Slack drops the socket or it goes stale), then
a new session (what its auto-reconnect does). /healthz must answer 503, 200, 503, 200.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write_knowledge
from fakeslack import FakeSlack
from serve_process import free_port, status
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_harness import PAGES, slack_settings
from slack_sdk.socket_mode.builtin.connection import Connection

from bot import server

pytest_plugins = ["slack_fixtures"]


def _session(sockets: list[socket.socket]) -> Connection:
    """An SDK Connection whose socket is open, as after a successful handshake."""
    session = Connection(url="wss://127.0.0.1/link", logger=logging.getLogger("test.socket"))
    ours, theirs = socket.socketpair()
    ours.settimeout(0.05)  # the SDK's reader thread polls it; never block its lock for long
    sockets += [ours, theirs]
    session.sock = ours  # type: ignore[assignment]  # a plain socket, as for ws://
    return session


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def test_health_reports_a_dropped_socket_and_its_recovery(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    sockets: list[socket.socket],
) -> None:  # fmt: skip
    write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = replace(
        slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3"), app_token="xapp-test"
    )
    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    seen: list[int | None] = []

    def start(handler: SocketModeHandler) -> None:
        client = handler.client
        try:
            seen.append(status(health))  # not connected yet
            client.current_session = _session(sockets)
            seen.append(status(health))  # connected
            client.current_session.disconnect()  # Slack dropped us
            seen.append(status(health))
            client.current_session = _session(sockets)  # the SDK reconnected
            seen.append(status(health))
        finally:
            client.close()  # stop the SDK's threads; serve() then returns

    monkeypatch.setattr(SocketModeHandler, "start", start)
    server.serve(settings, port=port)
    assert seen == [503, 200, 503, 200]


NOW = 1_800_000_000.0


def test_health_is_503_once_pongs_stop_before_the_sdk_drops_the_socket(
    sockets: list[socket.socket],
) -> None:
    class Client:
        current_session: Connection | None = None

    client = Client()
    assert not server.socket_healthy(client, now=lambda: NOW)
    client.current_session = _session(sockets)
    assert server.socket_healthy(client, now=lambda: NOW)  # just connected, no ping yet
    client.current_session._first_ping_time = NOW  # type: ignore[attr-defined]
    client.current_session.last_ping_pong_time = NOW
    assert server.socket_healthy(client, now=lambda: NOW + server.SOCKET_PING_INTERVAL_S)
    # the TCP connection went quiet: the socket is still "active", but no pong comes back
    assert not server.socket_healthy(client, now=lambda: NOW + server.SOCKET_STALE_S + 1)
    assert server.SOCKET_STALE_S < 4 * server.SOCKET_PING_INTERVAL_S  # 503 before the drop


def test_serve_pings_often_enough_to_reconnect_a_silent_socket_within_20_s(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = replace(
        slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3"), app_token="xapp-test"
    )
    intervals: list[float] = []

    def start(handler: SocketModeHandler) -> None:
        intervals.append(handler.client.ping_interval)
        handler.client.close()

    monkeypatch.setattr(SocketModeHandler, "start", start)
    server.serve(settings, port=free_port())
    # the SDK drops a socket after 4 intervals without a pong, checking once an interval
    assert intervals and 4 * intervals[0] + intervals[0] <= 20
