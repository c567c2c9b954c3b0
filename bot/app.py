"""The composition root: the Bolt app, with every feature's listeners and one `/mutuals`
router assembled from every feature's subcommands."""

from __future__ import annotations

import secrets
from concurrent.futures import Executor

from slack_bolt import App

from bot.admin import listeners as admin
from bot.answers import listeners as answers
from bot.enquiries import listeners as enquiries
from bot.home import listeners as home
from bot.registrations import listeners as registrations
from bot.services import Services
from bot.settings import Settings
from bot.slack.client import quiet_slack_loggers, web_client
from bot.slack.gate import GuardedApp
from bot.slack.pool import ListenerPool
from bot.slack.routing import Router, Subcommand
from bot.slack.safety import log_failure

SUBCOMMANDS: tuple[Subcommand, ...] = (
    *answers.SUBCOMMANDS,  # help
    *registrations.SUBCOMMANDS,  # register, status, withdraw, registrations, export
    *admin.SUBCOMMANDS,  # reindex, gaps, stats
    *enquiries.SUBCOMMANDS,  # enquiries, answers
)


def router() -> Router:
    """`/mutuals`: every feature's subcommands; other text is a question; none is help."""
    return Router(SUBCOMMANDS, question=answers.answer_command, empty=answers.show_help)


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
        team_id=settings.team_id,
        listener_executor=executor or ListenerPool(),
    )
    router().register(app, services)
    for feature in (answers, registrations, admin, enquiries, home):
        feature.register(app, services)
    app.error(_log_error)
    return app


def _log_error(error: Exception, body: dict) -> None:
    """Bolt's default handler logs the error's message, which may quote user text; this logs
    the error's type, where it was raised, and the request's ids."""
    log_failure(error, body)
