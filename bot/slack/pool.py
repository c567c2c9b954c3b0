"""The listener pool: a request's ack never waits behind slow work, and work is bounded.

Bolt runs each listener (which calls `ack()` first) on this executor and answers Slack only once
`ack()` was called, within 3 s. A fixed pool of 8 threads let 8 listeners stuck on a slow
response_url hold back every ack behind them (HTTP 404 after 3 s). Here a thread is started
whenever none is idle, up to `MAX_LISTENER_THREADS`; outgoing calls have timeouts
(bot.slack.client, bot.slack.calls), so a thread is held for a bounded time; and a listener that
still waited longer than Slack does (the pool full) is dropped and logged instead of running
late: Slack already gave up on its request.

The work in hand (running or waiting for a thread) is bounded too: once `MAX_PENDING_WORK`
listeners are in hand the pool is `full()`, and the HTTP front (bot.server) refuses new requests
at once (503, or a "busy" reply to a slash command) instead of queueing them behind the rest.
What was acknowledged was admitted before the pool was full, so it is never shed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("bot.listeners")

MAX_LISTENER_THREADS = 64
# About 0.3 s of CPU at ~2.5 ms a request: an admitted request is still acked well within 3 s.
MAX_PENDING_WORK = 128
SLACK_ACK_TIMEOUT_S = 3.0


class ListenerPool(ThreadPoolExecutor):
    """A ThreadPoolExecutor (it adds a thread whenever none is idle) that counts the work in
    hand and drops work which waited past Slack's ack timeout."""

    def __init__(
        self, max_workers: int = MAX_LISTENER_THREADS, max_pending: int = MAX_PENDING_WORK
    ) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self.max_pending = max_pending
        self._pending = 0
        self._count_lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Listeners submitted and not yet finished."""
        return self._pending

    def full(self) -> bool:
        """Whether new requests should be refused: `max_pending` listeners are in hand."""
        return self._pending >= self.max_pending

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        queued = time.monotonic()

        def run() -> Any:
            try:
                waited = time.monotonic() - queued
                if waited > SLACK_ACK_TIMEOUT_S:
                    log.error("listener pool full: dropped work that waited %.1f s", waited)
                    return None
                return fn(*args, **kwargs)
            finally:
                with self._count_lock:
                    self._pending -= 1

        with self._count_lock:
            self._pending += 1
        try:
            return super().submit(run)
        except BaseException:
            with self._count_lock:
                self._pending -= 1
            raise
