"""Retention while the server runs: purge at start-up, then once a day on a daemon thread."""

from __future__ import annotations

import logging
import sqlite3
import threading

from bot.data.db import DataBusy
from bot.data.retention import PurgeRefused, purge
from bot.services import Services

log = logging.getLogger(__name__)

PURGE_INTERVAL = 24 * 60 * 60.0  # seconds between purges while running


def purge_now(services: Services) -> dict[str, int] | None:
    """Purge rows past retention; None (logged) if the data file would not let us this time."""
    try:
        return purge(services.data, services.now(), services.settings.log_retention_days)
    except PurgeRefused:
        return None  # logged with its reason; an admin decides (mutuals purge --force)
    except (DataBusy, sqlite3.Error) as error:
        # The next run tries again; a purge must never take the server down.
        log.warning("retention purge failed: %s", type(error).__name__)
        return None


class RetentionTimer:
    """Calls `purge_now` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, services: Services, interval: float = PURGE_INTERVAL) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.services = services
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> RetentionTimer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the timer; a purge already running is allowed `timeout` seconds to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            purge_now(self.services)


def start_retention(services: Services, interval: float = PURGE_INTERVAL) -> RetentionTimer:
    """Purge now (start-up), then keep purging every `interval` seconds."""
    purge_now(services)
    return RetentionTimer(services, interval).start()
