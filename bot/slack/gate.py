"""What stands in front of Bolt: a request must be signed, parse, and have Slack's shape.

Bolt parses a body before it checks the signature, and raises (a 500) on bodies it cannot
parse or on well-known fields of the wrong type. Here the signature is checked first (401);
then Bolt's request is built, once, and a body it cannot take is refused (400), as is one
without Slack's shape (checked by the app itself, `payload_problem`, before any listener).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier

from bot.slack.safety import run_safely

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("bot.gate")

MAX_BODY = 2 * 1024 * 1024  # far above anything Slack sends; waitress refuses more (bot.server)
# Fields of an event that Bolt reads itself: each must be text when present.
_EVENT_TEXT_FIELDS = ("type", "user", "channel", "ts", "thread_ts", "team", "channel_type",
                      "subtype", "bot_id", "event_ts", "tab")  # fmt: skip


def payload_problem(body: Any) -> str | None:
    """Why a parsed request body does not have the shape Slack gives it, or None if it does."""
    if not isinstance(body, Mapping):
        return "not an object"
    if "command" in body:
        url = body.get("response_url")
        ok = isinstance(url, str) and url.startswith(("https://", "http://"))
        return None if ok else "command without a response_url"
    if body.get("type") == "event_callback":
        return _event_problem(body.get("event"))
    if "actions" in body or "view" in body:
        return _interaction_problem(body)
    return None


def _event_problem(event: Any) -> str | None:
    if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    bad = [k for k in _EVENT_TEXT_FIELDS if k in event and not isinstance(event[k], str)]
    return f"event fields of the wrong type: {', '.join(bad)}" if bad else None


def _interaction_problem(body: Mapping[str, Any]) -> str | None:
    user, actions = body.get("user"), body.get("actions", [{}])
    view = body.get("view", {"type": "none"})
    if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
        return "interaction without a user id"
    if not isinstance(actions, list) or not actions:
        return "actions is not a list"
    # block_actions: Bolt's matchers read each action's action_id (a KeyError, a 500, if absent)
    default = None if body.get("type") == "block_actions" else ""
    if not all(isinstance(a, Mapping) and isinstance(a.get("action_id", default), str)
               for a in actions):  # fmt: skip
        return "an action is not an object with an action_id"
    if not isinstance(view, Mapping) or not isinstance(view.get("type"), str):
        return "view is not an object with a type"
    return None


def request_teams(body: Any) -> set[str]:
    """Every workspace id a request names for itself and the person acting."""
    if not isinstance(body, Mapping):
        return set()
    team, user = body.get("team"), body.get("user")
    found = [
        body.get("team_id"),
        team if isinstance(team, str) else team.get("id") if isinstance(team, Mapping) else None,
        user.get("team_id") if isinstance(user, Mapping) else None,
    ]
    return {t for t in found if isinstance(t, str) and t}


class GuardedApp(App):
    """Bolt's App, refusing (400) a body without Slack's shape before Bolt reads it: Bolt
    raises on well-known fields of the wrong type. HTTP requests were checked already (see
    `guarded`); this also covers Socket Mode and direct dispatch.

    The app serves one workspace: `team_id` (MUTUALS_TEAM_ID), else the bot token's own
    (auth.test at start-up). A request naming any other team is answered 200 and ignored, so
    a user id, an admin's included, means one person: admin checks and registrations by user
    id cannot be reached from another workspace.
    """

    def __init__(self, *args: Any, team_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_id = team_id or self._token_team()

    def _token_team(self) -> str:
        for middleware in self._middleware_list:
            result = getattr(middleware, "auth_test_result", None)
            if result is not None and isinstance(result.get("team_id"), str):
                return str(result["team_id"])
        return ""

    def _register_listener(self, *args: Any, **kwargs: Any) -> Any:
        # Every listener runs through run_safely: an exception after ack() is logged and
        # explained, never turned into Bolt's 404 (see bot.slack.safety).
        returned = super()._register_listener(*args, **kwargs)
        listener = self._listeners[-1]
        listener.run_ack_function = partial(run_safely, listener.run_ack_function)  # type: ignore[method-assign]
        return returned

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = payload_problem(req.body)
        if problem is not None:
            log.warning("refused a request: %s", problem)
            return BoltResponse(status=400, body="")
        foreign = request_teams(req.body) - {self.team_id} if self.team_id else set()
        if foreign:
            named = ",".join("".join(c for c in t[:32] if c.isalnum()) for t in sorted(foreign))
            log.warning("refused a request from another workspace team=%s", named[:100])
            text = "This app serves another Slack workspace." if "command" in req.body else ""
            return BoltResponse(status=200, body=text)
        return super().dispatch(req)


def bolt_request(raw: bytes, environ: WSGIEnvironment) -> BoltRequest | str:
    """Bolt's request for a signed body, or why Bolt cannot take it.

    Building the request parses the body (JSON, or a form whose `payload` is JSON) and reads
    ids out of it; on a body of the wrong shape that raises one of these errors.
    """
    try:
        return BoltRequest(
            body=raw.decode("utf-8"),
            query=environ.get("QUERY_STRING", ""),
            headers=WsgiHttpRequest(environ).get_headers(),
        )
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        return f"unparsable body ({type(exc).__name__})"


RETRY_AFTER_S = 1
BUSY_TEXT = "The mutuals assistant is busy just now: please ask again in a minute."


def guarded(
    app: App, signing_secret: str, busy: Callable[[], bool] = lambda: False
) -> WSGIApplication:
    """`app` as a WSGI application for Slack's POSTs, behind the signature and shape checks;
    while `busy()` a signed request is refused at once (`_refuse_busy`), never queued."""
    verifier = SignatureVerifier(signing_secret)
    refused = _RefusalLog()

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, "405 Method Not Allowed", [("Allow", "POST")])
        raw = _read(environ)
        if raw is None:
            return _reply(start_response, "413 Payload Too Large")
        if not _signed(verifier, environ, raw):
            return _reply(start_response, "401 Unauthorized")
        if busy():
            refused.note()
            return _refuse_busy(start_response, raw, environ)
        request = bolt_request(raw, environ)
        if isinstance(request, str):
            log.warning("refused a signed request: %s", request)
            return _reply(start_response, "400 Bad Request")
        response = app.dispatch(request)
        wsgi_response = WsgiHttpResponse(response.status, response.headers, response.body)
        start_response(wsgi_response.status, wsgi_response.get_headers())
        return wsgi_response.get_body()

    return application


def _refuse_busy(
    start_response: StartResponse, raw: bytes, environ: WSGIEnvironment
) -> list[bytes]:
    """Past capacity: a 503 that Slack retries (events), or that the person sees and can repeat
    (a click, a modal left open); a slash command, which Slack never retries and would show as
    "dispatch_failed", is acked with a "busy" reply instead. Nothing is acked and then dropped."""
    form = "json" not in environ.get("CONTENT_TYPE", "")
    if (
        form
        and not raw.startswith(b"payload=")
        and parse_qs(raw.decode("utf-8", "replace")).get("command")
    ):
        body = BUSY_TEXT.encode()
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])  # fmt: skip
        return [body]
    return _reply(start_response, "503 Service Unavailable", [("Retry-After", str(RETRY_AFTER_S))])


class _RefusalLog:
    """Counts requests refused while busy; logs the count at most once a second."""

    def __init__(self, every: float = 1.0) -> None:
        self._every, self._count, self._last = every, 0, 0.0
        self._lock = threading.Lock()

    def note(self) -> None:
        with self._lock:
            self._count += 1
            now = time.monotonic()
            if now - self._last < self._every:
                return
            count, self._count, self._last = self._count, 0, now
        log.warning("busy: refused %d request(s) at once (listener pool or queue full)", count)


def _read(environ: WSGIEnvironment) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _signed(verifier: SignatureVerifier, environ: WSGIEnvironment, raw: bytes) -> bool:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    try:
        return bool(timestamp and signature) and verifier.is_valid(raw, timestamp, signature)
    except (ValueError, TypeError):  # a timestamp that is not a number
        return False


def _reply(
    start_response: StartResponse, status: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    body = status.split(" ", 1)[1].encode() + b"\n"
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers + (extra or []))
    return [body]
