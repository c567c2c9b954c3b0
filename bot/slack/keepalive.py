"""Keep-alive connections to the Web API and to response_urls, shared by every call.

slack_sdk's sync clients open a new connection for each call (urllib sends `Connection: close`):
a TCP handshake, and for Slack a TLS handshake, every time; measured against the local fake,
0.54-0.59 ms of CPU a call, against 0.24-0.28 ms over a reused connection. `KeepAliveHandler`
is a urllib handler that keeps idle connections per host and reuses them; `PooledWebClient` and
`PooledWebhookClient` are slack_sdk's clients sending through it (their retries, rate-limit
handling and errors unchanged: a non-2xx reply still raises urllib's HTTPError).
"""

from __future__ import annotations

import http.client
import io
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from typing import Any
from urllib.response import addinfourl

from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

IDLE_S = 20.0  # an idle connection older than this is closed, not reused (servers drop them)
MAX_IDLE = 16  # idle connections kept per host
# A reused connection the server closed while it sat idle fails at once, before any reply.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)

Key = tuple[str, str]  # (scheme, host[:port])


class KeepAliveHandler(urllib.request.BaseHandler):
    """Opens http(s) URLs over pooled keep-alive connections; thread-safe. urllib's own
    HTTP handlers still prepare each request (Host, Content-Length); this one, ahead of
    them in the opener, sends it."""

    handler_order = 400  # before urllib's HTTPHandler and HTTPSHandler (500)

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self._context = context or ssl.create_default_context()
        self._lock = threading.Lock()
        self._idle: dict[Key, deque[tuple[http.client.HTTPConnection, float]]] = {}

    def http_open(self, req: urllib.request.Request) -> addinfourl:
        return self._open(req, "http")

    def https_open(self, req: urllib.request.Request) -> addinfourl:
        return self._open(req, "https")

    def idle_connections(self) -> int:
        with self._lock:
            return sum(len(line) for line in self._idle.values())

    def close(self) -> None:
        with self._lock:
            lines, self._idle = list(self._idle.values()), {}
        for line in lines:
            for conn, _ in line:
                conn.close()

    def _open(self, req: urllib.request.Request, scheme: str) -> addinfourl:
        key = (scheme, req.host)
        timeout = req.timeout  # type: ignore[attr-defined]
        reused = self._take(key, timeout)
        if reused is not None:
            try:
                return self._exchange(key, reused, req)
            except _STALE:
                pass  # the server closed it while it sat idle: one try on a new connection
        return self._exchange(key, self._new(key, timeout), req)

    def _exchange(
        self, key: Key, conn: http.client.HTTPConnection, req: urllib.request.Request
    ) -> addinfourl:
        """One request and its whole reply; errors as urllib raises them (URLError while
        connecting or sending, the socket's own error while waiting for the reply)."""
        headers = {k.title(): v for k, v in req.header_items()}
        headers["Connection"] = "keep-alive"
        try:
            try:
                conn.request(req.get_method(), req.selector, req.data, headers)  # type: ignore[arg-type]
            except _STALE:
                raise
            except OSError as error:
                raise urllib.error.URLError(error) from error
            reply = conn.getresponse()
            body = reply.read()  # all of it, so that the connection can carry the next call
        except BaseException:
            conn.close()
            raise
        if reply.will_close:
            conn.close()
        else:
            self._give_back(key, conn)
        response = addinfourl(io.BytesIO(body), reply.msg, req.full_url, reply.status)
        response.msg = reply.reason  # type: ignore[attr-defined]
        return response

    def _new(self, key: Key, timeout: float | None) -> http.client.HTTPConnection:
        if key[0] == "https":
            return http.client.HTTPSConnection(key[1], timeout=timeout, context=self._context)
        return http.client.HTTPConnection(key[1], timeout=timeout)

    def _take(self, key: Key, timeout: float | None) -> http.client.HTTPConnection | None:
        now = time.monotonic()
        while True:
            with self._lock:
                line = self._idle.get(key)
                if not line:
                    return None
                conn, since = line.pop()  # the most recently used: the least likely closed
            if now - since <= IDLE_S and conn.sock is not None:
                conn.sock.settimeout(timeout)
                return conn
            conn.close()

    def _give_back(self, key: Key, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            line = self._idle.setdefault(key, deque())
            line.append((conn, time.monotonic()))
            extra = line.popleft()[0] if len(line) > MAX_IDLE else None
        if extra is not None:
            extra.close()


# One pool for the process: the Web API and every response_url share its connections.
_HANDLER = KeepAliveHandler()
_OPENER = urllib.request.build_opener(_HANDLER)


def shared_opener() -> urllib.request.OpenerDirector:
    """The process's keep-alive opener."""
    return _OPENER


def _check_url(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):  # as slack_sdk: no file:// or ftp://
        raise SlackRequestError(f"Invalid URL detected: {url}")


class PooledWebClient(WebClient):
    """slack_sdk's WebClient over the shared keep-alive connections (no proxy support)."""

    def _perform_urllib_http_request_internal(self, url: str, req: Any) -> dict[str, Any]:
        _check_url(url)
        if self.proxy is not None or self.ssl is not None:
            return super()._perform_urllib_http_request_internal(url, req)
        reply = _OPENER.open(req, timeout=self.timeout)
        body: bytes = reply.read()
        if reply.headers.get_content_type() == "application/gzip":
            return {"status": reply.code, "headers": reply.headers, "body": body}
        charset = reply.headers.get_content_charset() or "utf-8"
        return {"status": reply.code, "headers": reply.headers, "body": body.decode(charset)}


class PooledWebhookClient(WebhookClient):
    """slack_sdk's WebhookClient (a response_url) over the shared keep-alive connections."""

    def _perform_http_request_internal(self, url: str, req: Any) -> Any:
        _check_url(url)
        if self.proxy is not None or self.ssl is not None:
            return super()._perform_http_request_internal(url, req)
        from slack_sdk.webhook import WebhookResponse

        reply = _OPENER.open(req, timeout=self.timeout)
        charset = reply.headers.get_content_charset() or "utf-8"
        body = reply.read().decode(charset)
        return WebhookResponse(url=url, status_code=reply.status, body=body, headers=reply.headers)
