"""What the admin surfaces do, as plain functions over `Services` (no Slack here).

Each function that shows or changes anything checks that the person asking is an admin
(`Services.require_admin`), whichever surface the request came from. Reindexing runs on a
daemon thread of its own, so a rebuild never holds one of Bolt's listener
threads; the outcome is handed to a callback that sends it wherever the admin asked from.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.admin import reports
from bot.enquiries.team_answers import team_answer_covers
from bot.services import Services
from indexer.build import BuildReport
from indexer.live import LiveIndex, ReindexRunning
from indexer.model import KnowledgeError, Problem

log = logging.getLogger(__name__)

DEFAULT_DAYS = reports.DEFAULT_DAYS
MAX_DAYS = 3650


@dataclass(frozen=True)
class ReindexOutcome:
    """How a reindex ended: a report, the knowledge's problems, already running, or failed."""

    report: BuildReport | None = None
    problems: tuple[Problem, ...] = ()
    running: bool = False
    error: str = ""  # the exception's type name when the build failed for another reason

    @property
    def succeeded(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class IndexStatus:
    """What the admin panel shows about the index serving now."""

    built_at: str
    documents: int
    passages: int
    build_id: str
    reindexing: bool
    live: bool  # False when the server serves a fixed index that cannot be rebuilt from Slack


def parse_days(args: str) -> int | None:
    """The days argument of `/mutuals gaps|stats [days]`: default 30; None if not 1 to 3650."""
    text = args.strip()
    if not text:
        return DEFAULT_DAYS
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        return None
    return int(text)


def live_index(services: Services) -> LiveIndex | None:
    """The live index being served, or None when the server was given a fixed one."""
    source = services.indexes
    return source if isinstance(source, LiveIndex) else None


def index_status(services: Services) -> IndexStatus:
    live = live_index(services)
    info = services.index.info
    reindexing = live.reindexing if live is not None else False
    return IndexStatus(
        info.built_at, info.documents, info.passages, info.build_id, reindexing, live is not None
    )


def run_reindex(live: LiveIndex) -> ReindexOutcome:
    """Rebuild and swap; every failure becomes an outcome, and the old index keeps serving."""
    try:
        return ReindexOutcome(report=live.reindex())
    except ReindexRunning:
        return ReindexOutcome(running=True)
    except KnowledgeError as error:
        log.warning("reindex refused: %d knowledge problems", len(error.problems))
        return ReindexOutcome(problems=tuple(error.problems))
    except Exception as error:  # a full disk, an unreadable file: the admin must hear of it
        log.exception("reindex failed: %s", type(error).__name__)
        return ReindexOutcome(error=type(error).__name__)


UNAVAILABLE, RUNNING, READY = "unavailable", "running", "ready"


def reindex_state(services: Services, user_id: str) -> str:
    """Whether a reindex can start: READY, RUNNING (one already runs), or UNAVAILABLE (the
    server serves a fixed index). Admins only."""
    services.require_admin(user_id)
    live = live_index(services)
    if live is None:
        return UNAVAILABLE
    return RUNNING if live.reindexing else READY


def start_reindex(
    services: Services, user_id: str, notify: Callable[[ReindexOutcome], None]
) -> bool:
    """Run a reindex on a daemon thread and pass its outcome to `notify`; False if one runs
    (or none can). Admins only."""
    if reindex_state(services, user_id) != READY:
        return False
    live = live_index(services)
    assert live is not None

    def work() -> None:
        outcome = run_reindex(live)  # two starts racing: the loser's outcome says "running"
        try:
            notify(outcome)
        except Exception as error:
            log.warning("reindex outcome not delivered: %s", type(error).__name__)

    threading.Thread(target=work, name="reindex", daemon=True).start()
    return True


def gaps(services: Services, user_id: str, days: int) -> list[reports.GapGroup]:
    """Knowledge gaps of the last `days` days, grouped with the serving index's synonyms;
    admins only."""
    services.require_admin(user_id)
    index = services.index
    groups = reports.knowledge_gaps(services.data, services.now(), days, analyser=index.analyser)
    return reports.mark_covered(groups, lambda g: team_answer_covers(index, g.wording))


def stats(services: Services, user_id: str, days: int) -> reports.Stats:
    """Usage statistics of the last `days` days; admins only."""
    services.require_admin(user_id)
    return reports.usage_stats(services.data, services.now(), days)
