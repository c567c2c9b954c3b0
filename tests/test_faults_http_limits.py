"""What one HTTP client can hold: a body over the limit is refused at its header (413, nothing
read or spooled), chunked bodies too; idle connections are closed; connections are bounded."""

from __future__ import annotations

import socket

from slack_harness import Served

from bot.server import BACKLOG, CHANNEL_TIMEOUT_S, CONNECTION_LIMIT, HTTP_THREADS, MAX_BODY

pytest_plugins = ["slack_fixtures"]


def _connect(served: Served) -> socket.socket:
    host, port = served.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=5)
    return conn


def _status_line(conn: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode()


def test_an_oversized_body_is_refused_at_its_header(served: Served) -> None:
    with _connect(served) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {250 * 1024 * 1024}\r\n\r\n".encode()
        )  # and no body: today's server waits for 250 MiB of it
        assert " 413 " in _status_line(conn)


def test_an_oversized_chunked_body_is_refused_before_it_ends(served: Served) -> None:
    with _connect(served) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * (256 * 1024)
        for _ in range(MAX_BODY // len(chunk) + 2):  # just past the limit, never the last chunk
            conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        assert " 413 " in _status_line(conn)


def test_the_server_limits_are_set_on_purpose(served: Served) -> None:
    adj = served.server.adj
    assert adj.max_request_body_size == MAX_BODY <= 2 * 1024 * 1024
    assert adj.channel_timeout == CHANNEL_TIMEOUT_S <= 30
    # Enough connections that a request past capacity is answered (503), not left in the backlog.
    assert adj.connection_limit == CONNECTION_LIMIT >= 500
    assert adj.backlog == BACKLOG and adj.threads == HTTP_THREADS
