"""What every feature's service functions are given: settings, the index, the data file, a clock.

Built once at start-up (bot.server) or by a test; knows nothing of Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from bot.data.db import DataStore
from bot.settings import Settings
from indexer.search import SearchIndex

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The person asking may not do this (admin work, asked for by someone else)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class IndexSource(Protocol):
    """Where the index serving now comes from (a fixed one, or indexer.live.LiveIndex)."""

    def current(self) -> SearchIndex: ...


class FixedIndex:
    """An index loaded once, serving until replaced."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def current(self) -> SearchIndex:
        return self._index


class Services:
    """Built once at start-up: settings, the index source, the data file, and a clock."""

    def __init__(
        self,
        settings: Settings,
        index: SearchIndex | IndexSource,
        data: DataStore,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.data = data
        self._clock = clock
        self.indexes: IndexSource = FixedIndex(index) if isinstance(index, SearchIndex) else index

    @property
    def index(self) -> SearchIndex:
        """The index serving now; a question reads it once and keeps it to the end."""
        return self.indexes.current()

    def now(self) -> datetime:
        return self._clock()

    def require_admin(self, user_id: str) -> None:
        """Raise NotAllowed unless `user_id` is one of the admins in settings: every admin
        service function calls this, whatever surface the request came from."""
        if not user_id or not self.settings.is_admin(user_id):
            log.warning("admin-only request refused user=%s", user_id)
            raise NotAllowed(user_id)

    def require_team(self, user_id: str) -> None:
        """Raise NotAllowed unless `user_id` may answer enquiries (an admin, or one of
        MUTUALS_TEAM_USERS): every enquiry service function that answers or closes calls this."""
        if not user_id or not self.settings.is_team(user_id):
            log.warning("mutuals-team-only request refused user=%s", user_id)
            raise NotAllowed(user_id)
