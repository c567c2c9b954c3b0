"""Run the Slack app: HTTP mode (bot.slack.gate and Bolt on waitress), or Socket Mode; health."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from bot.admin.housekeeping import PURGE_INTERVAL, start_retention
from bot.app import build_app
from bot.data.db import DataStore
from bot.enquiries.team_answers import team_passages
from bot.services import Services
from bot.settings import Settings, SettingsError, require_slack
from bot.slack import gate
from bot.slack.client import quiet_slack_loggers
from bot.slack.gate import guarded
from indexer import spelling
from indexer.live import LiveIndex

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("bot.server")

# The HTTP server's limits, set here on purpose (README, Reliability and Load, says why).
# Threads: the app runs under one GIL, so HTTP threads only overlap waits (Bolt's wait for
# ack(), a data file write); 8 keep one core busy. Listener work runs on bot.slack.pool.
HTTP_THREADS = 8
# What one client may hold. Slack sends small bodies and sends them at once: a body over
# MAX_BODY is refused with 413 as soon as its Content-Length (or its chunks) say so, before
# waitress spools it to disk; a connection idle for CHANNEL_TIMEOUT_S is closed.
MAX_BODY = gate.MAX_BODY
CHANNEL_TIMEOUT_S = 10
# Past capacity a request must be answered (a 503 costs well under a millisecond), not left in
# the kernel's listen backlog where nothing answers it: so waitress accepts up to
# CONNECTION_LIMIT connections (Slack's requests outstanding at twice capacity are a few
# hundred; each costs a file descriptor and a few KiB), and the backlog holds a burst above it.
CONNECTION_LIMIT = 1000
BACKLOG = 1024
# Past MAX_QUEUED requests waiting for an HTTP thread (about 0.2 s of work), or with the
# listener pool full (bot.slack.pool), new requests are refused at once: bot.slack.gate.
MAX_QUEUED = 64
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class StartupError(Exception):
    """Slack would not let the app start; the message says why, in one line."""


def configure_logging(level: str) -> None:
    """Log to stderr at `level`; Slack's own loggers stay at INFO or above (bodies at DEBUG)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)  # also when handlers were already installed
    quiet_slack_loggers()
    # waitress warns on every request that waits for a thread: a gauge, not a fault.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def load_services(settings: Settings) -> Services:
    """Build the index if missing or stale, serve it live, and open the data file.

    The live index swaps to a rebuilt index file (`/mutuals reindex`, `mutuals index`, another
    process) before the next question, without a restart.
    """
    started = time.perf_counter()
    data = DataStore(settings.data_path)  # creates its directory (0700) and file (0600)
    # Every build adds the team's answers from the data file (bot/enquiries/team_answers.py).
    live = LiveIndex.open(settings.index_path, settings.knowledge_dir,
                          extra=lambda: team_passages(data))  # fmt: skip
    index = live.current()
    spelling.warm()
    log.info(
        "index loaded: %d documents, %d passages, built %s (%.0f ms)",
        index.info.documents, index.info.passages, index.info.built_at,
        (time.perf_counter() - started) * 1000,
    )  # fmt: skip
    return Services(settings, live, data)


def health_app(healthy: Callable[[], bool]) -> WSGIApplication:
    """A WSGI app answering 200 while `healthy()`, else 503."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        ok = healthy()
        body = b"ok\n" if ok else b"disconnected\n"
        start_response("200 OK" if ok else "503 Service Unavailable", _plain(body))
        return [body]

    return application


def wsgi_app(
    app: App, signing_secret: str, healthy: Callable[[], bool] = lambda: True,
    busy: Callable[[], bool] | None = None,
) -> WSGIApplication:  # fmt: skip
    """`/slack/events` (events, commands, interactivity) through Bolt, and `/healthz`; every
    Slack request is checked for a signature and Slack's shape first (bot.slack.gate), and
    refused at once while `busy()` (default: the app's listener pool is full)."""
    slack = guarded(app, signing_secret, busy or _pool_full(app))
    health = health_app(healthy)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            return health(environ, start_response)
        if path != EVENTS_PATH:
            body = b"not found\n"
            start_response("404 Not Found", _plain(body))
            return [body]
        return slack(environ, start_response)

    return application


def _pool_full(app: App) -> Callable[[], bool]:
    full = getattr(app.listener_runner.listener_executor, "full", None)
    return full if callable(full) else lambda: False


def overloaded(app: App, dispatcher: ThreadedTaskDispatcher) -> Callable[[], bool]:
    """Whether to refuse a request now: the listener pool is full, or more than MAX_QUEUED
    requests wait for an HTTP thread."""
    pool_full = _pool_full(app)
    return lambda: len(dispatcher.queue) > MAX_QUEUED or pool_full()


def slack_http_server(app: App, signing_secret: str, port: int, host: str = "0.0.0.0") -> Any:
    """The HTTP mode server: `wsgi_app` on waitress, refusing requests at once past capacity."""
    dispatcher = ThreadedTaskDispatcher()
    application = wsgi_app(app, signing_secret, busy=overloaded(app, dispatcher))
    return http_server(application, port, host=host, dispatcher=dispatcher)


def _plain(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]


def http_server(
    application: WSGIApplication, port: int, host: str = "0.0.0.0", threads: int = HTTP_THREADS,
    dispatcher: ThreadedTaskDispatcher | None = None,
) -> Any:  # fmt: skip
    """A waitress server (one process, `threads` threads), bound and ready to `.run()`, with
    the limits above on what one client can hold; `dispatcher` is its queue of requests."""
    if dispatcher is not None:
        dispatcher.set_thread_count(threads)
    return create_server(
        application, host=host, port=port, threads=threads, _dispatcher=dispatcher,
        max_request_body_size=MAX_BODY, channel_timeout=CHANNEL_TIMEOUT_S,
        connection_limit=CONNECTION_LIMIT, backlog=BACKLOG, cleanup_interval=CHANNEL_TIMEOUT_S,
    )  # fmt: skip


def serve(
    settings: Settings, http: bool = False, port: int | None = None,
    purge_interval: float = PURGE_INTERVAL,
) -> None:  # fmt: skip
    """Start-up: check settings, load index and data, purge, then serve until stopped (purging
    rows past retention every `purge_interval` seconds)."""
    require_slack(settings)
    socket_mode = bool(settings.app_token) and not http
    if not socket_mode and not settings.signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET: missing (HTTP mode verifies every request)")
    services = load_services(settings)
    try:
        app = build_app(settings, services)
        port = port or settings.port
        retention = start_retention(services, purge_interval)
        try:
            if socket_mode:
                run_socket_mode(app, settings, port)
            else:
                run_http(app, settings.signing_secret, port)
        finally:
            retention.stop()
    except BoltError as exc:
        raise StartupError("Slack did not accept SLACK_BOT_TOKEN (auth.test failed)") from exc
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else "unknown"
        raise StartupError(f"Slack refused to connect: {code}") from exc
    except SlackClientError as exc:
        raise StartupError(f"could not start: {type(exc).__name__}: {exc}") from exc


def run_http(app: App, signing_secret: str, port: int) -> None:
    server = slack_http_server(app, signing_secret, port)
    log.info("mode: HTTP on port %s (%s, %s)", server.effective_port, EVENTS_PATH, HEALTH_PATH)
    server.run()


# Socket Mode: the SDK pings every SOCKET_PING_INTERVAL_S and drops a socket with no pong for
# over 4 intervals, then reconnects (12-15 s after a silent drop; Bolt's default of 10 s made it
# 40-50 s). Health says 503 as soon as pongs are SOCKET_STALE_S late, before the SDK gives up.
SOCKET_PING_INTERVAL_S = 3
SOCKET_STALE_S = 2 * SOCKET_PING_INTERVAL_S + 1


def socket_healthy(client: Any, now: Callable[[], float] = time.time) -> bool:
    """Whether the Socket Mode client's current session is open and answering pings."""
    session = getattr(client, "current_session", None)
    if session is None or not session.is_active():
        return False
    # The SDK records, on each pong, the time its ping was sent; before the first pong, the
    # time of the first ping (None before any ping: just connected).
    since = session.last_ping_pong_time or getattr(session, "_first_ping_time", None)
    return since is None or now() - float(since) <= SOCKET_STALE_S


def run_socket_mode(app: App, settings: Settings, port: int) -> None:
    handler = SocketModeHandler(
        app, app_token=settings.app_token, ping_interval=SOCKET_PING_INTERVAL_S
    )
    health = http_server(health_app(lambda: socket_healthy(handler.client)), port, threads=1)
    threading.Thread(target=health.run, name="health", daemon=True).start()
    log.info("mode: Socket Mode (health on port %s%s)", health.effective_port, HEALTH_PATH)
    handler.start()
