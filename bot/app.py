"""The Bolt app factory: a Web API client with retries, the signing secret, the listeners."""

from __future__ import annotations

import logging
import secrets
import traceback
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.gate import payload_problem
from bot.listeners import actions, admin, commands, events, home, registrations
from bot.listeners.common import ids_of, log
from bot.services import Services
from bot.settings import Settings

LISTENER_THREADS = 8
# Bolt's and the SDK's DEBUG output includes whole request bodies: message text, personal data.
_CHATTY_LOGGERS = ("slack_bolt", "slack_sdk")


def quiet_slack_loggers() -> logging.Logger:
    """Hold Bolt's and the SDK's loggers at INFO or above; the logger to give Bolt."""
    for name in _CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    # Bolt copies the root logger's level onto its own loggers unless handed one.
    app_logger = logging.getLogger("slack_bolt.MutualsAssistant")
    app_logger.setLevel(max(logging.INFO, logging.getLogger("slack_bolt").getEffectiveLevel()))
    return app_logger


def web_client(settings: Settings) -> WebClient:
    """A Web API client for `settings.api_url` that retries rate limits and lost connections."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=1),
        ],
    )


class GuardedApp(App):
    """Bolt's App, refusing (400) a body without Slack's shape before Bolt reads it: Bolt
    raises on well-known fields of the wrong type. HTTP requests were checked already (see
    bot.gate); this also covers Socket Mode and direct dispatch."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = payload_problem(req.body)
        if problem is not None:
            log.warning("refused a request: %s", problem)
            return BoltResponse(status=400, body="")
        return super().dispatch(req)


def build_app(settings: Settings, services: Services, executor: Executor | None = None) -> App:
    """The Bolt app with every listener registered; checks the bot token with auth.test."""
    logger = quiet_slack_loggers()
    app = GuardedApp(
        client=web_client(settings),
        # Without a secret (Socket Mode needs none) a random one makes every HTTP request fail:
        # an empty HMAC key would let anyone sign.
        signing_secret=settings.signing_secret or secrets.token_hex(32),
        process_before_response=False,
        logger=logger,
        listener_executor=executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )
    for module in (events, commands, actions, home, registrations, admin):
        module.register(app, services)
    app.error(_log_error)
    return app


def _log_error(error: Exception, body: dict) -> None:
    """Bolt's default handler logs the error's message, which may quote user text; this logs
    the error's type, where it was raised, and the request's ids."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    log.error("listener failed: %s at %s (%s)", type(error).__name__, where, ids_of(body))
