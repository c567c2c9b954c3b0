"""Admin work in Slack: `/mutuals reindex|gaps|stats`, and the App Home panel's buttons, which
run the very same handlers (replying in the admin's DM, as App Home has no response_url).

Each handler gets an already acknowledged request; the service refuses anyone who is not an
admin, and the refusal reveals nothing. The reindex reports back from its own thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.admin import blocks
from bot.admin import service as admin_service
from bot.data.db import DataBusy
from bot.services import NotAllowed, Services
from bot.slack import ids
from bot.slack.blocks import Message, problem_message
from bot.slack.calls import ids_of, log
from bot.slack.routing import CommandRequest, Handler, Subcommand, action_request


def register(app: App, services: Services) -> None:
    for action_id, handler in PANEL.items():
        app.action(action_id)(_panel_listener(services, handler))


def _panel_listener(services: Services, handler: Handler) -> Any:
    def on_click(ack: Ack, body: dict, client: WebClient, respond: Respond | None) -> None:
        ack()
        handler(action_request(services, body, respond, client, NAMES[handler]))

    return on_click


def _refused(request: CommandRequest) -> None:
    log.info("admin %s refused (%s)", request.name, ids_of(request.body))
    request.reply(blocks.refused_message(request.name))


def reindex(request: CommandRequest) -> None:
    """Say "Reindexing…" now, rebuild on a background thread, then report how it went."""
    started = time.perf_counter()

    def report(outcome: admin_service.ReindexOutcome) -> None:
        request.reply(blocks.reindex_result_message(outcome))
        log.info(
            "reindex reported ok=%s problems=%d (%s) after %.0f ms", outcome.succeeded,
            len(outcome.problems), ids_of(request.body), (time.perf_counter() - started) * 1000,
        )  # fmt: skip

    try:
        state = admin_service.reindex_state(request.services, request.actor.user_id)
    except NotAllowed:
        _refused(request)
        return
    if state == admin_service.UNAVAILABLE:
        request.reply(blocks.reindex_unavailable_message())
        return
    if state == admin_service.RUNNING:
        request.reply(blocks.reindex_running_message())
        return
    # Said before the build starts, so "Reindexing…" always arrives before the result.
    request.reply(blocks.reindex_started_message())
    log.info("reindex started (%s)", ids_of(request.body))
    if not admin_service.start_reindex(request.services, request.actor.user_id, report):
        request.reply(blocks.reindex_running_message())


def gaps(request: CommandRequest) -> None:
    """Knowledge gaps of the last N days (default 30)."""
    _report(request, lambda user_id, days: blocks.gaps_message(
        admin_service.gaps(request.services, user_id, days), days))  # fmt: skip


def stats(request: CommandRequest) -> None:
    """Usage statistics of the last N days (default 30)."""
    _report(request, lambda user_id, days: blocks.stats_message(
        admin_service.stats(request.services, user_id, days)))  # fmt: skip


def _report(request: CommandRequest, render: Callable[[str, int], Message]) -> None:
    started = time.perf_counter()
    days = admin_service.parse_days(request.args)
    try:
        if days is None:
            request.services.require_admin(request.actor.user_id)  # usage only for admins
            message = blocks.days_usage_message(request.name)
        else:
            message = render(request.actor.user_id, days)
    except NotAllowed:
        _refused(request)
        return
    except DataBusy:
        log.warning("%s: data file busy (%s)", request.name, ids_of(request.body))
        message = problem_message()
    request.reply(message)
    log.info(
        "%s shown (%s) in %.0f ms",
        request.name, ids_of(request.body), (time.perf_counter() - started) * 1000,
    )  # fmt: skip


SUBCOMMANDS = (
    Subcommand(
        "reindex", reindex, "rebuild the index from the knowledge; reports what changed", admin=True
    ),  # fmt: skip
    Subcommand(
        "gaps",
        gaps,
        "questions declined or marked Not helpful, grouped [days]",
        admin=True,
    ),  # fmt: skip
    Subcommand(
        "stats",
        stats,
        "questions asked, answered, feedback, answer times [days]",
        admin=True,
    ),  # fmt: skip
)
NAMES: dict[Handler, str] = {s.run: s.name for s in SUBCOMMANDS}
# App Home admin panel: action id -> the handler it runs. The panel's Registrations and Export
# buttons (ids.ADMIN_REGISTRATIONS, ids.ADMIN_EXPORT) are the registrations feature's own.
PANEL: dict[str, Handler] = {ids.ADMIN_REINDEX: reindex, ids.ADMIN_GAPS: gaps,
                             ids.ADMIN_STATS: stats}  # fmt: skip
