"""A fake Slack Web API on 127.0.0.1 that records every call and can be told to fail.

`WebClient(base_url=fake.api_url)` talks to it; response_url posts go to `fake.response_url(...)`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"
DM_CHANNEL = "D0FAKEDM1"
RESPONSE = "response_url"  # the `method` recorded for a post to a response_url
UPLOAD = "file_upload"  # the `method` recorded for the bytes posted to an upload_url
FILE_ID = "F0FAKEFILE1"
MODAL_VIEW_ID = "V0MODAL01"
USER_EMAIL = "asker@example.gov.uk"


@dataclass(frozen=True)
class Call:
    method: str  # Web API method, or "response_url"
    params: dict[str, Any]
    path: str
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)


@dataclass
class _Failure:
    mode: str  # "429", "500" or "close"
    times: int
    methods: frozenset[str] = field(default_factory=frozenset)


class FakeSlack:
    """Records calls; answers like Slack with plausible results."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failed: list[tuple[str, str]] = []  # (method, mode) of each call made to fail
        self.thread_root_text = "What is MyCSP?"
        self.user_email: str | None = USER_EMAIL  # users.info profile.email (None: no email)
        # method, or a path such as "/response/slow", -> seconds to wait before answering
        self.delays: dict[str, float] = {}
        self.refused_blocks: set[str] = set()  # block types refused as invalid_blocks
        self.connections = 0  # TCP connections accepted (keep-alive clients reuse theirs)
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._refusals: list[tuple[str, dict[str, str], str]] = []
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.url + "/api/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def response_url(self, name: str = "1") -> str:
        return f"{self.url}/response/{name}"

    def fail_next(self, mode: str, times: int = 1, methods: tuple[str, ...] = ()) -> None:
        """Make the next `times` calls (to `methods`, or any) fail: "429", "500" or "close"."""
        with self._lock:
            self._failures.append(_Failure(mode, times, frozenset(methods)))

    def refuse(self, method: str, error: str, **match: str) -> None:
        """Answer every call to `method` whose params include `match` with Slack's
        `{"ok": false, "error": error}` (a channel the app is not in, a deactivated user)."""
        with self._lock:
            self._refusals.append((method, match, error))

    def _refusal(self, method: str, params: dict[str, Any]) -> str | None:
        with self._lock:
            for refused, match, error in self._refusals:
                if refused == method and all(params.get(k) == v for k, v in match.items()):
                    return error
        return None

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Poll until `count` calls to `method` arrived; fail the test after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.of(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.01)
        raise AssertionError(f"expected {count} {method} call(s), got {len(self.of(method))}")

    def wait_failed(self, count: int, timeout: float = 10.0) -> None:
        """Poll until `count` calls were made to fail (retries back off for a second or so)."""
        deadline = time.monotonic() + timeout
        while len(self.failed) < count:
            assert time.monotonic() < deadline, f"expected {count} failed calls: {self.failed}"
            time.sleep(0.01)

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> list[Call]:
        """Wait until no call arrived for `quiet` seconds; all calls so far."""
        deadline = time.monotonic() + timeout
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            with self._lock:
                n = len(self.calls)
            if n != seen:
                seen, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.02)
        with self._lock:
            return list(self.calls)

    # -- called by the handler ---------------------------------------------------------------

    def _take_failure(self, method: str) -> str | None:
        with self._lock:
            for failure in self._failures:
                if failure.times > 0 and (not failure.methods or method in failure.methods):
                    failure.times -= 1
                    self.failed.append((method, failure.mode))
                    return failure.mode
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel", "C0000001")
        if method == "auth.test":
            return {"user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID,
                    "user": "mutuals", "url": "https://test.slack.com/"}  # fmt: skip
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {"channel": channel, "ts": ts, "message": {"text": params.get("text", "")}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method == "conversations.open":
            return {"channel": {"id": DM_CHANNEL}}
        if method == "conversations.replies":
            root = {"type": "message", "user": "U0ASKER1", "text": self.thread_root_text,
                    "ts": params.get("ts", "1.0")}  # fmt: skip
            return {"messages": [root], "has_more": False}
        if method == "views.publish":
            return {"view": {"id": "V0000001", "type": "home"}}
        if method in ("views.open", "views.update"):
            return {"view": {**(params.get("view") or {}), "id": MODAL_VIEW_ID, "hash": "h1"}}
        if method == "users.info":
            profile = {"email": self.user_email} if self.user_email else {}
            return {"user": {"id": params.get("user", ""), "profile": profile}}
        if method == "files.getUploadURLExternal":
            return {"upload_url": f"{self.url}/upload/{FILE_ID}", "file_id": FILE_ID}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": f.get("id"), "title": f.get("title")}
                              for f in params.get("files") or []]}  # fmt: skip
        return {}


def _parse(body: bytes, content_type: str, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if not body:
        return params
    if "json" in content_type:
        params.update(json.loads(body))
    else:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in ("blocks", "view", "files"):  # form-encoded calls carry these as JSON strings
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Keep-alive clients would otherwise wait for Nagle and delayed ACK (~40 ms a call).
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake.connections += 1

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            url = urlsplit(self.path)
            if url.path.startswith("/api/"):
                method = url.path[len("/api/") :]
            elif url.path.startswith("/response/"):
                method = RESPONSE
            elif url.path.startswith("/upload/"):
                method = UPLOAD
            else:
                self._send(404, b"not found", "text/plain")
                return
            failure = fake._take_failure(method)
            if failure == "close":
                self.close_connection = True
                return
            if failure == "429":
                self._send(
                    429, b'{"ok": false, "error": "ratelimited"}', extra={"Retry-After": "1"}
                )
                return
            if failure == "500":
                self._send(500, b'{"ok": false, "error": "fatal_error"}')
                return
            time.sleep(fake.delays.get(url.path, fake.delays.get(method, 0.0)))
            if method == UPLOAD:  # raw file bytes, as files_upload_v2 posts them
                fake._record(Call(method, {"bytes": body}, url.path))
                self._send(200, f"OK - {len(body)}".encode(), "text/plain")
                return
            params = _parse(body, self.headers.get("Content-Type", ""), url.query)
            kinds = {b.get("type") for b in params.get("blocks") or [] if isinstance(b, dict)}
            if kinds & fake.refused_blocks:  # a workspace or surface without these blocks
                fake.failed.append((method, "invalid_blocks"))
                if method == RESPONSE:
                    self._send(400, b"invalid_blocks", "text/plain")
                else:
                    self._send(200, b'{"ok": false, "error": "invalid_blocks"}')
                return
            fake._record(Call(method, params, url.path))
            if method == RESPONSE:
                self._send(200, b"ok", "text/plain")
                return
            refused = fake._refusal(method, params)
            if refused is not None:
                self._send(200, json.dumps({"ok": False, "error": refused}).encode())
                return
            result = {"ok": True, **fake._result(method, params)}
            self._send(200, json.dumps(result).encode())

        do_GET = do_POST  # users.info and a few other methods are GET requests

        def _send(self, status: int, body: bytes, content_type: str = "application/json",
                  extra: dict[str, str] | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            # Headers and body in one send (end_headers would flush the headers on their own).
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]
            self.flush_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler
