"""The Web API client, and keeping Slack's own loggers from logging request bodies."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings
from bot.slack.keepalive import PooledWebClient

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
    if not any(isinstance(f, _ClientGivenOnPurpose) for f in app_logger.filters):
        app_logger.addFilter(_ClientGivenOnPurpose())
    return app_logger


class _ClientGivenOnPurpose(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused.": Bolt reads
    SLACK_BOT_TOKEN from the environment itself, and the client we give it is built from that
    same token (`web_client`), so nothing is unused; the warning would only alarm operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


# One Web API call may hold a listener thread this long (per try): see bot.slack.pool.
WEB_API_TIMEOUT_S = 10


def web_client(settings: Settings) -> WebClient:
    """A Web API client for `settings.api_url` that retries rate limits and lost connections,
    over keep-alive connections shared by every call (bot.slack.keepalive)."""
    return PooledWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=1),
        ],
    )
