"""Admin-only `/mutuals` subcommands: reindex, gaps and stats (listed in commands.SUBCOMMANDS).

Each handler gets an already acknowledged request, refuses anyone who is not an admin without
revealing anything, and replies ephemerally; the reindex reports back from its own thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot import admin_blocks, admin_service
from bot.blocks import Message, problem_message
from bot.data.db import DataBusy
from bot.listeners.common import ids_of, log, respond_safely

if TYPE_CHECKING:
    from bot.listeners.commands import CommandRequest, Subcommand


def _reply(request: CommandRequest, message: Message) -> None:
    respond_safely("respond", request.body, request.respond, response_type="ephemeral", **message)


def _allowed(request: CommandRequest) -> bool:
    """True for an admin; anyone else is told politely that the command is not for them."""
    if request.services.settings.is_admin(str(request.body.get("user_id") or "")):
        return True
    log.info("admin command %s refused (%s)", request.name, ids_of(request.body))
    _reply(request, admin_blocks.refused_message(request.name))
    return False


def reindex(request: CommandRequest) -> None:
    """Say "Reindexing…" now, rebuild on a background thread, then report how it went."""
    if not _allowed(request):
        return
    live = admin_service.live_index(request.services)
    if live is None:
        _reply(request, admin_blocks.reindex_unavailable_message())
        return
    if live.reindexing:
        _reply(request, admin_blocks.reindex_running_message())
        return
    _reply(request, admin_blocks.reindex_started_message())
    started = time.perf_counter()

    def report(outcome: admin_service.ReindexOutcome) -> None:
        _reply(request, admin_blocks.reindex_result_message(outcome))
        log.info(
            "reindex reported ok=%s problems=%d (%s) after %.0f ms", outcome.succeeded,
            len(outcome.problems), ids_of(request.body), (time.perf_counter() - started) * 1000,
        )  # fmt: skip

    log.info("reindex started (%s)", ids_of(request.body))
    if not admin_service.start_reindex(live, report):
        _reply(request, admin_blocks.reindex_running_message())


def gaps(request: CommandRequest) -> None:
    """Knowledge gaps of the last N days (default 30)."""
    _report(request, lambda days: admin_blocks.gaps_message(
        admin_service.gaps(request.services, days), days))  # fmt: skip


def stats(request: CommandRequest) -> None:
    """Usage statistics of the last N days (default 30)."""
    _report(request, lambda days: admin_blocks.stats_message(
        admin_service.stats(request.services, days)))  # fmt: skip


def _report(request: CommandRequest, render: Callable[[int], Message]) -> None:
    if not _allowed(request):
        return
    days = admin_service.parse_days(request.args)
    if days is None:
        _reply(request, admin_blocks.days_usage_message(request.name))
        return
    started = time.perf_counter()
    try:
        message = render(days)
    except DataBusy:
        log.warning("%s: data file busy (%s)", request.name, ids_of(request.body))
        message = problem_message()
    _reply(request, message)
    log.info(
        "%s shown (%s) in %.0f ms",
        request.name, ids_of(request.body), (time.perf_counter() - started) * 1000,
    )  # fmt: skip


SUBCOMMANDS: dict[str, Subcommand] = {"reindex": reindex, "gaps": gaps, "stats": stats}
